import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { MtaStsPolicy } from './policy.js'
import { renderPolicy } from './policy.js'
import { freshPolicyId, isValidPolicyId, policyId } from './policy-id.js'
import { renderStsRecord } from './sts-record.js'

const sha256Hex = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex')
const base: MtaStsPolicy = {
  mode: 'enforce',
  mx: ['a.example.com', 'b.example.com'],
  maxAge: 604800,
}
const idOf = (p: MtaStsPolicy): string => policyId(renderPolicy(p), sha256Hex)

describe('policyId', () => {
  it('when a policy is rendered, then its id is 32 letters or digits', () => {
    const id = idOf(base)
    expect(id).toMatch(/^[A-Za-z0-9]{32}$/)
    expect(isValidPolicyId(id)).toBe(true)
  })

  it('when the digest is known, then the id is its first 32 hex characters', () => {
    expect(policyId('abc', sha256Hex)).toBe('ba7816bf8f01cfea414140de5dae2223')
  })

  it('when the same policy is rendered twice, then the id is the same', () => {
    expect(idOf({ ...base, mx: [...base.mx] })).toBe(idOf(base))
  })

  it.each<[string, MtaStsPolicy]>([
    ['the mode', { ...base, mode: 'testing' }],
    ['the mx order', { ...base, mx: ['b.example.com', 'a.example.com'] }],
    ['one mx', { ...base, mx: ['a.example.com', 'c.example.com'] }],
    ['the max_age', { ...base, maxAge: 604801 }],
  ])('when %s changes, then the id changes', (_, changed) => {
    expect(idOf(changed)).not.toBe(idOf(base))
  })
})

describe('freshPolicyId', () => {
  const text = renderPolicy(base)
  const hashId = policyId(text, sha256Hex)
  const republished = (n: number): string => sha256Hex(`${text}\0${n}`).slice(0, 32)

  it.each<[string, string[], string]>([
    ['no id was used', [], hashId],
    ['only other ids were used', ['a', policyId('other', sha256Hex)], hashId],
    ['the content hash was used', [hashId], republished(1)],
    ['it was republished once', [hashId, republished(1)], republished(2)],
    ['only the first republication id was used', [republished(1)], hashId],
  ])('when %s, then the id is the first unused one', (_, used, expected) => {
    const id = freshPolicyId(text, sha256Hex, used)
    expect(id).toBe(expected)
    expect(isValidPolicyId(id)).toBe(true)
    expect(used).not.toContain(id)
  })

  it('when a text is restored again and again, then every instance gets its own id', () => {
    const used: string[] = []
    for (let i = 0; i < 5; i++) used.push(freshPolicyId(text, sha256Hex, used))
    expect(new Set(used).size).toBe(5)
    expect(used[0]).toBe(hashId)
  })

  it('when the same inputs are given twice, then the id is the same (no clock, no randomness)', () => {
    expect(freshPolicyId(text, sha256Hex, [hashId])).toBe(freshPolicyId(text, sha256Hex, [hashId]))
  })
})

describe('isValidPolicyId', () => {
  it.each([
    ['a', true],
    ['20260301T120000Z', true],
    ['20260301120000', true],
    ['A'.repeat(32), true],
    ['', false],
    ['A'.repeat(33), false],
    ['2026-03-01T12:00:00Z', false],
    ['abc_def', false],
    ['abc.def', false],
    ['abc+def', false],
    ['abc def', false],
    ['ü', false],
  ])('when the id is %j, then validity is %s', (id, valid) => {
    expect(isValidPolicyId(id)).toBe(valid)
  })
})

describe('renderStsRecord', () => {
  it('when an id is given, then the record is "v=STSv1; id=<id>"', () => {
    expect(renderStsRecord('20260301120000')).toBe('v=STSv1; id=20260301120000')
  })

  it.each([[''], ['2026-03-01'], ['A'.repeat(33)]])(
    'when the id is %j, then rendering refuses it',
    (id) => {
      expect(() => renderStsRecord(id)).toThrow(/invalid MTA-STS policy id/)
    },
  )
})
