/**
 * bench, issue 15 (c)-(d): the write load on the admin API and the propagation probe. Writers
 * PUT a changed policy (a new mx, so a new text and id) on their own domain as fast as the API
 * answers; the probe changes one policy through one instance and polls every instance's HTTPS
 * policy URL (SNI = Host = mta-sts.<domain>) until each serves the new text.
 */
import { Agent, request } from 'node:https'
import { call, type Api } from './admin.js'
import { domainOf, hostOf, MAX_AGE, policyFor } from './seed.js'
import { policyRequest } from './server.js'
import { sleep } from './tools.js'

export interface Writes {
  writes: number
  perSecond: number
  p50ms: number
  p99ms: number
  errors: number
  /** Per process group `cpu()` reads: its CPU ms per write over the run. */
  cpuMsPerWrite: number[]
}

/** The p-th percentile of ascending `sorted` (NaN when empty). */
export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN

/** A policy for domain `i` whose first mx names `tag`: the text, and so the id, change. */
const changed = (i: number, tag: string) => ({
  ...policyFor(i),
  mx: [`mx-${tag}.${domainOf(i)}`, '*.mx.bench-provider.example'],
  maxAge: MAX_AGE,
})

/**
 * `clients` concurrent writers for `seconds`: writer k changes domain k+1 only (no two writers
 * contend for one row) through `apis[k % apis.length]`, so writes spread over the instances.
 * `cpu` reads the CPU seconds of each process group whose cost per write is wanted.
 */
export async function apiWrites(
  apis: Api[],
  clients: number,
  seconds: number,
  run: string,
  cpu: () => number[] = () => [],
): Promise<Writes> {
  const lat: number[] = []
  const cpu0 = cpu()
  let errors = 0
  const t0 = performance.now()
  const end = t0 + seconds * 1000
  await Promise.all(
    Array.from({ length: clients }, async (_, k) => {
      const api = apis[k % apis.length]!
      for (let n = 0; performance.now() < end; n++) {
        const t = performance.now()
        try {
          await call(
            api,
            'PUT',
            `/domains/${domainOf(k + 1)}/mta-sts`,
            changed(k + 1, `${run}-${n}`),
          )
          lat.push(performance.now() - t)
        } catch {
          errors++
        }
      }
    }),
  )
  const wallS = (performance.now() - t0) / 1000
  const cpu1 = cpu()
  lat.sort((a, b) => a - b)
  return {
    writes: lat.length,
    perSecond: lat.length / wallS,
    p50ms: percentile(lat, 50),
    p99ms: percentile(lat, 99),
    errors,
    cpuMsPerWrite: cpu1.map((c, i) => (1000 * (c - cpu0[i]!)) / Math.max(1, lat.length)),
  }
}

/** GET the policy over a kept-alive connection (polling must not measure handshakes). */
function getPolicy(agent: Agent, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ ...policyRequest(port, host, agent), timeout: 5000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => resolve(res.statusCode === 200 ? body : ''))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })
}

export interface Target {
  api: Api
  httpsPort: number
}

export interface Propagation {
  /** Per change: ms from the PUT's answer until the last instance served the new text. */
  lastMs: number[]
  /** Per change and instance other than the one written through: ms until it served it. */
  othersMs: number[]
  /** Changes some instance still did not serve after `maxMs`. */
  missed: number
}

/** Time between polls of one instance: the resolution of the figure, at little load. */
const POLL_GAP_MS = 2

/**
 * `changes` policy changes, each on a random one of `domains` domains through a random
 * instance; after each PUT answers, polls every instance until it serves the new mx.
 */
export async function propagation(
  targets: Target[],
  domains: number,
  changes: number,
  maxMs = 30_000,
): Promise<Propagation> {
  const agents = targets.map(() => new Agent({ keepAlive: true, maxSockets: 1 }))
  const out: Propagation = { lastMs: [], othersMs: [], missed: 0 }
  for (let c = 0; c < changes; c++) {
    const i = 1 + Math.floor(Math.random() * domains)
    const via = Math.floor(Math.random() * targets.length)
    const tag = `prop-${c}-${Date.now()}`
    await call(targets[via]!.api, 'PUT', `/domains/${domainOf(i)}/mta-sts`, changed(i, tag))
    const t0 = performance.now()
    const seen = await Promise.all(
      targets.map(async (t, k) => {
        for (;;) {
          const body = await getPolicy(agents[k]!, t.httpsPort, hostOf(i)).catch(() => '')
          const ms = performance.now() - t0
          if (body.includes(`mx-${tag}.`)) return ms
          if (ms > maxMs) return Infinity
          await sleep(POLL_GAP_MS)
        }
      }),
    )
    const last = Math.max(...seen)
    if (last === Infinity) out.missed++
    else out.lastMs.push(last)
    out.othersMs.push(...seen.filter((ms, k) => k !== via && ms !== Infinity))
  }
  for (const a of agents) a.destroy()
  return out
}
