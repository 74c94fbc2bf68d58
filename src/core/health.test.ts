import { describe, expect, it } from 'vitest'
import {
  failureCause,
  healthReport,
  OVERDUE_GRACE_MS,
  readiness,
  type HealthObservation,
  type HealthStatus,
  type JobObservation,
} from './health.js'

const NOW = new Date('2026-12-05T12:00:00Z')
const ago = (ms: number) => new Date(NOW.getTime() - ms)

const job = (over: Partial<JobObservation> = {}): JobObservation => ({
  name: 'remove-retired-domains',
  running: false,
  lastStartedAt: ago(30_000),
  lastFinishedAt: ago(29_000),
  lastOk: true,
  lastError: null,
  nextRunAt: ago(-30_000),
  maxDelayMs: 0,
  ...over,
})

/** Everything up: both listeners, the database, a loaded snapshot, one healthy job. */
const UP: HealthObservation = {
  listeners: { http: true, https: true },
  database: { ok: true, ms: 0.2 },
  snapshot: { loaded: true, policies: 3, lastPoll: { at: ago(5_000), ok: true } },
  scheduler: { running: true, jobs: [job()] },
  workers: { size: 2, running: 0, waiting: 0 },
  dns: null,
  draining: false,
}

const ZONE_UP = { zone: 'dns.policyhost.test', serial: 1_790_000_000, entries: 3, listening: true }

const DB_CLOSED = { ok: false, cause: 'closed' } as const

describe('health verdict', () => {
  it.each<[string, Partial<HealthObservation>, HealthStatus, string[]]>([
    ['everything is up', {}, 'ok', []],
    [
      'the HTTPS listener is not accepting',
      { listeners: { http: true, https: false } },
      'down',
      ['https listener not accepting'],
    ],
    [
      'the HTTP listener is not accepting',
      { listeners: { http: false, https: true } },
      'down',
      ['http listener not accepting'],
    ],
    [
      'the database probe fails',
      { database: DB_CLOSED },
      'down',
      ['database probe failed (closed)'],
    ],
    // Issue 15: PostgreSQL away is every instance's outage; each still serves from memory.
    [
      'the shared store (PostgreSQL) does not answer',
      { database: { ok: false, cause: 'ECONNREFUSED' }, sharedStore: true },
      'degraded',
      [],
    ],
    [
      'the snapshot has not loaded',
      { snapshot: { loaded: false, policies: 0, lastPoll: null } },
      'degraded',
      ['policy snapshot not loaded'],
    ],
    [
      'the last snapshot poll failed',
      { snapshot: { loaded: true, policies: 3, lastPoll: { at: ago(1_000), ok: false } } },
      'degraded',
      [],
    ],
    [
      'a job last failed',
      {
        scheduler: {
          running: true,
          jobs: [job({ lastOk: false, lastError: { at: ago(29_000), cause: 'SQLITE_BUSY' } })],
        },
      },
      'degraded',
      [],
    ],
    [
      'a job has not ticked for 3 minutes',
      { scheduler: { running: true, jobs: [job({ nextRunAt: ago(OVERDUE_GRACE_MS + 1) })] } },
      'degraded',
      [],
    ],
    ['the scheduler has not started', { scheduler: null }, 'degraded', []],
    ['the scheduler has stopped', { scheduler: { running: false, jobs: [] } }, 'degraded', []],
    ['shutdown has begun', { draining: true }, 'degraded', ['draining']],
    [
      'shutdown has begun and the listeners are closed',
      { draining: true, listeners: { http: false, https: false } },
      'degraded',
      ['draining', 'http listener not accepting', 'https listener not accepting'],
    ],
    ['the delegated zone answers', { dns: ZONE_UP }, 'ok', []],
    // Mail still flows on the ids resolvers cached, and HTTPS serves: degraded, still ready.
    ["the zone's sockets closed", { dns: { ...ZONE_UP, listening: false } }, 'degraded', []],
    [
      "the zone's sockets closed while draining",
      { dns: { ...ZONE_UP, listening: false }, draining: true },
      'degraded',
      ['draining'],
    ],
    [
      'the workers are busy and jobs wait',
      { workers: { size: 2, running: 2, waiting: 40 } },
      'ok',
      [],
    ],
    [
      'the database fails while a job is overdue',
      {
        database: DB_CLOSED,
        scheduler: { running: true, jobs: [job({ nextRunAt: ago(OVERDUE_GRACE_MS + 1) })] },
      },
      'down',
      ['database probe failed (closed)'],
    ],
  ])('when %s, then status %s and readiness reasons %j', (_, over, status, reasons) => {
    const o = { ...UP, ...over }

    expect(healthReport(o, NOW).status).toBe(status)
    expect(readiness(o)).toEqual({ ready: reasons.length === 0, reasons })
  })

  it.each<[string, Partial<JobObservation>, boolean]>([
    ['its next tick is still to come', { nextRunAt: ago(-1_000) }, false],
    ['its tick is late by less than the grace', { nextRunAt: ago(OVERDUE_GRACE_MS) }, false],
    ['its tick is later than the grace', { nextRunAt: ago(OVERDUE_GRACE_MS + 1) }, true],
    [
      'its tick is late but within its random delay',
      { nextRunAt: ago(OVERDUE_GRACE_MS + 30_000), maxDelayMs: 60_000 },
      false,
    ],
    [
      'it has run past its next tick plus the grace (stuck)',
      { running: true, nextRunAt: ago(OVERDUE_GRACE_MS + 1) },
      true,
    ],
    ['it has no next tick', { nextRunAt: null }, false],
  ])('when a job %s, then overdue is %s', (_, over, overdue) => {
    const report = healthReport({ ...UP, scheduler: { running: true, jobs: [job(over)] } }, NOW)
    const r = report.checks.scheduler.jobs['remove-retired-domains']!

    expect(r.overdue).toBe(overdue)
    expect(r.ok).toBe(!overdue)
  })

  it('when a job failed, then its report carries the time and cause, and times are ISO strings', () => {
    const failed = job({ lastOk: false, lastError: { at: ago(29_000), cause: 'EACCES' } })

    const report = healthReport({ ...UP, scheduler: { running: true, jobs: [failed] } }, NOW)

    expect(report.checks.scheduler).toEqual({
      ok: false,
      running: true,
      jobs: {
        'remove-retired-domains': {
          ok: false,
          running: false,
          lastStartedAt: '2026-12-05T11:59:30.000Z',
          lastFinishedAt: '2026-12-05T11:59:31.000Z',
          lastError: { at: '2026-12-05T11:59:31.000Z', cause: 'EACCES' },
          nextRunAt: '2026-12-05T12:00:30.000Z',
          overdue: false,
        },
      },
    })
  })

  it('when everything is up, then the report lists every check', () => {
    expect(healthReport(UP, NOW)).toMatchObject({
      status: 'ok',
      draining: false,
      checks: {
        listeners: { ok: true, http: 'accepting', https: 'accepting' },
        database: { ok: true, ms: 0.2 },
        snapshot: { ok: true, loaded: true, policies: 3, lastPoll: { ok: true } },
        scheduler: { ok: true, running: true },
        workers: { size: 2, running: 0, waiting: 0 },
      },
    })
  })
})

describe('failure cause', () => {
  const withCode = (message: string, code: unknown) => Object.assign(new Error(message), { code })
  class DomainLike extends Error {
    code = 'UPSTREAM'
  }

  it.each<[string, string, unknown]>([
    [
      'an errno error',
      'EACCES',
      withCode('EACCES: permission denied, open /data/certs/k.pem', 'EACCES'),
    ],
    ['a SQLite error', 'SQLITE_BUSY', withCode('database is locked', 'SQLITE_BUSY')],
    ['a domain error', 'UPSTREAM', new DomainLike('tenant acme.example: CA said no')],
    ['a TypeError', 'TypeError', new TypeError('The database connection is not open')],
    ['a plain Error', 'Error', new Error('boom in /srv/app/x.ts')],
    ['a code with a message in it', 'Error', withCode('x', 'see /etc/passwd')],
    ['a numeric code', 'Error', withCode('x', 42)],
    ['a thrown string', 'error', 'failed at /data/secret'],
    ['null', 'error', null],
  ])('when the failure is %s, then the cause is %s and never the message', (_, cause, err) => {
    expect(failureCause(err)).toBe(cause)
  })
})
