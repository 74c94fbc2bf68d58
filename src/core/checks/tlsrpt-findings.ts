/**
 * The checker's TLS-RPT step (issue 13): what senders reported (RFC 8460) over the last days,
 * as a finding when the share of failed sessions is above the operator's threshold. One key for
 * the domain, whichever result types make it up: the mix changes from day to day, and an alert
 * per type would repeat the same news. Pure: the service reads the window's tallies.
 */
import type { HealthFigures } from '../tls-rpt/health.js'
import { escapeForTerminal } from '../safe-text.js'
import type { Finding } from './findings.js'

export interface TlsRptRule {
  /** Alert above this share of failed sessions, in percent (TLSRPT_ALERT_FAILURE_PERCENT). */
  failurePercent: number
  /** Fewer failed sessions than this is noise (a stray sender), whatever the share. */
  minFailedSessions: number
  /** Days the figures cover (for the message). */
  days: number
}

/** The result types named in a message: the few that matter most. */
export const TYPES_SHOWN = 3

export function tlsRptFindings(
  totals: Pick<HealthFigures, 'successfulSessions' | 'failedSessions' | 'failuresByResultType'>,
  mode: 'enforce' | 'testing' | 'none' | null,
  rule: TlsRptRule,
): Finding[] {
  const { successfulSessions: ok, failedSessions: failed } = totals
  const all = ok + failed
  if (failed < rule.minFailedSessions || all === 0) return []
  const percent = (failed / all) * 100
  if (percent <= rule.failurePercent) return []
  const types = [...totals.failuresByResultType]
    .sort((a, b) => b.failedSessions - a.failedSessions)
    .slice(0, TYPES_SHOWN)
    // Result types are reporters' text: shown escaped (RFC 8460 §4.3 lists the known ones).
    .map((t) => `${escapeForTerminal(t.resultType)} ${t.failedSessions}`)
  return [
    {
      kind: 'tls-rpt',
      key: 'tls-rpt:failure-rate',
      // Under enforce a failed session is mail not delivered (RFC 8461 §5); else it is a warning
      // of what enforce would refuse.
      severity: mode === 'enforce' ? 'error' : 'warning',
      message:
        `senders reported ${failed} of ${all} TLS sessions failing (${percent.toFixed(1)} %, ` +
        `above ${rule.failurePercent} %) over ${rule.days} days: ${types.join(', ')}`,
    },
  ]
}
