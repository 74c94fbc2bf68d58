/**
 * The owner's published `_mta-sts` and `_smtp._tls` records against what we serve, read the way
 * a sender reads them: records of another version are discarded, and anything but exactly one
 * valid record means "no policy" / "no reporting" to the sender (RFC 8461 §3.1, RFC 8460 §3).
 */
import { parseStsRecord } from '../mta-sts/sts-record.js'
import { parseTlsRptRecord } from '../tls-rpt/rua.js'
import type { Finding } from './findings.js'

export interface StsExpectation {
  /** The id of the policy we serve (RFC 8461 §3.1 `id=`), or null when none is set. */
  policyId: string | null
  /**
   * The owner delegated `_mta-sts` to our zone: its id then follows the policy by itself, one
   * step behind while a change is in flight (RFC 8461 §8.1), which is no problem to report.
   */
  delegated: boolean
}

const startsWith = (prefix: string) => (txt: string) => txt.startsWith(prefix)

/** Findings for the TXT records at `_mta-sts.<domain>` (`txts`: each record's strings joined). */
export function stsRecordFindings(txts: readonly string[], expect: StsExpectation): Finding[] {
  if (expect.policyId === null) return []
  // RFC 8461 §3.1: records that do not begin with "v=STSv1;" are discarded by senders.
  const sts = txts.filter(startsWith('v=STSv1'))
  const finding = (what: string, message: string): Finding => ({
    kind: 'sts-record',
    key: `sts-record:${what}`,
    severity: 'error',
    message,
  })
  if (sts.length === 0) {
    return [finding('missing', 'no v=STSv1 TXT record at _mta-sts: senders see no policy')]
  }
  // RFC 8461 §3.1: "If the number of resulting records is not one ... senders MUST assume the
  // recipient domain does not have an available MTA-STS Policy."
  if (sts.length > 1) {
    return [
      finding(
        'multiple',
        `${sts.length} v=STSv1 TXT records at _mta-sts: senders ignore them all; keep one`,
      ),
    ]
  }
  const parsed = parseStsRecord(sts[0] as string)
  if (!parsed.ok) {
    const why = parsed.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    return [finding('invalid', `the _mta-sts record is invalid (${why.join('; ')})`)]
  }
  if (!expect.delegated && parsed.value.id !== expect.policyId) {
    // RFC 8461 §3.1: senders refetch the policy only when the id changes; a stale id keeps
    // them on the policy they cached.
    return [
      finding(
        'id-mismatch',
        // The id parsed, so it is 1-32 letters and digits: safe to show as it is.
        `_mta-sts announces id ${parsed.value.id}, the served policy is ${expect.policyId}`,
      ),
    ]
  }
  return []
}

export interface TlsRptExpectation {
  /** Our report URL for the domain when TLS-RPT goes to us, or null when it is not set up. */
  reportUri: string | null
}

/** Findings for the TXT records at `_smtp._tls.<domain>`. */
export function tlsRptRecordFindings(
  txts: readonly string[],
  expect: TlsRptExpectation,
): Finding[] {
  if (expect.reportUri === null) return []
  // RFC 8460 §3: records not beginning with "v=TLSRPTv1" are discarded; not exactly one left
  // means the sender assumes no reporting at all.
  const records = txts.filter(startsWith('v=TLSRPTv1'))
  const finding = (what: string, severity: Finding['severity'], message: string): Finding => ({
    kind: 'tlsrpt-record',
    key: `tlsrpt-record:${what}`,
    severity,
    message,
  })
  if (records.length === 0) {
    return [finding('missing', 'error', 'no v=TLSRPTv1 TXT record at _smtp._tls: no reports')]
  }
  if (records.length > 1) {
    return [
      finding(
        'multiple',
        'error',
        `${records.length} v=TLSRPTv1 TXT records at _smtp._tls: senders send no reports; keep one`,
      ),
    ]
  }
  const parsed = parseTlsRptRecord(records[0] as string)
  if (!parsed.ok) {
    const why = parsed.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    return [finding('invalid', 'error', `the _smtp._tls record is invalid (${why.join('; ')})`)]
  }
  if (!parsed.value.rua.includes(expect.reportUri)) {
    return [
      finding(
        'rua-not-ours',
        'warning',
        `the _smtp._tls record's rua does not include ${expect.reportUri}: its reports do not reach us`,
      ),
    ]
  }
  return []
}
