import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  contended,
  openTestStore,
  STORE_KINDS,
  type TestStore,
} from '../../../../test/helpers/repo-stores.js'
import type { AuditEntry, StoredReport, TlsReportRepo } from '../../../core/ports.js'
import { tlsReportRepo as sqliteTlsReportRepo } from '../../db/repos/tls-reports.js'
import { tlsReportRepo } from './tls-reports.js'

const DAY = 86_400_000
const T0 = new Date('2026-12-01T10:00:00Z')
const at = (ms: number) => new Date(T0.getTime() + ms)

const tally = (ok: number, failed: number, byType: [string, number][]) => ({
  successful: ok,
  failed,
  policies: [],
  mxSuccess: [],
  byType,
  byMx: [],
  byIp: [],
})

const report = (id: string, o: Partial<StoredReport> = {}): StoredReport => ({
  id,
  domainId: 'd1',
  organization: 'Example Mail',
  reportId: `rep-${id}`,
  contact: 'tlsrpt@mail.example',
  startAt: T0,
  endAt: at(DAY),
  day: '2026-12-01',
  successful: 10,
  failed: 1,
  parsed: { organization: 'Example Mail', policies: [{ total: 11 }] },
  warnings: ['a warning'],
  raw: new Uint8Array([0x1f, 0x8b, 0, 255, 7]),
  source: 'https:192.0.2.1',
  receivedAt: at(DAY),
  storedBytes: 123,
  tally: tally(10, 1, [['certificate-expired', 1]]),
  ...o,
})

const audit: AuditEntry = {
  at: T0,
  tenantId: 't1',
  actorTokenId: null,
  action: 'tlsrpt.rotate',
  subject: 'alpha.example',
}

describe.each(STORE_KINDS)('TlsReportRepo (%s store)', (kind) => {
  let store: TestStore
  let repo: TlsReportRepo
  beforeEach(async () => {
    store = await openTestStore(kind)
    await store.sql("INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'alpha', 0)")
    await store.sql(
      "INSERT INTO domains (id, tenant_id, name, status, created_at) VALUES ('d1', 't1', 'alpha.example', 'active', 0), ('d2', 't1', 'beta.example', 'active', 0), ('dp', 't1', 'pending.example', 'pending', 0)",
    )
    repo =
      store.kind === 'sqlite'
        ? sqliteTlsReportRepo(store.sqlite.db, store.sqlite.sqlite)
        : tlsReportRepo(store.pg.db)
  })
  afterEach(() => store.close())

  it('when a report is stored, then get gives it back whole, raw bytes included, and only under its domain', async () => {
    const stored = await repo.insert(report('r1'))

    expect(stored).toBe(true)
    const got = await repo.get('d1', 'r1')
    expect(got).toEqual({ ...report('r1'), raw: expect.any(Uint8Array) })
    expect([...got!.raw]).toEqual([0x1f, 0x8b, 0, 255, 7])
    expect(await repo.get('d2', 'r1')).toBeNull()
    expect(await repo.get('d1', 'nope')).toBeNull()
  })

  it('when a reporter puts NUL characters in its strings, then the report is stored (PostgreSQL: as U+FFFD), raw bytes untouched', async () => {
    const nul = report('rn', {
      organization: 'Evil\u0000Mail',
      parsed: { organization: 'Evil\u0000Mail', 'key\u0000': ['x\u0000'] },
      warnings: ['w\u0000'],
    })
    expect(await repo.insert(nul)).toBe(true)
    const got = await repo.get('d1', 'rn')
    const shown = kind === 'postgres' ? '\ufffd' : '\u0000'
    expect(got?.organization).toBe(`Evil${shown}Mail`)
    expect(got?.parsed).toEqual({
      organization: `Evil${shown}Mail`,
      [`key${shown}`]: [`x${shown}`],
    })
    expect(got?.warnings).toEqual([`w${shown}`])
    expect([...got!.raw]).toEqual([0x1f, 0x8b, 0, 255, 7])
  })

  it('when the same submitter sends the same report id again, then it is not stored twice', async () => {
    await repo.insert(report('r1'))

    const again = await repo.insert(report('r2', { reportId: 'rep-r1' }))
    const otherOrg = await repo.insert(report('r3', { reportId: 'rep-r1', organization: 'Other' }))
    const otherDomain = await repo.insert(report('r4', { reportId: 'rep-r1', domainId: 'd2' }))

    expect([again, otherOrg, otherDomain]).toEqual([false, true, true])
    expect(await repo.get('d1', 'r2')).toBeNull()
  })

  it('when listed in pages, then newest start comes first, equal starts by id, each row once, only the window', async () => {
    await repo.insert(report('a1', { startAt: at(0) }))
    await repo.insert(report('B1', { startAt: at(1000) }))
    await repo.insert(report('b2', { startAt: at(1000) }))
    await repo.insert(report('c1', { startAt: at(2000) }))
    await repo.insert(report('old', { startAt: at(-DAY), day: '2026-11-30' }))
    await repo.insert(report('other', { domainId: 'd2' }))

    const first = await repo.list('d1', '2026-12-01', '2026-12-01', null, 2)
    const last = first[first.length - 1]!
    const second = await repo.list(
      'd1',
      '2026-12-01',
      '2026-12-01',
      { at: last.startAt.getTime(), id: last.id },
      10,
    )

    // Byte order: 'B' (0x42) sorts before 'b' (0x62), so 'b2' comes first in descending order.
    expect(first.map((r) => r.id)).toEqual(['c1', 'b2'])
    expect(second.map((r) => r.id)).toEqual(['B1', 'a1'])
    expect(first[0]).not.toHaveProperty('raw')
    expect(first[0]).not.toHaveProperty('parsed')
    expect(first[0]).not.toHaveProperty('tally')
    expect(first[0]).toMatchObject({ organization: 'Example Mail', warnings: ['a warning'] })
    expect((await repo.list('d1', '2026-11-30', '2026-11-30', null, 10)).map((r) => r.id)).toEqual([
      'old',
    ])
  })

  it('when health rows are read, then tallies come as JSON text and the parsed report only where there is no tally', async () => {
    await repo.insert(report('new'))
    await repo.insert(report('legacy', { tally: null }))
    await repo.insert(report('out', { day: '2026-12-09' }))

    const rows = await repo.healthRows('d1', '2026-12-01', '2026-12-02')

    const byId = new Map(rows.map((r) => [r.id, r]))
    expect([...byId.keys()].sort()).toEqual(['legacy', 'new'])
    expect(JSON.parse(byId.get('new')!.tally!)).toEqual(report('new').tally)
    expect(byId.get('new')).toMatchObject({ parsed: null, reportId: 'rep-new', startAt: T0 })
    expect(byId.get('legacy')!.tally).toBeNull()
    expect(JSON.parse(byId.get('legacy')!.parsed!)).toEqual(report('legacy').parsed)
  })

  it('when failures are totalled, then sessions and result types add up over tallied rows of the window, ties by name', async () => {
    await repo.insert(
      report('r1', {
        tally: tally(100, 7, [
          ['validation-failure', 5],
          ['b', 2],
        ]),
      }),
    )
    await repo.insert(
      report('r2', {
        tally: tally(50, 6, [
          ['a', 3],
          ['validation-failure', 1],
          ['B', 3],
        ]),
      }),
    )
    await repo.insert(report('legacy', { tally: null }))
    await repo.insert(report('out', { day: '2026-12-09', tally: tally(9, 9, [['x', 9]]) }))
    await repo.insert(report('other', { domainId: 'd2', tally: tally(9, 9, [['x', 9]]) }))

    const totals = await repo.failureTotals('d1', '2026-12-01', '2026-12-02', 3)
    const none = await repo.failureTotals('d1', '2027-01-01', '2027-01-02', 3)

    expect(totals).toEqual({
      successfulSessions: 150,
      failedSessions: 13,
      failuresByResultType: [
        { resultType: 'validation-failure', failedSessions: 6 },
        { resultType: 'B', failedSessions: 3 },
        { resultType: 'a', failedSessions: 3 },
      ],
    })
    expect(none).toEqual({ successfulSessions: 0, failedSessions: 0, failuresByResultType: [] })
  })

  it('when the report token is rotated, then the new one is current, the old one works until the grace ends, and it is audited', async () => {
    await repo.rotateToken('d1', 'tok-1', T0, at(1), null)
    await repo.rotateToken('d1', 'tok-2', at(DAY), at(2 * DAY), audit)

    expect(await repo.currentToken('d1')).toBe('tok-2')
    expect(await repo.currentToken('d2')).toBeNull()
    const endpoint = { domainId: 'd1', domain: 'alpha.example', tenantId: 't1' }
    expect(await repo.endpoint('tok-2', at(10 * DAY))).toEqual(endpoint)
    expect(await repo.endpoint('tok-1', at(2 * DAY - 1))).toEqual(endpoint)
    expect(await repo.endpoint('tok-1', at(2 * DAY))).toBeNull()
    expect(await repo.endpoint('nope', T0)).toBeNull()
    const audits = await store.sql<{ action: string }>('SELECT action FROM audit_log')
    expect(audits.map((a) => a.action)).toEqual(['tlsrpt.rotate'])
  })

  it('when the domain is a pending claim, then its token takes no reports', async () => {
    await repo.rotateToken('dp', 'tok-p', T0, T0, null)

    expect(await repo.currentToken('dp')).toBe('tok-p')
    expect(await repo.endpoint('tok-p', T0)).toBeNull()
  })

  it('when two rotations run at once, then exactly one token is current and the other expires', async () => {
    await repo.rotateToken('d1', 'tok-0', T0, T0, null)

    // On PostgreSQL both start while the old token's row is held, so that both are in flight.
    await contended(store, "SELECT 1 FROM tlsrpt_tokens WHERE token = 'tok-0' FOR UPDATE", () =>
      Promise.all([
        repo.rotateToken('d1', 'tok-a', at(1), at(DAY), null),
        repo.rotateToken('d1', 'tok-b', at(1), at(DAY), null),
      ]),
    )

    const current = await store.sql<{ token: string }>(
      "SELECT token FROM tlsrpt_tokens WHERE domain_id = 'd1' AND expires_at IS NULL",
    )
    expect(current).toHaveLength(1)
    expect(['tok-a', 'tok-b']).toContain(current[0]!.token)
    const loser = current[0]!.token === 'tok-a' ? 'tok-b' : 'tok-a'
    expect(await repo.endpoint(loser, at(DAY))).toBeNull()
  })
})
