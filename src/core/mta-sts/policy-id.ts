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

/**
 * The id for a new instance of `rendered` (a policy published again, as a restore does): its
 * content hash when the domain never used that id, else the hash of the text and the first
 * republication count `n` whose id is unused, so no id is ever given to two instances.
 */
export function freshPolicyId(
  rendered: string,
  sha256Hex: Sha256Hex,
  used: Iterable<string>,
): string {
  const taken = new Set(used)
  let id = policyId(rendered, sha256Hex)
  // RFC 8461 §3.1: the id "MUST uniquely identify a given instance of a policy"; a sender that
  // cached an older instance must see the id change. A rendered policy never contains NUL, so
  // `text NUL n` is never the input of any policy's content hash.
  for (let n = 1; taken.has(id); n++) id = sha256Hex(`${rendered}\0${n}`).slice(0, ID_LENGTH)
  return id
}

/** Tells whether a string is a syntactically valid `_mta-sts` id. */
export function isValidPolicyId(id: string): boolean {
  return POLICY_ID.test(id)
}
