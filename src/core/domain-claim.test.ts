import { describe, expect, it } from 'vitest'
import {
  claimCheckDue,
  controlMovedMessage,
  keepMovedNotice,
  missedProofMessage,
  reservedHostReason,
  reservedNameReason,
  txtProvesControl,
  verificationRecord,
} from './domain-claim.js'

const RULES = { serviceHost: 'api.policyhost.example', reserved: ['internal.example'] }

describe('reservedNameReason', () => {
  it.each([
    ['api.policyhost.example', 'tenant', 'is the service host'],
    ['x.api.policyhost.example', 'operator', 'is the service host'],
    ['policyhost.example', 'tenant', 'domain of the service host'],
    ['other.policyhost.example', 'tenant', 'domain of the service host'],
    ['internal.example', 'operator', 'reserved by the operator'],
    ['a.b.internal.example', 'tenant', 'reserved by the operator'],
  ] as const)('when %j is claimed by a %s, then it is refused: %s', (name, by, reason) => {
    expect(reservedNameReason(name, RULES, by)).toContain(reason)
  })

  it.each([
    ['policyhost.example', 'operator'],
    ['other.policyhost.example', 'operator'],
    ['notpolicyhost.example', 'tenant'],
    ['internal.example.org', 'tenant'],
    ['xinternal.example', 'tenant'],
  ] as const)('when %j is claimed by a %s, then it is allowed', (name, by) => {
    expect(reservedNameReason(name, RULES, by)).toBeNull()
  })

  it('when the service host is the policy host of a name, then that name is refused to all', () => {
    const rules = { serviceHost: 'mta-sts.example.org', reserved: [] }
    expect(reservedNameReason('example.org', rules, 'operator')).toContain('policy host')
  })

  it('when the service host is a single label (local use), then only names under it are refused', () => {
    const rules = { serviceHost: 'localhost', reserved: [] }
    expect(reservedNameReason('example.org', rules, 'tenant')).toBeNull()
    expect(reservedNameReason('a.localhost', rules, 'tenant')).toContain('service host')
  })
})

describe('reservedHostReason', () => {
  it('when a logo host is the service host or under it, then it is refused', () => {
    expect(reservedHostReason('api.policyhost.example', RULES.serviceHost)).toContain('service')
    expect(reservedHostReason('x.api.policyhost.example', RULES.serviceHost)).toContain('service')
    expect(reservedHostReason('bimi.policyhost.example', RULES.serviceHost)).toBeNull()
  })
})

describe('the TXT proof', () => {
  const token = 'Ab_-0123456789abcdefghijklmnopqrstuvwxyzABCD'

  it('when the answers hold the exact value (among others, with blanks), then control is proven', () => {
    expect(txtProvesControl(['v=spf1 -all', ` policyhost-verify=${token} `], token)).toBe(true)
  })

  it.each([
    [[]],
    [[`policyhost-verify=${token.toLowerCase()}`]],
    [[`policyhost-verify=${token}x`]],
    [[`policyhost-verify=${token.slice(1)}`]],
    [[token]],
  ])('when the answers are %j, then control is not proven', (answers) => {
    expect(txtProvesControl(answers, token)).toBe(false)
  })

  it('when a check misses, then the message names the record and quotes at most 3 answers, shortened', () => {
    expect(missedProofMessage('a.example', token, [])).toContain(
      `no TXT record at _policyhost.a.example; publish TXT _policyhost.a.example "policyhost-verify=${token}"`,
    )
    const msg = missedProofMessage('a.example', token, ['x'.repeat(500), 'b', 'c', 'd'])
    expect(msg).toContain(`"${'x'.repeat(80)}…"`)
    expect(msg).not.toContain('"d"')
  })

  it('when the record is rendered, then it is the one TXT the tenant publishes', () => {
    expect(verificationRecord('a.example', token)).toMatchObject({
      name: '_policyhost.a.example',
      type: 'TXT',
      value: `policyhost-verify=${token}`,
    })
  })
})

describe('control moved notice', () => {
  const at = new Date('2026-03-01T00:00:00Z')

  it('when later checks fail, then the notice stays in front of the latest reason only', () => {
    const moved = controlMovedMessage('a.example', at)
    const once = keepMovedNotice(moved, 'first miss')
    const twice = keepMovedNotice(once, 'second miss')
    expect(twice).toBe(`${moved}. Last check: second miss`)
    expect(keepMovedNotice('no TXT record', 'second miss')).toBe('second miss')
    expect(keepMovedNotice(null, 'first')).toBe('first')
  })
})

describe('claimCheckDue', () => {
  const created = new Date('2026-03-01T00:00:00Z')
  const at = (minutes: number) => new Date(created.getTime() + minutes * 60_000)

  it.each([
    [null, 0, true],
    [0, 1, false],
    [0, 2, true],
    [60, 70, false], // 1 h old when checked: 15 min gap
    [60, 75, true],
    [24 * 60, 24 * 60 + 59, false], // a day old: hourly at most
    [24 * 60, 25 * 60, true],
  ])('when last checked at minute %j, then at minute %j it is due: %j', (last, now, due) => {
    const claim = { createdAt: created, lastCheckAt: last === null ? null : at(last) }
    expect(claimCheckDue(claim, at(now))).toBe(due)
  })
})
