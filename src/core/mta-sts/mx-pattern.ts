import { normalizeHostname } from '../domain-name.js'
import type { Checked } from '../errors.js'

const WILDCARD = '*.'

function patternIssues(host: string): string[] {
  if (host.includes('*')) {
    // RFC 8461 §4.1: "*" may only be used to match the entire left-most label
    return ['"*" is allowed only as the whole left-most label, as in *.example.com']
  }
  if (host.startsWith('.')) {
    // RFC 8461 §4.1: the leading-dot form of earlier drafts is not a pattern
    return ['must not start with a dot; write *.example.com to match one label']
  }
  if (/:\d*$/.test(host) || host.startsWith('[')) {
    // RFC 8461 §3.2: sts-policy-mx-value = ["*."] Domain, so no port and no address literal
    return ['must be a host name without a port or address literal']
  }
  return []
}

/** Normalises an MTA-STS mx pattern (a host name or `*.` + host name) to lower-case A-labels. */
export function normalizeMxPattern(input: string): Checked<string> {
  const wildcard = input.startsWith(WILDCARD)
  const host = wildcard ? input.slice(WILDCARD.length) : input
  // RFC 8461 §3.2: an mx value is a single Domain, so whitespace anywhere is a mistake.
  const issues = /\s/.test(input) ? ['must not contain whitespace'] : []
  const shapeIssues = patternIssues(host)
  issues.push(...shapeIssues)
  if (shapeIssues.length === 0) {
    // The host after "*." needs two labels too: "*.com" would match every MX under .com.
    const result = normalizeHostname(host)
    if (!result.ok) issues.push(...result.issues.map((issue) => issue.message))
    else if (issues.length === 0) {
      return { ok: true, value: wildcard ? WILDCARD + result.value : result.value }
    }
  }
  return { ok: false, issues: issues.map((message) => ({ path: '', message })) }
}
