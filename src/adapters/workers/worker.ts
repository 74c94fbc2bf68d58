/**
 * Entry point of a pool worker thread (piscina loads its default export). It runs one task at a
 * time; the pool terminates the thread when a task passes its deadline or memory limit.
 */
import { runTask, type Outcome, type Task, type WorkerJob } from './tasks.js'

export default function work(job: WorkerJob): Promise<Outcome> {
  const { started, ...task } = job
  return runTask(task as Task, started)
}
