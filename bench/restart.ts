/**
 * bench, row 10 (issue 10 point 8): `npm start` with nothing changed since the last build, from
 * spawn to `/readyz` 200 (both listeners, database, snapshot), on a data dir that already has
 * its database and local CA (the first start, which creates them, is not counted). Reference:
 * a bare node HTTP server from spawn to its first answer, on the same machine in the same run.
 * Runnable alone: `BENCH_ONLY=restart npm run bench` (well under a minute).
 */
import { request } from 'node:http'
import { join } from 'node:path'
import type { Ctx } from './ctx.js'
import { f0, median } from './report.js'
import { freePort, ROOT } from './server.js'
import { exited, log, sleep, start } from './tools.js'

const RUNS = 5

/** Polls `http://localhost:port/path` until it answers 200; resolves with the ms it took. */
async function untilOk(port: number, path: string, t0: number, limitMs = 60_000): Promise<number> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request(
        { host: '127.0.0.1', port, path, headers: { host: 'localhost' } },
        (r) => {
          r.resume()
          resolve(r.statusCode === 200)
        },
      )
      req.on('error', () => resolve(false))
      req.end()
    })
    if (ok) return performance.now() - t0
    if (performance.now() - t0 > limitMs) throw new Error(`no 200 on ${path} after ${limitMs} ms`)
    await sleep(10)
  }
}

/**
 * Spawns `argv` in its own process group and times it to a 200 on `path`, then stops the whole
 * group: `npm start` runs the server under a shell, which does not pass SIGTERM on.
 */
async function timedStart(argv: string[], env: NodeJS.ProcessEnv, port: number, path: string) {
  const t0 = performance.now()
  const child = start(argv, { cwd: ROOT, env, stdio: 'ignore', detached: true })
  try {
    return await untilOk(port, path, t0)
  } finally {
    process.kill(-child.pid!, 'SIGTERM')
    await exited(child)
    // The group's last member (the server) may outlive npm by its graceful close.
    while (await answers(port)) await sleep(20)
  }
}

/** Whether anything still accepts connections on `port`. */
const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 500 }, (r) => {
      r.resume()
      resolve(true)
    })
    req.on('error', () => resolve(false))
    req.end()
  })

export async function restartSetup(ctx: Ctx): Promise<void> {
  const [http, https] = [await freePort(), await freePort()]
  const env = {
    ...process.env,
    DATA_DIR: join(ctx.workDir, 'restart'),
    HTTP_PORT: String(http),
    HTTPS_PORT: String(https),
    BIND_ADDRESS: '127.0.0.1',
    LOG_LEVEL: 'warn',
  }
  const npmStart = ['npm', 'start', '--silent']
  log('restart: first start (creates the database and the local CA root; not counted)')
  await timedStart(npmStart, env, http, '/readyz')
  const ours: number[] = []
  const floor: number[] = []
  const bare = `require('http').createServer((q, s) => s.end('ok')).listen(${http}, '127.0.0.1')`
  for (let i = 0; i < RUNS; i++) {
    ours.push(await timedStart(npmStart, env, http, '/readyz'))
    floor.push(await timedStart(['node', '-e', bare], env, http, '/'))
    log(`  restart #${i + 1}: npm start ${f0(ours[i]!)} ms, bare node ${f0(floor[i]!)} ms`)
  }
  const ms = median(ours)
  const ref = median(floor)
  ctx.table.add({
    n: '10',
    figure: 'npm start, nothing changed: spawn to /readyz 200',
    setup: `demo policies/, existing DATA_DIR, median of ${RUNS}`,
    ours: `${f0(ms)} ms`,
    ref: `bare node http server ${f0(ref)} ms`,
    ratio: ms / ref,
    target: '<= 3000 ms',
    ok: ms <= 3000,
  })
}
