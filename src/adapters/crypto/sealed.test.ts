import { randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { open, seal, SealedError, SecretsKey } from './sealed.js'

const RAW = Buffer.alloc(32, 7)
const key = SecretsKey.fromBytes(RAW)
const SECRET = '-----BEGIN PRIVATE KEY-----\nsecret material\n-----END PRIVATE KEY-----\n'

/** Another key whose id differs from `key`'s (ids are one byte, so some keys share one). */
function otherKey(sameId: boolean): SecretsKey {
  for (;;) {
    const k = SecretsKey.fromBytes(randomBytes(32))
    if ((k.id === key.id) === sameId) return k
  }
}

function failure(fn: () => unknown): SealedError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(SealedError)
    return err as SealedError
  }
  throw new Error('expected a SealedError')
}

describe('SecretsKey.parse', () => {
  it.each([
    ['64 hex characters', RAW.toString('hex')],
    ['upper-case hex with a newline', `${RAW.toString('hex').toUpperCase()}\n`],
    ['base64 of 32 bytes', RAW.toString('base64')],
    ['URL-safe base64 without padding', Buffer.alloc(32, 0xfb).toString('base64url')],
  ])('when given %s, then it is a key', (_, text) => {
    expect(SecretsKey.parse(text)).toBeInstanceOf(SecretsKey)
  })

  it.each([
    ['63 hex characters', RAW.toString('hex').slice(1)],
    ['base64 of 31 bytes', Buffer.alloc(31, 1).toString('base64')],
    ['base64 of 33 bytes', Buffer.alloc(33, 1).toString('base64')],
    ['a passphrase', 'correct horse battery staple correct horse battery'],
    ['nothing', ''],
  ])('when given %s, then it is refused', (_, text) => {
    expect(SecretsKey.parse(text)).toBeNull()
  })

  it('when the hex and base64 forms of one key are parsed, then they are the same key', () => {
    const a = SecretsKey.parse(RAW.toString('hex'))!
    const b = SecretsKey.parse(RAW.toString('base64'))!
    expect(a.id).toBe(b.id)
    expect(open(b, 'ctx', seal(a, 'ctx', SECRET)).toString()).toBe(SECRET)
  })

  it('when a key is printed, logged or serialised, then its bytes do not appear', () => {
    const shown = [String(key), JSON.stringify({ key }), inspect(key), inspect({ key })]
    for (const text of shown) {
      expect(text).toContain(`SecretsKey(id ${key.id})`)
      expect(text).not.toContain(RAW.toString('hex'))
      expect(text).not.toContain(RAW.toString('base64'))
    }
  })
})

describe('seal and open', () => {
  it('when a value is sealed and opened for the same row, then it round-trips', () => {
    expect(open(key, 'certificate:a.example', seal(key, 'certificate:a.example', SECRET))).toEqual(
      Buffer.from(SECRET),
    )
  })

  it('when one value is sealed twice, then the IVs and ciphertexts differ and neither shows it', () => {
    const [a, b] = [seal(key, 'ctx', SECRET), seal(key, 'ctx', SECRET)]
    expect(a.subarray(1, 13)).not.toEqual(b.subarray(1, 13))
    expect(a).not.toEqual(b)
    expect(a.toString('latin1')).not.toContain('secret material')
    expect(a).toHaveLength(1 + 12 + 16 + Buffer.byteLength(SECRET))
    expect(a[0]).toBe(key.id)
  })

  const sealed = seal(key, 'certificate:a.example', SECRET)
  const flipped = (at: number) => {
    const copy = Buffer.from(sealed)
    copy[at]! ^= 1
    return copy
  }
  it.each([
    [
      'a ciphertext byte is flipped',
      'certificate:a.example',
      flipped(sealed.length - 1),
      'tampered',
    ],
    ['an IV byte is flipped', 'certificate:a.example', flipped(3), 'tampered'],
    ['a tag byte is flipped', 'certificate:a.example', flipped(20), 'tampered'],
    ['it is opened for another row', 'certificate:b.example', sealed, 'tampered'],
    ['it is cut short', 'certificate:a.example', sealed.subarray(0, 20), 'truncated'],
    ['the key id is changed', 'certificate:a.example', flipped(0), 'other-key'],
  ])('when %s, then it does not open', (_, context, value, kind) => {
    const err = failure(() => open(key, context, value))
    expect(err.kind).toBe(kind)
    expect(err.message).toContain(context)
    expect(err.message).not.toContain('secret material')
    expect(err.message).not.toContain(RAW.toString('hex'))
  })

  it('when it is opened with another SECRETS_KEY, then the error says so', () => {
    const err = failure(() => open(otherKey(false), 'ctx', seal(key, 'ctx', SECRET)))
    expect(err.kind).toBe('other-key')
    expect(err.message).toMatch(/sealed with another key .* not the configured SECRETS_KEY/)
  })

  it('when another key happens to share the id, then it still does not open', () => {
    const err = failure(() => open(otherKey(true), 'ctx', seal(key, 'ctx', SECRET)))
    expect(err.kind).toBe('tampered')
  })
})
