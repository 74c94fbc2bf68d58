/**
 * A real, throwaway PostgreSQL 15 for tests (issue 15): Debian's server binaries (installed by
 * scripts/test-deps.sh), a fresh cluster in a temporary folder, listening on 127.0.0.1 on a free
 * port only, with database `policyhost`. PostgreSQL refuses to run as root, so when the tests run
 * as root every server command runs as the `postgres` user. Nothing outlives the test process:
 * an exit hook and a detached watchdog (for a process that is killed) stop it and remove it.
 */
import { execFile, execFileSync, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'

const run = promisify(execFile)

/** Debian keeps a major's server binaries here, off the PATH (package postgresql-15). */
export const PG_BIN = '/usr/lib/postgresql/15/bin'
const PG_CTL = join(PG_BIN, 'pg_ctl')
const RUNUSER = '/usr/sbin/runuser'
const IS_ROOT = process.getuid?.() === 0

/**
 * Whether this run may skip the PostgreSQL tests: only a developer without the binaries and
 * without root. CI and root must run them (`npm test` runs scripts/test-deps.sh first).
 */
export const SKIP_POSTGRES =
  !existsSync(join(PG_BIN, 'initdb')) && process.env.CI === undefined && !IS_ROOT
/** Appended to a suite's name when it is skipped, so the report says why. */
export const SKIP_POSTGRES_NOTE = SKIP_POSTGRES
  ? ` (SKIPPED: no ${PG_BIN}/initdb; sudo apt-get install postgresql-15)`
  : ''

/** Start and stop waits (pg_ctl -t, seconds): initdb and recovery on a busy 2-core machine. */
const PG_CTL_TIMEOUT_S = '60'
/** Fresh ports tried when the one picked was taken between picking and binding. */
const START_ATTEMPTS = 3
/** How often the watchdog checks that the test process is still alive, in seconds. */
const WATCHDOG_POLL_S = 1

export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/policyhost` (trust authentication). */
  url: string
  port: number
  /** The temporary folder: cluster (`data/`), log and Unix socket. Gone after `stop()`. */
  dir: string
  /** Process id of the running postmaster, or null while stopped. */
  pid(): number | null
  /** Fast shutdown (clients disconnected, data kept), for outage tests; `restart()` undoes it. */
  stopForAWhile(): Promise<void>
  /** Starts the same cluster again on the same port. */
  restart(): Promise<void>
  /** Immediate shutdown, then the folder is removed. Safe to call twice. */
  stop(): Promise<void>
}

/** argv for a server command: as `postgres` when we are root, else as ourselves. */
function asServerUser(cmd: string, args: string[]): [string, string[]] {
  return IS_ROOT ? [RUNUSER, ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]
}

async function serverRun(cmd: string, args: string[], cwd: string): Promise<void> {
  const [file, argv] = asServerUser(cmd, args)
  await run(file, argv, { cwd, maxBuffer: 4 << 20 })
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** A folder the server user owns and can reach (falls back to /tmp when TMPDIR is private). */
async function makeDir(): Promise<string> {
  if (!IS_ROOT) return mkdtempSync(join(tmpdir(), 'policyhost-pg-'))
  const { stdout: uid } = await run('id', ['-u', 'postgres'])
  const { stdout: gid } = await run('id', ['-g', 'postgres'])
  for (const base of [tmpdir(), '/tmp']) {
    const dir = mkdtempSync(join(base, 'policyhost-pg-'))
    chownSync(dir, Number(uid.trim()), Number(gid.trim()))
    try {
      // A parent that is root's alone (test/e2e/run.sh's TMPDIR is mode 700) hides it.
      await run(RUNUSER, ['-u', 'postgres', '--', 'test', '-w', dir])
      return dir
    } catch {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  throw new Error('no temporary folder the postgres user can write')
}

function readPid(dataDir: string): number | null {
  try {
    // The first line of postmaster.pid is the postmaster's process id.
    const [first] = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')
    const pid = Number(first)
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

/**
 * A detached shell that outlives a killed test process (SIGKILL, a worker torn down on timeout)
 * and then does what `stop()` would have done. `stop()` ends it first.
 */
function startWatchdog(dir: string, dataDir: string): number | undefined {
  const [file, argv] = asServerUser(PG_CTL, ['stop', '-D', dataDir, '-m', 'immediate', '-w'])
  const script = [
    `while kill -0 "$1" 2>/dev/null; do sleep ${WATCHDOG_POLL_S}; done`,
    'shift; dir=$1; shift',
    '"$@" >/dev/null 2>&1',
    'rm -rf "$dir"',
  ].join('\n')
  const child = spawn(
    'sh',
    ['-c', script, 'pg-watchdog', String(process.pid), dir, file, ...argv],
    {
      detached: true,
      stdio: 'ignore',
    },
  )
  child.unref()
  return child.pid
}

function endWatchdog(pid: number | undefined): void {
  try {
    if (pid !== undefined) process.kill(pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

export interface StartPostgresOptions {
  /** fsync, synchronous commit and full page writes on, as a deployment runs (the bench). */
  durable?: boolean
  /** More server settings, as `-c name=value` (the bench's pg_stat_statements). */
  settings?: string[]
}

/** initdb into a new temporary folder, start on a free loopback port, create `policyhost`. */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<TestPostgres> {
  const dir = await makeDir()
  const dataDir = join(dir, 'data')
  const logFile = join(dir, 'postgres.log')
  let stopped = false
  let watchdog: number | undefined

  // Synchronous, as 'exit' allows: a test that throws before its afterAll leaves nothing behind.
  const onExit = (): void => {
    const [file, argv] = asServerUser(PG_CTL, ['stop', '-D', dataDir, '-m', 'immediate', '-w'])
    try {
      execFileSync(file, argv, { stdio: 'ignore', cwd: dir })
    } catch {
      // Not running: nothing to stop.
    }
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', onExit)
  try {
    await serverRun(
      join(PG_BIN, 'initdb'),
      ['-D', dataDir, '--auth=trust', '--username=postgres', '-E', 'UTF8', '--locale=C.UTF-8']
        // No fsync of the new cluster: it is thrown away with the test.
        .concat(['--no-sync', '--no-instructions']),
      dir,
    )
    watchdog = startWatchdog(dir, dataDir)

    const pgCtlStart = (port: number): Promise<void> => {
      // Durability off: a test cluster never has to survive a power cut, and every commit would
      // otherwise wait for the disk the other suites are using.
      const options = [
        `-k '${dir}' -p ${port} -c listen_addresses=127.0.0.1`,
        ...(opts.durable ? [] : ['-c fsync=off -c synchronous_commit=off -c full_page_writes=off']),
        ...(opts.settings ?? []).map((s) => `-c ${s}`),
      ].join(' ')
      const args = ['start', '-D', dataDir, '-l', logFile, '-w', '-t', PG_CTL_TIMEOUT_S]
      return serverRun(PG_CTL, [...args, '-o', options], dir)
    }

    let port = 0
    for (let attempt = 1; ; attempt++) {
      port = await freePort()
      try {
        await pgCtlStart(port)
        break
      } catch (err) {
        if (attempt >= START_ATTEMPTS) throw withLog(err, logFile)
      }
    }

    const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
    await admin.connect()
    try {
      await admin.query('create database policyhost')
    } finally {
      await admin.end()
    }

    const pgCtlStop = (mode: 'fast' | 'immediate'): Promise<void> =>
      serverRun(PG_CTL, ['stop', '-D', dataDir, '-m', mode, '-w', '-t', PG_CTL_TIMEOUT_S], dir)

    return {
      url: `postgres://postgres@127.0.0.1:${port}/policyhost`,
      port,
      dir,
      pid: () => readPid(dataDir),
      stopForAWhile: () => pgCtlStop('fast'),
      restart: () =>
        pgCtlStart(port).catch((err: unknown) => Promise.reject(withLog(err, logFile))),
      async stop() {
        if (stopped) return
        stopped = true
        endWatchdog(watchdog)
        if (readPid(dataDir) !== null) await pgCtlStop('immediate')
        rmSync(dir, { recursive: true, force: true })
        process.removeListener('exit', onExit)
      },
    }
  } catch (err) {
    endWatchdog(watchdog)
    onExit()
    process.removeListener('exit', onExit)
    throw err
  }
}

/** The server's own log explains a failed start far better than pg_ctl's exit status. */
function withLog(err: unknown, logFile: string): Error {
  let log = ''
  try {
    log = execFileSync('tail', ['-n', '20', logFile], { stdio: 'pipe' }).toString('utf8')
  } catch {
    // No log yet: the server never started.
  }
  const message = err instanceof Error ? err.message : String(err)
  return new Error(`${message}\n--- ${logFile} ---\n${log}`)
}
