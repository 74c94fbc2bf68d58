import { afterEach, describe, expect, it } from 'vitest'
import { decodeCursor } from '../../core/cursor.js'
import { policy, report } from '../../../test/fixtures/tlsrpt/report-builders.js'
import { serviceWorld, START, type ServiceWorld, failure } from '../../../test/helpers/services.js'
import { addDomain } from '../domains/domains.js'
import { RateLimiter } from '../engines/rate-limit.js'
import { setPolicy } from '../mta-sts/mta-sts.js'
import { receiveReport } from './report-intake.js'
import { setTlsRpt } from './tls-rpt.js'
import { domainTlsHealth, enforceAdvice, getReport, listReports } from './tls-reports.js'

let world: ServiceWorld
afterEach(() => world.close())

const DAY = 86_400_000
const day = (offset: number) => new Date(START.getTime() + offset * DAY).toISOString().slice(0, 10)

/** RFC 8460 Appendix B's report, for company-y.example on the UTC day `offset` days from START. */
function reportText(offset: number, sessions = { ok: 100, failed: 0 }, id = `r${offset}`) {
  return JSON.stringify(
    report({
      'report-id': id,
      'date-range': {
        'start-datetime': `${day(offset)}T00:00:00Z`,
        'end-datetime': `${day(offset)}T23:59:59Z`,
      },
      policies: [
        policy(
          {},
          {
            summary: {
              'total-successful-session-count': sessions.ok,
              'total-failure-session-count': sessions.failed,
            },
            'failure-details': [],
          },
        ),
      ],
    }),
  )
}

async function reportsWorld() {
  world = await serviceWorld()
  const a = await world.tenant('alpha')
  await addDomain(world.deps, a.actor, { name: 'company-y.example' })
  const { reportUrl } = await setTlsRpt(world.deps, a.actor, 'company-y.example', { rua: [] })
  const token = reportUrl.split('/tlsrpt/')[1]!
  const limits = {
    maxDecompressed: 1_048_576,
    perSource: new RateLimiter(1000),
    perTenant: new RateLimiter(1000),
  }
  const send = (text: string) =>
    receiveReport(world.deps, limits, {
      token,
      contentType: 'application/tlsrpt+json',
      body: new TextEncoder().encode(text),
      source: 'https:192.0.2.1',
    })
  return { a, send }
}

describe('listReports', () => {
  it('when reports span several days, then the last 30 days are listed newest first, and an explicit range reaches older ones', async () => {
    const { a, send } = await reportsWorld()
    for (const offset of [-40, -29, -3, 0]) await send(reportText(offset))

    const recent = await listReports(world.deps, a.actor, 'company-y.example', {})
    const all = await listReports(world.deps, a.actor, 'company-y.example', {
      from: day(-60),
      to: day(0),
    })

    expect(recent.items.map((r) => r.reportId)).toEqual(['r0', 'r-3', 'r-29'])
    expect(all.items.map((r) => r.reportId)).toEqual(['r0', 'r-3', 'r-29', 'r-40'])
    // A summary: never the raw bytes, the parsed report or the tally.
    expect(recent.items[0]).not.toHaveProperty('raw')
    expect(recent.items[0]).not.toHaveProperty('parsed')
  })

  it('when there are more reports than a page, then the cursor continues without repeats', async () => {
    const { a, send } = await reportsWorld()
    for (const offset of [-4, -3, -2, -1, 0]) await send(reportText(offset))

    const ids: string[] = []
    let cursor: string | null = null
    do {
      const page = await listReports(world.deps, a.actor, 'company-y.example', {
        limit: 2,
        ...(cursor ? { cursor: decodeCursor(cursor)! } : {}),
      })
      ids.push(...page.items.map((r) => r.reportId))
      cursor = page.nextCursor
    } while (cursor)

    expect(ids).toEqual(['r0', 'r-1', 'r-2', 'r-3', 'r-4'])
  })

  it("when another tenant lists a tenant's reports, then NOT_FOUND", async () => {
    const { send } = await reportsWorld()
    await send(reportText(0))
    const b = await world.tenant('beta')

    const err = await failure(listReports(world.deps, b.actor, 'company-y.example', {}))

    expect(err.code).toBe('NOT_FOUND')
  })
})

describe('getReport', () => {
  it('when a stored report is read, then its raw JSON is exactly what was sent, with the parsed form', async () => {
    const { a, send } = await reportsWorld()
    const text = reportText(0, { ok: 7, failed: 2 })
    const { id } = await send(text)

    const got = await getReport(world.deps, a.actor, 'company-y.example', id!)

    expect(got.rawJson).toBe(text)
    expect(got).toMatchObject({
      reportId: 'r0',
      successful: 7,
      failed: 2,
      organization: 'Company-X',
    })
    expect(got).not.toHaveProperty('tally')
    expect(got).not.toHaveProperty('raw')
  })

  it("when the id is another domain's report, then NOT_FOUND, even for the same tenant", async () => {
    const { a, send } = await reportsWorld()
    const { id } = await send(reportText(0))
    await addDomain(world.deps, a.actor, { name: 'other.example' })
    const b = await world.tenant('beta')

    const wrongDomain = await failure(getReport(world.deps, a.actor, 'other.example', id!))
    const wrongTenant = await failure(getReport(world.deps, b.actor, 'company-y.example', id!))

    expect(wrongDomain.message).toBe(`report "${id}" not found`)
    expect(wrongTenant.message).toBe('domain "company-y.example" not found')
  })
})

describe('domainTlsHealth', () => {
  it('when reports arrive over a week, then health has one row per day and totals that add up', async () => {
    const { a, send } = await reportsWorld()
    await send(reportText(-6, { ok: 10, failed: 1 }))
    await send(reportText(-2, { ok: 20, failed: 0 }))
    await send(reportText(-2, { ok: 5, failed: 4 }, 'r-2b'))
    await send(reportText(-8, { ok: 1000, failed: 1000 }))

    const health = await domainTlsHealth(world.deps, a.actor, 'company-y.example', 7)

    expect(health).toMatchObject({ domain: 'company-y.example', from: day(-6), to: day(0) })
    expect(health.days.map((d) => d.day)).toEqual([-6, -5, -4, -3, -2, -1, 0].map(day))
    expect(health.days.map((d) => d.reports)).toEqual([1, 0, 0, 0, 2, 0, 0])
    expect(health.totals).toMatchObject({
      reports: 3,
      successfulSessions: 35,
      failedSessions: 5,
      daysWithReports: 2,
    })
  })

  it.each([
    [0, 1],
    [1000, 366],
  ])('when %s days are asked for, then %s days are given', async (asked, given) => {
    const { a } = await reportsWorld()

    const health = await domainTlsHealth(world.deps, a.actor, 'company-y.example', asked)

    expect(health.days).toHaveLength(given)
  })
})

describe('enforceAdvice', () => {
  const TESTING = { mode: 'testing' as const, mx: ['*.mail.company-y.example'], maxAge: 86400 }

  it('when there is no policy, or it is not in testing, then there is no advice', async () => {
    const { a } = await reportsWorld()
    expect(await enforceAdvice(world.deps, a.actor, 'company-y.example')).toBeNull()
    await setPolicy(world.deps, a.actor, 'company-y.example', { ...TESTING, mode: 'enforce' })
    expect(await enforceAdvice(world.deps, a.actor, 'company-y.example')).toBeNull()
  })

  it('when testing has only a few days of reports, then not ready, and the reason names the days', async () => {
    const { a, send } = await reportsWorld()
    await setPolicy(world.deps, a.actor, 'company-y.example', TESTING)
    for (const offset of [-2, -1]) await send(reportText(offset))

    const advice = await enforceAdvice(world.deps, a.actor, 'company-y.example')

    expect(advice?.ready).toBe(false)
    expect(advice?.reasons.join(' ')).toMatch(/14/)
  })

  it('when fourteen clean days of reports cover the policy mx, then ready', async () => {
    const { a, send } = await reportsWorld()
    await setPolicy(world.deps, a.actor, 'company-y.example', TESTING)
    for (let offset = -13; offset <= 0; offset++) await send(reportText(offset))

    const advice = await enforceAdvice(world.deps, a.actor, 'company-y.example')

    expect(advice?.ready).toBe(true)
  })

  it('when failures are above 1 %, then not ready even with fourteen days', async () => {
    const { a, send } = await reportsWorld()
    await setPolicy(world.deps, a.actor, 'company-y.example', TESTING)
    for (let offset = -13; offset <= 0; offset++)
      await send(reportText(offset, { ok: 98, failed: 2 }))

    const advice = await enforceAdvice(world.deps, a.actor, 'company-y.example')

    expect(advice?.ready).toBe(false)
  })
})
