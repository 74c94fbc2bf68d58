/**
 * The domain checker's run (issue 13): what the owner published and where mail goes, read live
 * through the injected resolver as a sender would, compared with what we serve, and stored with
 * its changes (CheckRepo.record, one transaction; alerts react to `checks.changed`).
 *
 * Checks so far: the `_mta-sts` and `_smtp._tls` records, MX coverage by the policy, and the
 * STARTTLS probe of each MX (starttls-findings.ts), the policy fetched from outside
 * (policy-host-findings.ts), our certificates for its hostnames, BIMI (bimi-findings.ts) and
 * the failures senders reported by TLS-RPT (tlsrpt-step.ts). A lookup that fails makes its check "skipped" with the reason: it keeps
 * its earlier findings rather than reporting them resolved.
 */
import type { CheckRun } from '../../core/checks/check-ports.js'
import type { CheckKind, Finding, FindingChange } from '../../core/checks/findings.js'
import { certificateFindings } from '../../core/checks/certificate-findings.js'
import { mxCoverage, normalizeMxHost } from '../../core/checks/mx-coverage.js'
import { stsRecordFindings, tlsRptRecordFindings } from '../../core/checks/record-findings.js'
import type { Domain, StoredPolicy } from '../../core/ports.js'
import type { ServiceDeps } from '../deps.js'
import { ensureReportToken, reportUrl } from '../tls-rpt/report-endpoint.js'
import { bimiStep } from './bimi-findings.js'
import { attempt } from './check-step.js'
import { policyHostStep } from './policy-host-findings.js'
import { probeStep } from './starttls-findings.js'
import { tlsRptStep } from './tlsrpt-step.js'

export interface CheckOutcome {
  ran: CheckKind[]
  skipped: { kind: CheckKind; reason: string }[]
  /** The changes this run stored (what alerts are sent for). */
  changes: FindingChange[]
}

/** Runs the checks for a live domain and stores the outcome. */
export async function checkDomain(deps: ServiceDeps, domain: Domain): Promise<CheckOutcome> {
  const at = deps.clock.now()
  const [policy, tlsRpt] = await Promise.all([
    deps.repos.policies.get(domain.id),
    deps.repos.tlsRpt.get(domain.id),
  ])
  // One MX lookup for both the coverage and the probes; its failure skips both.
  const mx = deps.dns.mx(domain.name)
  mx.catch(() => undefined)
  const results = await Promise.all([
    attempt('sts-record', async () =>
      stsRecordFindings(await deps.dns.txt(`_mta-sts.${domain.name}`), {
        policyId: policy?.policyId ?? null,
        delegated: domain.dnsMode === 'delegated',
      }),
    ),
    attempt('tlsrpt-record', async () => {
      const reportUri = tlsRpt
        ? reportUrl(deps.service.url, await ensureReportToken(deps, domain.id))
        : null
      return tlsRptRecordFindings(await deps.dns.txt(`_smtp._tls.${domain.name}`), { reportUri })
    }),
    attempt('mx', async () => mxFindings(domain.name, policy, await mx)),
    probeStep(deps, policy, mx, at),
    policyHostStep(deps, domain, policy, at),
    bimiStep(deps, domain),
    tlsRptStep(deps, domain, policy, at),
    attempt('certificate', async () => {
      const names = (await deps.repos.domains.hostnames(domain.id)).map((h) => h.name)
      const states = await deps.repos.certs.many(names)
      return certificateFindings(names, new Map(states.map((c) => [c.hostname, c])), at)
    }),
  ])
  const run: CheckRun = {
    domainId: domain.id,
    tenantId: domain.tenantId,
    domain: domain.name,
    at,
    ran: [],
    found: [],
    skipped: [],
  }
  for (const r of results) {
    if ('skipped' in r) run.skipped.push({ kind: r.kind, reason: r.skipped })
    else {
      run.ran.push(r.kind)
      run.found.push(...r.found)
    }
  }
  const changes = await deps.repos.checks.record(run)
  for (const kind of run.ran) {
    deps.metrics.countCheck(kind, worstOf(run.found.filter((f) => f.kind === kind)), domain.name)
  }
  return { ran: run.ran, skipped: run.skipped, changes }
}

/** A check's result for metrics: `ok` without findings, else its worst finding's severity. */
function worstOf(found: readonly Finding[]): 'ok' | 'warning' | 'error' {
  if (found.some((f) => f.severity === 'error')) return 'error'
  return found.length > 0 ? 'warning' : 'ok'
}

/**
 * RFC 8461 §4.1: a sender delivers only to MX hosts the policy's `mx` patterns match. An
 * uncovered host is mail refused (enforce) or a failure report (testing).
 */
function mxFindings(
  domain: string,
  policy: StoredPolicy | null,
  records: { preference: number; exchange: string }[],
): Finding[] {
  if (policy === null || policy.mode === 'none') return []
  // RFC 7505: a null MX says the domain takes no mail at all; nothing to cover.
  if (records.length === 1 && records[0]?.exchange === '') return []
  // RFC 5321 §5.1: without MX records mail goes to the domain's own address (implicit MX), and
  // MTA-STS checks that name against the policy like any MX host.
  const hosts = records.length > 0 ? records.map((r) => r.exchange) : [normalizeMxHost(domain)]
  const { uncovered } = mxCoverage(policy.mx, hosts)
  const severity = policy.mode === 'enforce' ? 'error' : 'warning'
  return uncovered.map((host) => ({
    kind: 'mx',
    key: `mx:uncovered:${host}`,
    severity,
    message:
      policy.mode === 'enforce'
        ? `MX ${host} is not in the policy's mx list: senders refuse to deliver to it`
        : `MX ${host} is not in the policy's mx list: mail to it is reported as failing, and refused once in enforce`,
  }))
}
