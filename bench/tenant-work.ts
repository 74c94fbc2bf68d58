/**
 * bench, row 9 (issue 9 point 2): policy-fetch p99 over HTTPS while 4 tenants keep the SVG
 * converter busy with finding 1's input at the deepest nesting the converter accepts (so every
 * request reaches the worker pool), against the idle p99 measured in the same run. Runnable
 * alone: `BENCH_ONLY=tenant-work npm run bench` (well under a minute).
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { join } from 'node:path'
import { FINDING_1_BOUNDED_SVG } from '../test/helpers/heavy-svg.js'
import { addDomainWithPolicy, apiOf, call } from './admin.js'
import type { Ctx } from './ctx.js'
import { f0, f1, f2 } from './report.js'
import { hostOf } from './seed.js'
import { policyRequest, startOurs, waitPolicy } from './server.js'
import { log, sleep } from './tools.js'

const CONVERTERS = 4
/** Policy fetches per second, one keep-alive connection: enough samples for a p99 in seconds. */
const PROBE_RATE = 100

const p = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!
}

/** One keep-alive HTTPS client fetching the policy at PROBE_RATE until `until`. */
async function probe(port: number, host: string, until: number): Promise<number[]> {
  const agent = new HttpsAgent({ keepAlive: true, maxSockets: 1 })
  const ms: number[] = []
  for (let next = performance.now(); performance.now() < until; next += 1000 / PROBE_RATE) {
    await sleep(Math.max(0, next - performance.now()))
    const t = performance.now()
    await new Promise<void>((resolve, reject) => {
      const req = httpsRequest(policyRequest(port, host, agent), (res) => {
        res.resume()
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`${res.statusCode}`)),
        )
      })
      req.on('error', reject)
      req.end()
    })
    ms.push(performance.now() - t)
  }
  agent.destroy()
  return ms
}

interface Converted {
  statuses: Map<number, number>
  ms: number[]
}

/** A tenant's client converting `svg` back to back on the admin API until `until`. */
async function converter(port: number, token: string, svg: string, until: number, out: Converted) {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 })
  const body = Buffer.from(svg)
  while (performance.now() < until) {
    const t = performance.now()
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/bimi/convert',
          agent,
          headers: {
            host: 'localhost',
            authorization: `Bearer ${token}`,
            'content-type': 'image/svg+xml',
            'content-length': body.length,
          },
        },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        },
      )
      req.on('error', reject)
      req.end(body)
    })
    out.statuses.set(status, (out.statuses.get(status) ?? 0) + 1)
    if (status === 200) out.ms.push(performance.now() - t)
    // A refusal (429/503) is cheap; back off as its Retry-After asks rather than spin.
    else await sleep(1000)
  }
  agent.destroy()
}

export async function tenantWorkSetup(ctx: Ctx, token: string): Promise<void> {
  const seconds = Number(process.env.BENCH_TENANT_WORK_SECONDS ?? 10)
  const dataDir = join(ctx.workDir, 'tenant-work')
  const ours = await startOurs({
    entry: ctx.entry,
    dataDir,
    workDir: ctx.workDir,
    token,
    label: 'tenant-work',
  })
  try {
    const api = apiOf(ours.httpPort, token)
    for (let i = 0; ; i++) {
      const ok = await call(api, 'GET', '/tenants').then(
        () => true,
        () => false,
      )
      if (ok) break
      if (i > 600) throw new Error('the admin API never answered')
      await sleep(50)
    }
    const reader = (await call(api, 'POST', '/tenants', { name: 'reader' })) as { id: string }
    await addDomainWithPolicy(api, reader.id, 1)
    await waitPolicy(ours, hostOf(1), 60_000)
    const tokens: string[] = []
    for (let i = 0; i < CONVERTERS; i++) {
      tokens.push(
        ((await call(api, 'POST', '/tenants', { name: `svg${i}` })) as { token: string }).token,
      )
    }
    // Warm-up: worker threads start and JIT the converter before anything is measured.
    const warm: Converted = { statuses: new Map(), ms: [] }
    const warmUntil = performance.now() + 3_000
    await Promise.all(
      tokens.map((t) => converter(ours.httpPort, t, FINDING_1_BOUNDED_SVG, warmUntil, warm)),
    )
    await probe(ours.httpsPort, hostOf(1), performance.now() + 1_000)

    log(`tenant work: idle policy fetches for ${seconds} s`)
    const idle = await probe(ours.httpsPort, hostOf(1), performance.now() + seconds * 1000)
    log(`tenant work: policy fetches for ${seconds} s while ${CONVERTERS} tenants convert`)
    const until = performance.now() + seconds * 1000
    const busy: Converted = { statuses: new Map(), ms: [] }
    const [loaded] = await Promise.all([
      probe(ours.httpsPort, hostOf(1), until),
      ...tokens.map((t) => converter(ours.httpPort, t, FINDING_1_BOUNDED_SVG, until, busy)),
    ])
    const idleP99 = p(idle, 0.99)
    const loadedP99 = p(loaded, 0.99)
    const statuses = [...busy.statuses].map(([s, n]) => `${n} x ${s}`).join(', ')
    log(
      `tenant work: idle p50 ${f2(p(idle, 0.5))} / p99 ${f2(idleP99)} ms (${idle.length}); loaded p50 ${f2(p(loaded, 0.5))} / p99 ${f2(loadedP99)} ms (${loaded.length}); conversions ${statuses}`,
    )
    const ratio = loadedP99 / idleP99
    ctx.table.add({
      n: '9a',
      figure: `policy fetch p99 while ${CONVERTERS} tenants convert finding 1 (depth 56)`,
      setup: `1 keep-alive HTTPS client at ${PROBE_RATE}/s, ${seconds} s each`,
      ours: `${f2(loadedP99)} ms`,
      ref: `idle p99 ${f2(idleP99)} ms`,
      ratio,
      target: '<= 2x idle',
      ok: ratio <= 2,
    })
    ctx.notes.push(
      `9a/9b: the probe and the ${CONVERTERS} converting tenants (one keep-alive client each, on the plain HTTP admin API) run in the bench process; the server, its serving loop and its worker threads share the server core. Idle and loaded series are measured back to back after a 3 s warm-up; a refused conversion (429/503) waits 1 s before the next.`,
    )
    const done = busy.ms.length
    ctx.table.add({
      n: '9b',
      figure: 'conversions during 9a (worker pool, default settings)',
      setup: `${CONVERTERS} tenants back to back, ${FINDING_1_BOUNDED_SVG.length} B input`,
      ours: `${f1(done / seconds)}/s, p50 ${f0(p(busy.ms, 0.5))} ms`,
      ref: statuses,
    })
  } finally {
    await ours.stop()
  }
}
