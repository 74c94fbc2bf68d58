import { describe, expect, it } from 'vitest'
import { normalizeMxPattern } from './mx-pattern.js'

describe('normalizeMxPattern', () => {
  it.each([
    ['mail.example.com', 'mail.example.com'],
    ['Mail.Example.COM', 'mail.example.com'],
    ['mail.example.com.', 'mail.example.com'],
    ['*.example.net', '*.example.net'],
    ['*.Example.NET.', '*.example.net'],
    ['*.mx.bücher.example', '*.mx.xn--bcher-kva.example'],
    ['mx1.mail.protection.outlook.com', 'mx1.mail.protection.outlook.com'],
    // A wildcard one level under a public suffix is still two labels after "*." (RFC 8461 §4.1).
    ['*.co.uk', '*.co.uk'],
  ])('when the pattern is %j, then it normalises to %j', (input, expected) => {
    expect(normalizeMxPattern(input)).toEqual({ ok: true, value: expected })
  })

  it.each([
    ['*', 'whole left-most label'],
    ['*example.com', 'whole left-most label'],
    ['mail*.example.com', 'whole left-most label'],
    ['*.*.example.com', 'whole left-most label'],
    ['mail.*.example.com', 'whole left-most label'],
    ['.example.com', 'must not start with a dot'],
    ['*.com', 'at least two labels'],
    ['*.', 'must not be empty'],
    ['', 'must not be empty'],
    ['1.2.3.4', 'not an IP address'],
    ['[192.0.2.1]', 'address literal'],
    ['mail.example.com:25', 'without a port'],
    ['mail example.com', 'whitespace'],
    [' mail.example.com', 'whitespace'],
    ['mail.example.com\t', 'whitespace'],
    ['mail_1.example.com', 'letters, digits and hyphens'],
    ['mail.example.com..', 'empty label'],
  ])('when the pattern is %j, then it is refused with "%s"', (input, message) => {
    const result = normalizeMxPattern(input)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.issues.map((issue) => issue.message).join('\n')).toContain(message)
    for (const issue of result.issues) expect(issue.path).toBe('')
  })

  it('when a pattern has whitespace and a bad label, then both are reported', () => {
    const result = normalizeMxPattern('mail_1.example.com ')
    expect(result.ok ? [] : result.issues.map((issue) => issue.message)).toEqual([
      'must not contain whitespace',
      'label "mail_1" may contain only letters, digits and hyphens',
    ])
  })
})
