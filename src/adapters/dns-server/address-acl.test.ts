import { describe, expect, it } from 'vitest'
import { addressAcl } from './address-acl.js'

describe('addressAcl', () => {
  const acl = addressAcl(['192.0.2.0/24', '198.51.100.7', '2001:db8::/48', '::1'])

  it.for([
    ['192.0.2.200', true],
    ['192.0.3.1', false],
    ['198.51.100.7', true],
    ['198.51.100.8', false],
    ['::ffff:192.0.2.9', true],
    ['2001:db8:0:ffff::1', true],
    ['2001:db8:1::1', false],
    ['::1', true],
    ['not an address', false],
    ['', false],
  ] as const)('when %s connects, then allowed is %s', ([address, allowed]) => {
    expect(acl.allows(address)).toBe(allowed)
  })

  it('when the list is empty, then nobody is allowed', () => {
    expect(addressAcl([]).allows('127.0.0.1')).toBe(false)
  })

  it.for([
    '10.0.0.0/33',
    '2001:db8::/129',
    'ns1.example',
    '10.0.0.0/8/8',
    '10.0.0.0/',
    '10.0.0.0/-1',
  ])('when an entry is %s, then it throws naming it', (entry) => {
    expect(() => addressAcl([entry])).toThrow(JSON.stringify(entry))
  })
})
