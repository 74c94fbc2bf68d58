/** Lower-case hex SHA-256 of bytes (a string counts as its UTF-8), injected so core stays free of node:*. */
export type Sha256Hex = (data: string | Uint8Array) => string

// RFC 8461 §3.1: sts-id = 1*32(ALPHA / DIGIT)
const POLICY_ID = /^[A-Za-z0-9]{1,32}$/
const ID_LENGTH = 32

/** Derives the `_mta-sts` id from the rendered policy, so it changes exactly when the body does. */
export function policyId(rendered: string, sha256Hex: Sha256Hex): string {
  // RFC 8461 §3.1: the id must identify one policy instance; 128 bits of a content hash do,
  // and never repeat an old id for different content as a counter or timestamp might.
  return sha256Hex(rendered).slice(0, ID_LENGTH)
}

/** Tells whether a string is a syntactically valid `_mta-sts` id. */
export function isValidPolicyId(id: string): boolean {
  return POLICY_ID.test(id)
}
