import { describe, expect, it } from 'vitest'
import { preflightVerdict } from './preflight.js'

const target = { serviceHost: 'svc.example.net', addresses: ['192.0.2.10', '2001:db8::10'] }
const host = 'mta-sts.example.com'

describe('preflightVerdict', () => {
  it.each([
    [
      'a CNAME to the service host',
      { cnames: ['svc.example.net'], addresses: ['192.0.2.10'] },
      true,
      'CNAME',
    ],
    ['a flattened CNAME (our IPv4)', { cnames: [], addresses: ['192.0.2.10'] }, true, '192.0.2.10'],
    [
      'a flattened CNAME (our IPv6)',
      { cnames: [], addresses: ['2001:db8::10'] },
      true,
      '2001:db8::10',
    ],
    [
      'a CNAME elsewhere',
      { cnames: ['other.example.org'], addresses: ['198.51.100.1'] },
      false,
      'other.example.org',
    ],
    ['addresses not ours', { cnames: [], addresses: ['198.51.100.1'] }, false, 'none of them ours'],
    ['no answer at all', { cnames: [], addresses: [] }, false, 'does not resolve'],
  ])('when the name has %s, then ok is %s', (_, answers, ok, detail) => {
    const v = preflightVerdict(host, answers, target)
    expect(v.ok).toBe(ok)
    expect(v.detail).toContain(detail)
  })
})
