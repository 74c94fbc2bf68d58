/**
 * The DNS preflight before an ACME order: the name must already point at us, or the CA's
 * validation fails and burns rate limits (Let's Encrypt allows 5 failures per hour per name).
 */

export interface PreflightAnswers {
  /** CNAME targets of the hostname. */
  cnames: string[]
  /** Addresses the hostname resolves to (after CNAMEs). */
  addresses: string[]
}

export interface PreflightTarget {
  serviceHost: string
  /** Our public addresses: configured ones plus what SERVICE_HOST resolves to. */
  addresses: string[]
}

export type PreflightVerdict = { ok: true; detail: string } | { ok: false; detail: string }

/** Decides whether `hostname` reaches us: a CNAME to the service host, or one of our addresses. */
export function preflightVerdict(
  hostname: string,
  answers: PreflightAnswers,
  target: PreflightTarget,
): PreflightVerdict {
  if (answers.cnames.includes(target.serviceHost)) {
    return { ok: true, detail: `CNAME ${target.serviceHost}` }
  }
  const ours = new Set(target.addresses)
  const hit = answers.addresses.find((a) => ours.has(a))
  if (hit) return { ok: true, detail: `resolves to ${hit}` }
  if (answers.cnames.length > 0) {
    return {
      ok: false,
      detail: `${hostname} is a CNAME to ${answers.cnames.join(', ')}, not ${target.serviceHost}`,
    }
  }
  if (answers.addresses.length > 0) {
    return {
      ok: false,
      detail: `${hostname} resolves to ${answers.addresses.join(', ')}, none of them ours; add CNAME ${target.serviceHost}.`,
    }
  }
  return { ok: false, detail: `${hostname} does not resolve; add CNAME ${target.serviceHost}.` }
}
