/**
 * Child processes for the e2e harness: spawn, keep the last lines of output, wait until ready,
 * stop (SIGTERM, then SIGKILL). Only processes started here are ever signalled.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/** Lines kept per process: enough to explain a failed start, small enough to print whole. */
const RING_LINES = 5000
/** Time a child gets to exit on SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000
/** Poll interval while waiting for readiness: short, as the parts start in well under a second. */
const POLL_MS = 50

export interface SpawnOptions {
  cwd?: string
  env?: Record<string, string | undefined>
}

/** One child process with its recent output. */
export class Managed {
  readonly child: ChildProcess
  private readonly lines: string[] = []
  /** Lines seen since start, including those dropped from the ring. */
  private total = 0
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined
  private readonly exited: Promise<void>

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    options: SpawnOptions = {},
  ) {
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    for (const stream of [this.child.stdout, this.child.stderr]) {
      // Chunks can end mid-line: keep the tail until its newline (or the end) arrives.
      let partial = ''
      stream?.setEncoding('utf8')
      stream?.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n')
        partial = parts.pop() ?? ''
        parts.forEach((line) => this.record(line))
      })
      stream?.on('end', () => partial !== '' && this.record(partial))
    }
    this.exited = new Promise((resolve) => {
      this.child.on('error', (error) => {
        this.record(`spawn error: ${error.message}`)
        this.exitInfo ??= { code: null, signal: null }
        resolve()
      })
      this.child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal }
        resolve()
      })
    })
  }

  private record(line: string): void {
    if (line === '') return
    this.lines.push(line)
    this.total++
    if (this.lines.length > RING_LINES) this.lines.shift()
  }

  /** The last lines of stdout and stderr, interleaved as they arrived. */
  logs(): string {
    return this.lines.join('\n')
  }

  /** A mark for `linesSince`: the number of lines seen so far. */
  mark(): number {
    return this.total
  }

  /** Lines that arrived after `mark` (as far as the ring still holds them). */
  linesSince(mark: number): string[] {
    return this.lines.slice(Math.max(0, this.lines.length - (this.total - mark)))
  }

  get running(): boolean {
    return this.exitInfo === undefined
  }

  /** Resolves once `ready()` is true; rejects with the logs on exit or timeout. */
  async waitFor(what: string, ready: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (!this.running) {
        throw new Error(
          `${this.name} exited (${JSON.stringify(this.exitInfo)}) before ${what}:\n${this.logs()}`,
        )
      }
      const ok = await Promise.resolve()
        .then(ready)
        .catch(() => false)
      if (ok === true) return
      if (Date.now() > deadline) {
        throw new Error(`${this.name}: no ${what} after ${timeoutMs} ms:\n${this.logs()}`)
      }
      await sleep(POLL_MS)
    }
  }

  /** Waits for a line of output matching `pattern`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void> {
    return this.waitFor(`log ${pattern}`, () => this.lines.some((l) => pattern.test(l)), timeoutMs)
  }

  /** Waits until a TCP connection to host:port succeeds. */
  waitForPort(port: number, host = '127.0.0.1', timeoutMs?: number): Promise<void> {
    return this.waitFor(`port ${host}:${port}`, () => tcpOpen(host, port), timeoutMs)
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once the child has exited. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    if (!this.running) return
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs)
    await this.exited
    clearTimeout(timer)
  }
}

/** Starts `command` and keeps its output; see `Managed`. */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options?: SpawnOptions,
): Managed {
  return new Managed(name, command, args, options)
}

/** True when a TCP connection to host:port is accepted. */
export function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a command to completion (killed after `timeoutMs`) and returns its output. */
export function run(
  command: string,
  args: string[],
  options: SpawnOptions & { timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 30_000,
      killSignal: 'SIGKILL',
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Like `run`, but throws (with the output) unless the exit code is 0. */
export async function runOk(
  command: string,
  args: string[],
  options?: SpawnOptions & { timeoutMs?: number },
): Promise<string> {
  const result = await run(command, args, options)
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.code}:\n${result.stdout}${result.stderr}`,
    )
  }
  return result.stdout
}
