import { describe, expect, it } from 'vitest'
import { isIpLiteral } from './ip-literal.js'

describe('isIpLiteral', () => {
  it.each([
    '192.0.2.1',
    '0.0.0.0',
    '255.255.255.255',
    '2001:db8::1',
    // RFC 8460 Appendix B writes groups with leading zeros; RFC 4291 §2.2 allows them.
    '2001:db8:abcd:0012::1',
    '2001:0db8:0000:0000:0000:0000:0000:0001',
    '::',
    '::1',
    '1::',
    'fe80::1:2:3:4:5:6',
    '::ffff:192.0.2.1',
    '64:ff9b::198.51.100.7',
    '1:2:3:4:5:6:192.0.2.1',
    '2001:DB8::A',
  ])('when the text is %s, then it is an IP literal', (text) => {
    expect(isIpLiteral(text)).toBe(true)
  })

  it.each([
    '',
    '192.0.2',
    '192.0.2.1.5',
    '192.0.2.256',
    '192.0.2.01',
    '192.0.2.1 ',
    '1.2.3.4::',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7::8',
    '1::2::3',
    ':1:2:3:4:5:6:7',
    '12345::1',
    'g::1',
    '[2001:db8::1]',
    'fe80::1%eth0',
    '::192.0.2.1:1',
    'mx1.example.com',
  ])('when the text is %j, then it is not an IP literal', (text) => {
    expect(isIpLiteral(text)).toBe(false)
  })
})
