/**
 * adapters/crypto: ids, secrets and digests from node:crypto, handed to services as functions
 * so core stays free of node:* and tests can pin them.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'

/** Lower-case hex SHA-256 of bytes (a string: its UTF-8). */
export const sha256Hex = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex')

/** 256 random bits, URL-safe, prefixed so a leaked token is recognisable in a scanner. */
export const newSecret = (): string => `ph_${randomBytes(32).toString('base64url')}`

export const newId = (): string => randomUUID()
