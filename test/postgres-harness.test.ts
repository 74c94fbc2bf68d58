/**
 * The PostgreSQL 15 test harness itself (test/helpers/postgres.ts): a real server from Debian's
 * binaries, reached with node-postgres, that keeps its data across an outage and leaves nothing
 * behind — neither after `stop()` nor when the process that started it dies without calling it.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  SKIP_POSTGRES,
  SKIP_POSTGRES_NOTE,
  startPostgres,
  type TestPostgres,
} from './helpers/postgres.js'

/** How long a dead test process' leftovers may take to go (watchdog poll + immediate stop). */
const CLEANUP_DEADLINE_MS = 15_000

/** Resolves with the connect error's code, or 'CONNECTED' when something accepted. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve('CONNECTED')
    })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
  })
}

/**
 * Whether a process still runs. Not `kill(pid, 0)`: a postmaster that pg_ctl started is re-parented
 * to PID 1, and until that reaps it an exited one lingers as a zombie, which signal 0 still finds.
 */
function running(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (comm) S …"; the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

async function until(check: () => Promise<boolean>, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs
  while (Date.now() < end) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 200))
  }
  return check()
}

describe.skipIf(SKIP_POSTGRES)(`PostgreSQL 15 test harness${SKIP_POSTGRES_NOTE}`, () => {
  let server: TestPostgres
  let pool: pg.Pool

  beforeAll(async () => {
    server = await startPostgres()
    pool = new pg.Pool({ connectionString: server.url })
    // Idle clients see the outage as an error event; without a listener it would crash the run.
    pool.on('error', () => {})
  })

  afterAll(async () => {
    await pool?.end()
    await server?.stop()
  })

  test('when started, then PostgreSQL 15 serves database policyhost on its loopback port', async () => {
    const { rows } = await pool.query<{ version: string; db: string; addr: string; port: number }>(
      'select version(), current_database() as db, host(inet_server_addr()) as addr, ' +
        'inet_server_port() as port',
    )
    expect(rows[0]?.version).toContain('PostgreSQL 15')
    expect(rows[0]).toMatchObject({ db: 'policyhost', addr: '127.0.0.1', port: server.port })
    expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/policyhost`)
  })

  test('when a table is written, then the rows read back', async () => {
    await pool.query('create table tenant (id serial primary key, name text not null)')
    await pool.query('insert into tenant (name) values ($1), ($2)', ['acme', 'globex'])
    const { rows } = await pool.query('select name from tenant order by id')
    expect(rows).toEqual([{ name: 'acme' }, { name: 'globex' }])
  })

  test('when stopped for a while, then it refuses; when restarted, then the data is back', async () => {
    const before = server.pid()
    expect(before).not.toBeNull()
    await server.stopForAWhile()
    expect(server.pid()).toBeNull()
    expect(await tryConnect(server.port)).toBe('ECONNREFUSED')
    await expect(pool.query('select 1')).rejects.toThrow()

    await server.restart()
    expect(server.pid()).not.toBe(before)
    const { rows } = await pool.query('select name from tenant order by id')
    expect(rows).toEqual([{ name: 'acme' }, { name: 'globex' }])
  })

  test('when stopped, then the port refuses, the postmaster is gone and so is the folder', async () => {
    const other = await startPostgres()
    const pid = other.pid()
    expect(pid).not.toBeNull()
    expect(existsSync(other.dir)).toBe(true)
    expect(await tryConnect(other.port)).toBe('CONNECTED')

    await other.stop()
    expect(await tryConnect(other.port)).toBe('ECONNREFUSED')
    expect(running(pid!)).toBe(false)
    expect(existsSync(other.dir)).toBe(false)
    await other.stop() // a second stop is harmless
  })

  // A test process that dies without stop(): the exit hook handles process.exit, the watchdog a
  // kill that runs no JavaScript at all.
  test.each([
    // The exit hook runs before the process is gone: nothing may be left at that very moment.
    { how: 'exits without calling stop()', end: 'exit', deadlineMs: 0 },
    { how: 'is killed with SIGKILL', end: 'kill', deadlineMs: CLEANUP_DEADLINE_MS },
  ])('when the process that started it $how, then nothing is left', async ({ end, deadlineMs }) => {
    const scratch = mkdtempSync(join(tmpdir(), 'policyhost-pg-child-'))
    try {
      const helper = pathToFileURL(join(import.meta.dirname, 'helpers', 'postgres.ts')).href
      const script = join(scratch, 'child.mts')
      writeFileSync(
        script,
        `import { startPostgres } from ${JSON.stringify(helper)}\n` +
          `const s = await startPostgres()\n` +
          `console.log(JSON.stringify({ dir: s.dir, port: s.port, pid: s.pid() }))\n` +
          (end === 'exit' ? 'process.exit(0)\n' : 'setInterval(() => {}, 1000)\n'),
      )
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      let out = ''
      const started = await new Promise<{ dir: string; port: number; pid: number }>(
        (resolve, reject) => {
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString('utf8')
            if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))))
          })
          child.once('exit', (code) => reject(new Error(`child exited (${code}): ${out}`)))
        },
      )
      if (end === 'kill') child.kill('SIGKILL')
      await exited

      const gone = await until(
        async () =>
          !existsSync(started.dir) &&
          !running(started.pid) &&
          (await tryConnect(started.port)) === 'ECONNREFUSED',
        deadlineMs,
      )
      expect(gone).toBe(true)
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  })
})
