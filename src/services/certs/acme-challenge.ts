import type { ServiceDeps } from '../deps.js'

/** RFC 8555 §8.3: the token is base64url; anything else cannot be ours. */
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/

/** The key authorization to answer an HTTP-01 validation with, or null. */
export async function challengeAnswer(deps: ServiceDeps, token: string): Promise<string | null> {
  if (!TOKEN.test(token)) return null
  return deps.repos.challenges.get(token, deps.clock.now())
}
