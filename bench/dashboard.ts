/**
 * Row 12 (issue 14): the dashboard's domains list on the large data set (every domain in one
 * tenant, more than the 10,000): the first page, a search, and a page deep in the
 * keyset — each rendered in full through the app (session, query, HTML), against the admin
 * API's JSON page of the same domains as the reference.
 */
import { SYSTEM_ACTOR } from '../src/core/actor.js'
import { createApp } from '../src/http/app.js'
import { httpDepsOf } from '../src/runtime/http-deps.js'
import { openRuntime, systemClock } from '../src/runtime/open.js'
import { createToken } from '../src/services/auth/tokens.js'
import { signIn } from '../src/services/auth/web-sessions.js'
import { HealthMonitor } from '../src/services/engines/health.js'
import type { Ctx } from './ctx.js'
import { f1, median } from './report.js'
import { configFor } from './seed.js'

const RUNS = 15
/** A page must feel instant: well under a human's 100 ms threshold for "immediate". */
const TARGET_MS = 100

export async function dashboardRows(ctx: Ctx, dataDir: string): Promise<void> {
  const rt = await openRuntime(configFor(dataDir), { oneShot: true })
  try {
    const tenant = await rt.deps.repos.tenants.byName('bench')
    if (!tenant) throw new Error('bench tenant missing: seed the large data first')
    const { token } = await createToken(rt.deps, SYSTEM_ACTOR, {
      label: 'bench dashboard',
      tenantId: tenant.id,
    })
    const { secret } = await signIn(rt.deps, token)
    const health = new HealthMonitor(
      {
        listening: () => true,
        database: rt.store.probe,
        scheduler: () => null,
        workers: () => null,
        dns: () => null,
        policies: () => 0,
      },
      systemClock,
    )
    const app = createApp(httpDepsOf(rt, health), 'https')
    const host = rt.config.SERVICE_HOST
    const time = async (path: string, headers: Record<string, string>): Promise<number> => {
      const ms: number[] = []
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now()
        const res = await app.request(path, { headers: { host, ...headers } })
        await res.arrayBuffer()
        if (res.status !== 200) throw new Error(`${path}: ${res.status}`)
        ms.push(performance.now() - t0)
      }
      return median(ms.slice(2))
    }
    const page = (path: string) => time(path, { cookie: `__Host-policyhost_session=${secret}` })
    const api = await time('/api/v1/domains?limit=50', { authorization: `Bearer ${token}` })
    const domains = await rt.deps.repos.domains.list(tenant.id, { after: null, limit: 1 })
    const middle = await rt.deps.repos.domains.list(tenant.id, {
      after: { name: domains[0]!.name, id: domains[0]!.id },
      limit: Math.floor(ctx.domains / 2),
    })
    const deep = middle[middle.length - 1]!
    const cursor = Buffer.from(`${deep.name} ${deep.id}`).toString('base64url')
    const rows: [string, string, number][] = [
      ['12a', 'the first page of 50', await page('/domains')],
      // One match: the search reads every domain of the tenant to fill no more than one row.
      ['12b', 'a search matching one domain', await page(`/domains?q=${deep.name}`)],
      ['12c', 'a page of 50 half-way (keyset)', await page(`/domains?after=${cursor}`)],
    ]
    for (const [n, what, ms] of rows) {
      ctx.table.add({
        n,
        figure: `dashboard /domains, ${what}, with each row's state, rendered`,
        setup: `L data (${ctx.domains} domains, one tenant), app.request, median of ${RUNS - 2}`,
        ours: `${f1(ms)} ms`,
        ref: `API GET /domains?limit=50 ${f1(api)} ms`,
        ratio: ms / api,
        target: `<= ${TARGET_MS} ms`,
        ok: ms <= TARGET_MS,
      })
    }
  } finally {
    rt.close()
  }
}
