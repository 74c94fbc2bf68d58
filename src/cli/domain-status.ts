/** `status DOMAIN [--json]`: the service behind GET /domains/DOMAIN/status. */
import { SYSTEM_ACTOR } from '../core/actor.js'
import type { Runtime } from '../main.js'
import { domainStatus, type DomainStatus } from '../services/domains/domain-status.js'
import { statusView } from '../http/views.js'
import { flag, type OptionValues } from './command.js'
import { domainJson } from './domains.js'
import { domainArg, escapeText, fields, json, out, table } from './output.js'
import { tenantNames } from './tenants.js'

/** The API's status shape (http/views.ts), with the tenant's name beside its id. */
const statusJson = (s: DomainStatus, tenant: string | null, now: Date) => ({
  ...statusView(s, now),
  domain: domainJson(s.domain, tenant),
})

export async function statusCmd(rt: Runtime, name: string, o: OptionValues): Promise<number> {
  const s = await domainStatus(rt.deps, SYSTEM_ACTOR, domainArg(name))
  const tenant = (await tenantNames(rt)).get(s.domain.tenantId) ?? null
  const v = statusJson(s, tenant, rt.deps.clock.now())
  if (flag(o, 'json')) {
    json(v)
    return 0
  }
  fields([
    ['domain', v.domain.name],
    ['tenant', tenant ?? v.domain.tenantId],
    ['status', v.domain.status],
    ['policy', v.policy ? `${v.policy.mode}, max_age ${v.policy.maxAge}, id ${v.policy.id}` : null],
  ])
  out('')
  table(
    ['hostname', 'role', 'dns', 'certificate', 'expires', 'renew at', 'next attempt', 'last error'],
    v.hostnames.map((h) => [
      h.name,
      h.role,
      h.dns.status,
      h.certificate.expired ? 'expired' : h.certificate.status,
      h.certificate.notAfter,
      h.certificate.renewAt,
      h.nextAttemptAt,
      h.lastError ?? h.dns.detail,
    ]),
  )
  // Why the records and URLs handed out may not work for outsiders (SERVICE_HOST, certificates).
  for (const w of v.warnings) process.stderr.write(`policyhost: warning: ${escapeText(w)}\n`)
  if (v.enforceAdvice) {
    out('')
    out(`ready to enforce: ${v.enforceAdvice.ready ? 'yes' : 'not yet'}`)
    for (const r of v.enforceAdvice.reasons) out(`  ${escapeText(r)}`)
  }
  if (v.bimi) {
    out('')
    out(`BIMI blockers: ${v.bimi.dmarcBlockers.length === 0 ? 'none' : ''}`.trimEnd())
    for (const b of v.bimi.dmarcBlockers) out(`  ${escapeText(b)}`)
    for (const c of v.bimi.certificates) {
      const warnings = c.warnings.length ? `: ${c.warnings.join('; ')}` : ''
      out(`  certificate ${escapeText(`${c.selector} until ${c.notAfter ?? '-'}${warnings}`)}`)
    }
  }
  if (v.checks.runs.length > 0) {
    out('')
    out(`live checks: ${v.checks.findings.length === 0 ? 'no problems' : ''}`.trimEnd())
    for (const f of v.checks.findings) out(`  ${f.severity}: ${escapeText(f.message)}`)
  }
  return 0
}
