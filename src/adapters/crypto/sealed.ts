/**
 * adapters/crypto: values sealed at rest with AES-256-GCM (issue 15) — the private keys the
 * shared store holds. A sealed value is `key id (1) ‖ IV (12) ‖ tag (16) ‖ ciphertext`; its
 * associated data names the row it belongs to (`certificate:<hostname>`), so a ciphertext copied
 * to another row does not open. The key id lets a later key ring pick the key a value was
 * sealed with; today it tells "sealed with another SECRETS_KEY" apart from tampering.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

const KEY_BYTES = 32
// NIST SP 800-38D §8.2.2: a random 96-bit IV per value; we stay far below its 2^32 values per key.
const IV_BYTES = 12
// NIST SP 800-38D §5.2.1.2: the full 128-bit tag.
const TAG_BYTES = 16
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES
const HEX_KEY = /^[0-9a-fA-F]{64}$/
// 32 bytes are 43 base64 characters and one `=`; the URL-safe alphabet is accepted too.
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/

// The bytes live here, not on the object, so printing, logging or serialising a Config that
// holds a SecretsKey can never show them.
const keyBytes = new WeakMap<SecretsKey, Buffer>()

/** The 32-byte key values are sealed with (SECRETS_KEY); shows only its id when printed. */
export class SecretsKey {
  /** First byte of a digest of the key: which key sealed a value, without revealing it. */
  readonly id: number

  private constructor(bytes: Buffer) {
    this.id = createHash('sha256').update('policyhost secrets key id\0').update(bytes).digest()[0]!
    keyBytes.set(this, Buffer.from(bytes))
    Object.freeze(this)
  }

  /** A key from 32 bytes (tests and key generation). */
  static fromBytes(bytes: Uint8Array): SecretsKey {
    if (bytes.length !== KEY_BYTES) throw new Error(`a secrets key is ${KEY_BYTES} bytes`)
    return new SecretsKey(Buffer.from(bytes))
  }

  /** 64 hex characters or the base64 of 32 bytes (surrounding whitespace ignored); else null. */
  static parse(text: string): SecretsKey | null {
    const value = text.trim()
    if (HEX_KEY.test(value)) return new SecretsKey(Buffer.from(value, 'hex'))
    if (!BASE64_KEY.test(value)) return null
    const bytes = Buffer.from(value, 'base64')
    return bytes.length === KEY_BYTES ? new SecretsKey(bytes) : null
  }

  toString(): string {
    return `SecretsKey(id ${this.id})`
  }

  toJSON(): string {
    return this.toString()
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString()
  }
}

export type SealedErrorKind = 'truncated' | 'other-key' | 'tampered'

/** A sealed value that does not open. Its message names the row, never any key material. */
export class SealedError extends Error {
  override name = 'SealedError'
  constructor(
    readonly kind: SealedErrorKind,
    message: string,
  ) {
    super(message)
  }
}

function bytesOf(key: SecretsKey): Buffer {
  const bytes = keyBytes.get(key)
  if (bytes === undefined) throw new Error('not a SecretsKey made by SecretsKey.parse/fromBytes')
  return bytes
}

/** Seals `plaintext` for the row `context` names (the GCM associated data). */
export function seal(key: SecretsKey, context: string, plaintext: string | Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', bytesOf(key), iv, { authTagLength: TAG_BYTES })
  cipher.setAAD(Buffer.from(context, 'utf8'))
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([Buffer.from([key.id]), iv, cipher.getAuthTag(), body])
}

/** Opens a value sealed for `context`; throws SealedError when it does not authenticate. */
export function open(key: SecretsKey, context: string, sealed: Uint8Array): Buffer {
  const value = Buffer.from(sealed)
  if (value.length < HEADER_BYTES) {
    throw new SealedError('truncated', `sealed value of ${context} is truncated`)
  }
  if (value[0] !== key.id) {
    throw new SealedError(
      'other-key',
      `sealed value of ${context} was sealed with another key (id ${value[0]}), ` +
        `not the configured SECRETS_KEY (id ${key.id})`,
    )
  }
  const iv = value.subarray(1, 1 + IV_BYTES)
  const tag = value.subarray(1 + IV_BYTES, HEADER_BYTES)
  const decipher = createDecipheriv('aes-256-gcm', bytesOf(key), iv, { authTagLength: TAG_BYTES })
  decipher.setAAD(Buffer.from(context, 'utf8'))
  decipher.setAuthTag(tag)
  try {
    return Buffer.concat([decipher.update(value.subarray(HEADER_BYTES)), decipher.final()])
  } catch {
    // Node's own message ("Unsupported state or unable to authenticate data") says nothing useful.
    throw new SealedError(
      'tampered',
      `sealed value of ${context} does not authenticate: altered, or copied from another row`,
    )
  }
}
