/**
 * bench: profiles a running server without restarting it. SIGUSR1 opens its inspector on
 * 127.0.0.1:9229; over the DevTools protocol this helper starts the V8 CPU profiler (the same
 * sampler as `node --cpu-prof`, 1 ms), prints READY, and on a line on stdin stops it and writes
 * the profile (`.cpuprofile` format) to the given file. Needs `node --experimental-websocket`.
 *
 *   node --experimental-websocket --import tsx bench/inspect.ts <pid> <out.cpuprofile>
 */
import { writeFileSync } from 'node:fs'

const [pidArg, out] = process.argv.slice(2)
const pid = Number(pidArg)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function target(): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      const list = (await (await fetch('http://127.0.0.1:9229/json/list')).json()) as Array<{
        webSocketDebuggerUrl: string
      }>
      if (list[0]) return list[0].webSocketDebuggerUrl
    } catch (err) {
      if (i > 100) throw err
    }
    await sleep(50)
  }
}

async function main(): Promise<void> {
  process.kill(pid, 'SIGUSR1')
  const ws = new WebSocket(await target())
  await new Promise((resolve, reject) => {
    ws.onopen = resolve
    ws.onerror = reject
  })
  const pending = new Map<number, (m: { result?: unknown; error?: { message: string } }) => void>()
  ws.onmessage = (e: MessageEvent) => {
    const m = JSON.parse(String(e.data)) as { id?: number; result?: unknown }
    if (m.id !== undefined) pending.get(m.id)?.(m)
  }
  let id = 0
  const send = <T>(method: string, params: object = {}): Promise<T> =>
    new Promise((resolve, reject) => {
      const n = ++id
      pending.set(n, (m) => (m.error ? reject(new Error(m.error.message)) : resolve(m.result as T)))
      ws.send(JSON.stringify({ id: n, method, params }))
    })
  const who = await send<{ result: { value: number } }>('Runtime.evaluate', {
    expression: 'process.pid',
    returnByValue: true,
  })
  if (who.result.value !== pid) throw new Error(`port 9229 belongs to pid ${who.result.value}`)
  await send('Profiler.enable')
  await send('Profiler.setSamplingInterval', { interval: 1000 })
  await send('Profiler.start')
  process.stdout.write('READY\n')
  await new Promise((r) => process.stdin.once('data', r))
  const { profile } = await send<{ profile: unknown }>('Profiler.stop')
  writeFileSync(out!, JSON.stringify(profile))
  ws.close()
  process.exit(0)
}

main().catch((err: Error) => {
  process.stderr.write(`inspect: ${err.message}\n`)
  process.exit(1)
})
