import { describe, expect, it } from 'vitest'
import { canonicalHost } from './canonical-host.js'

describe('canonicalHost', () => {
  it.each([
    ['example.com', 'example.com'],
    ['Example.COM', 'example.com'],
    ['example.com.', 'example.com'],
    ['MTA-STS.Example.com.', 'mta-sts.example.com'],
    ['*.mx.example.net', '*.mx.example.net'],
    ['localhost', 'localhost'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['', ''],
    ['.', ''],
  ])('when the name is %j, then the key is %j', (name, key) => {
    expect(canonicalHost(name)).toBe(key)
  })

  it.each([
    ['example.com..', 'example.com.', 'only one trailing dot is dropped'],
    [' example.com ', ' example.com ', 'whitespace is kept'],
    ['BÜCHER.example', 'bücher.example', 'no IDNA: U-labels stay U-labels'],
    ['.example.com', '.example.com', 'a leading dot is kept'],
    ['exa mple', 'exa mple', 'nothing is validated'],
  ])('when the name is %j, then the key is %j (%s)', (name, key) => {
    expect(canonicalHost(name)).toBe(key)
  })

  it('when applied twice, then the result is the same as once (for one trailing dot)', () => {
    for (const name of ['A.B.', 'a.b', 'A.b']) {
      expect(canonicalHost(canonicalHost(name))).toBe(canonicalHost(name))
    }
  })
})
