/**
 * The fixed label values of policyhost's metrics, and the mappings that put any input onto
 * them: a label value never passes through from a request, a report or a tenant, so the number
 * of series stays bounded whatever arrives.
 */
import { KNOWN_RESULT_TYPES } from '../../core/tls-rpt/result-types.js'

export const HOST_CLASSES = ['policy', 'logo', 'service', 'report', 'other'] as const
export type HostClass = (typeof HOST_CLASSES)[number]
export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const
export type StatusClass = (typeof STATUS_CLASSES)[number]
export const CHECK_RESULTS = ['ok', 'warning', 'error'] as const
export type CheckResult = (typeof CHECK_RESULTS)[number]
export const ALERT_CHANNELS = ['webhook', 'mail'] as const
export type AlertChannel = (typeof ALERT_CHANNELS)[number]
export const OUTCOMES = ['ok', 'failed'] as const
export type Outcome = (typeof OUTCOMES)[number]
/** RFC 8460 §4.3 result types plus `other` for values outside the registry (or junk). */
export const FAILURE_RESULT_TYPES = [...KNOWN_RESULT_TYPES, 'other'] as const
export type FailureResultType = (typeof FAILURE_RESULT_TYPES)[number]
/** `expired` overrides the stored status: a row past notAfter serves no valid certificate. */
export const CERT_STATES = ['ok', 'pending', 'dns_pending', 'failed', 'expired'] as const
export type CertStateLabel = (typeof CERT_STATES)[number]

/** `value` when it is one of `allowed`, else `fallback`. */
export function pick<T extends string>(value: string, allowed: readonly T[], fallback: T): T {
  return (allowed as readonly string[]).includes(value) ? (value as T) : fallback
}

/** RFC 9110 §15: final statuses are 200–599 here; anything else is our bug, counted as 5xx. */
export function statusClass(status: number): StatusClass {
  if (status >= 200 && status < 300) return '2xx'
  if (status >= 300 && status < 400) return '3xx'
  if (status >= 400 && status < 500) return '4xx'
  return '5xx'
}

/** Maps any input onto the fixed host classes. */
export function hostClass(value: string): HostClass {
  return pick(value, HOST_CLASSES, 'other')
}

/** Maps a reported result type onto RFC 8460 §4.3's list, anything else to `other`. */
export function failureResultType(value: string): FailureResultType {
  return pick(value, FAILURE_RESULT_TYPES, 'other')
}

/** Every pair of two label lists, for starting known series at 0. */
export function pairs<A extends string, B extends string>(
  as: readonly A[],
  bs: readonly B[],
): (readonly [A, B])[] {
  return as.flatMap((a) => bs.map((b) => [a, b] as const))
}
