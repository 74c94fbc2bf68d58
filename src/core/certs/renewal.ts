/**
 * Renewal decisions as pure functions (after certmagic's maintain.go/config.go): when to renew,
 * how long to back off after a failure, when a certificate is in its emergency window.
 * Time and the per-certificate jitter seed are arguments; nothing here reads a clock.
 */

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** First retry after a failure; doubles per consecutive failure (certmagic retries at 1 min). */
export const BACKOFF_MIN_MS = MINUTE
/** Longest wait between attempts: 6 h keeps a broken name to 4 CA orders a day. */
export const BACKOFF_MAX_MS = 6 * HOUR
/** In the emergency window a failing name is retried at least this often. */
export const EMERGENCY_BACKOFF_MAX_MS = 15 * MINUTE

export interface Validity {
  notBefore: Date
  notAfter: Date
}

/** A stable number in [0, 1) from a string (FNV-1a), so jitter survives restarts. */
export function jitterFraction(seed: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h / 0x1_0000_0000
}

/**
 * When to renew: once a third of the lifetime is left (Let's Encrypt's and certmagic's
 * advice), pulled earlier by up to a twelfth of the lifetime so that certificates issued
 * together do not all renew in the same tick.
 */
export function renewAt(cert: Validity, jitter: number): Date {
  const lifetime = cert.notAfter.getTime() - cert.notBefore.getTime()
  const spread = (lifetime / 12) * Math.min(Math.max(jitter, 0), 0.999)
  return new Date(cert.notAfter.getTime() - lifetime / 3 - spread)
}

/**
 * True when so little time is left that an outage could let the certificate expire: the last
 * tenth of its lifetime, or the last day for short-lived certificates.
 */
export function inEmergencyWindow(cert: Validity, now: Date): boolean {
  const lifetime = cert.notAfter.getTime() - cert.notBefore.getTime()
  const left = cert.notAfter.getTime() - now.getTime()
  return left <= Math.max(lifetime / 10, Math.min(24 * HOUR, lifetime / 3))
}

/**
 * Delay before the next attempt after `failures` consecutive failures (1 min, 2, 4 … 6 h),
 * with up to 10 % jitter so a burst of failures does not retry in lock-step; capped at
 * 15 min while the current certificate is in its emergency window.
 */
export function backoffMs(failures: number, jitter: number, emergency: boolean): number {
  const exp = Math.min(Math.max(failures, 1) - 1, 20)
  const cap = emergency ? EMERGENCY_BACKOFF_MAX_MS : BACKOFF_MAX_MS
  const base = Math.min(BACKOFF_MIN_MS * 2 ** exp, cap)
  return Math.round(base * (1 - 0.1 * Math.min(Math.max(jitter, 0), 1)))
}

/** The next attempt time after a failure. */
export function nextAttemptAt(
  now: Date,
  failures: number,
  jitter: number,
  current: Validity | null,
): Date {
  const emergency = current !== null && inEmergencyWindow(current, now)
  return new Date(now.getTime() + backoffMs(failures, jitter, emergency))
}
