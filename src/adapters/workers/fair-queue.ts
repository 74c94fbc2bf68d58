/**
 * One FIFO queue per owner (tenant), served round-robin: the next job comes from the owner after
 * the one served last, so an owner with a backlog cannot make another owner wait behind it.
 */
export class FairQueue<T> {
  /** Owners with waiting jobs, in serving order; the head is served next. */
  private readonly ring: string[] = []
  private readonly queues = new Map<string, T[]>()
  /** Jobs taken by next() and not yet done(), per owner. */
  private readonly active = new Map<string, number>()
  private total = 0

  /** Adds a job at the end of `owner`'s queue. */
  push(owner: string, job: T): void {
    const q = this.queues.get(owner)
    if (q) q.push(job)
    else {
      this.queues.set(owner, [job])
      this.ring.push(owner)
    }
    this.total++
  }

  /** The next job, from the next owner in turn; the owner goes to the back of the ring. */
  next(): T | undefined {
    const owner = this.ring.shift()
    if (owner === undefined) return undefined
    const q = this.queues.get(owner)!
    const job = q.shift()!
    this.total--
    if (q.length > 0) this.ring.push(owner)
    else this.queues.delete(owner)
    this.active.set(owner, (this.active.get(owner) ?? 0) + 1)
    return job
  }

  /** A job of `owner` taken by next() has finished. */
  done(owner: string): void {
    const n = (this.active.get(owner) ?? 1) - 1
    if (n > 0) this.active.set(owner, n)
    else this.active.delete(owner)
  }

  /** Jobs of `owner` waiting or running. */
  count(owner: string): number {
    return (this.queues.get(owner)?.length ?? 0) + (this.active.get(owner) ?? 0)
  }

  /** Jobs waiting, all owners. */
  waiting(): number {
    return this.total
  }

  /** Removes and returns every waiting job. */
  drain(): T[] {
    const all = this.ring.flatMap((o) => this.queues.get(o) ?? [])
    this.ring.length = 0
    this.queues.clear()
    this.total = 0
    return all
  }
}
