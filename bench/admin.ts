/**
 * bench: the admin API over plain HTTP on 127.0.0.1 with `Host: localhost` and the operator
 * ADMIN_TOKEN: the small setup's domains, the 10,000-domain creation figure, and the policy
 * writer that runs while keep-alive fetches are measured.
 */
import { Agent, request } from 'node:http'
import { domainOf, MAX_AGE, policyFor } from './seed.js'
import { sleep } from './tools.js'

export interface Api {
  port: number
  token: string
  agent: Agent
}

export const apiOf = (port: number, token: string): Api => ({
  port,
  token,
  agent: new Agent({ keepAlive: true, maxSockets: 64 }),
})

export function call(api: Api, method: string, path: string, body?: unknown): Promise<unknown> {
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: api.port,
        method,
        path: `/api/v1${path}`,
        agent: api.agent,
        headers: {
          host: 'localhost',
          authorization: `Bearer ${api.token}`,
          ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}),
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (text += d))
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 300) {
            reject(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`))
          } else resolve(text ? JSON.parse(text) : null)
        })
      },
    )
    req.on('error', reject)
    req.end(data)
  })
}

/** Resolves once the admin API answers (the server has started); `attempts` 50 ms apart. */
export async function waitApi(api: Api, attempts = 600): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await call(api, 'GET', '/tenants')
      return
    } catch (err) {
      if (i > attempts) throw err
      await sleep(50)
    }
  }
}

export async function createTenant(api: Api, name: string): Promise<string> {
  const t = (await call(api, 'POST', '/tenants', { name })) as { id: string }
  return t.id
}

/** POST /domains then PUT /domains/<name>/mta-sts, as a customer would. */
export async function addDomainWithPolicy(api: Api, tenantId: string, i: number): Promise<void> {
  await call(api, 'POST', '/domains', { name: domainOf(i), tenantId })
  await call(api, 'PUT', `/domains/${domainOf(i)}/mta-sts`, policyFor(i))
}

export interface Bulk {
  done: number
  ms: number
  finished: boolean
}

/** Creates domains `from..to` with `concurrency` clients; stops early after `capMs`. */
export async function createMany(
  api: Api,
  tenantId: string,
  from: number,
  to: number,
  concurrency: number,
  capMs: number,
): Promise<Bulk> {
  const t0 = performance.now()
  let next = from
  let done = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next <= to && performance.now() - t0 < capMs) {
        await addDomainWithPolicy(api, tenantId, next++)
        done++
      }
    }),
  )
  return { done, ms: performance.now() - t0, finished: done === to - from + 1 }
}

/**
 * Changes policies (a new mx each time, so the text and id really change) at `perSecond`
 * until `stop` resolves; returns how many writes were made and their median latency.
 */
export async function writer(
  api: Api,
  hosts: number,
  perSecond: number,
  stop: Promise<unknown>,
): Promise<{ writes: number; medianMs: number }> {
  let stopped = false
  void stop.then(() => (stopped = true))
  const lat: number[] = []
  const gap = 1000 / perSecond
  for (let k = 0; !stopped; k++) {
    const t = performance.now()
    const i = 1 + Math.floor(Math.random() * hosts)
    const policy = { ...policyFor(i), mx: [`mx${k}.${domainOf(i)}`], maxAge: MAX_AGE }
    await call(api, 'PUT', `/domains/${domainOf(i)}/mta-sts`, policy)
    lat.push(performance.now() - t)
    await sleep(Math.max(0, gap - (performance.now() - t)))
  }
  lat.sort((a, b) => a - b)
  return { writes: lat.length, medianMs: lat[Math.floor(lat.length / 2)] ?? 0 }
}

/** Runs `load` while `writer` changes policies; returns the run and the writer's figures. */
export async function withWriter<T>(
  api: Api,
  hosts: number,
  perSecond: number,
  load: () => Promise<T>,
): Promise<{ run: T; writes: number; medianMs: number }> {
  let done: () => void = () => undefined
  const w = writer(api, hosts, perSecond, new Promise<void>((r) => (done = r)))
  let run: T
  try {
    run = await load()
  } finally {
    done()
  }
  return { run, ...(await w) }
}
