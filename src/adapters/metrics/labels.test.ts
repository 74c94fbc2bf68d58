import { describe, expect, it } from 'vitest'
import { failureResultType, hostClass, statusClass } from './labels.js'

describe('statusClass', () => {
  it.each([
    [200, '2xx'],
    [204, '2xx'],
    [301, '3xx'],
    [399, '3xx'],
    [404, '4xx'],
    [499, '4xx'],
    [500, '5xx'],
    [599, '5xx'],
    [101, '5xx'],
    [0, '5xx'],
    [600, '5xx'],
    [Number.NaN, '5xx'],
  ])('when the status is %s, then the class is %s', (status, cls) => {
    expect(statusClass(status)).toBe(cls)
  })
})

describe('hostClass', () => {
  it.each([
    ['policy', 'policy'],
    ['logo', 'logo'],
    ['service', 'service'],
    ['report', 'report'],
    ['other', 'other'],
    ['Policy', 'other'],
    ['mta-sts.example.com', 'other'],
    ['', 'other'],
    ['__proto__', 'other'],
  ])('when the input is %j, then the class is %s', (input, cls) => {
    expect(hostClass(input)).toBe(cls)
  })
})

describe('failureResultType', () => {
  it.each([
    ['starttls-not-supported', 'starttls-not-supported'],
    ['sts-webpki-invalid', 'sts-webpki-invalid'],
    ['dane-required', 'dane-required'],
    ['STARTTLS-NOT-SUPPORTED', 'other'],
    ['made-up-type', 'other'],
    ['x'.repeat(64), 'other'],
    ['', 'other'],
  ])('when a report says %j, then it is counted as %s', (input, type) => {
    expect(failureResultType(input)).toBe(type)
  })
})
