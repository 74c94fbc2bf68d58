/** `status DOMAIN [--json]`: the service behind GET /domains/DOMAIN/status. */
import { SYSTEM_ACTOR } from '../core/actor.js'
import type { Runtime } from '../main.js'
import { domainStatus, type DomainStatus } from '../services/domains/domain-status.js'
import { flag, type OptionValues } from './command.js'
import { domainJson } from './domains.js'
import { domainArg, escapeText, fields, iso, json, out, table } from './output.js'
import { tenantNames } from './tenants.js'

/** The API's status shape, with the tenant's name. */
function statusJson(s: DomainStatus, tenant: string | null, now: Date) {
  return {
    domain: domainJson(s.domain, tenant),
    policy: s.policy
      ? { id: s.policy.policyId, mode: s.policy.mode, maxAge: s.policy.maxAge }
      : null,
    enforceAdvice: s.enforceAdvice,
    bimi: s.bimi,
    hostnames: s.hostnames.map(({ name, role, cert: c }) => ({
      name,
      role,
      dns: { status: c?.dnsStatus ?? 'unchecked', detail: c?.dnsDetail ?? null },
      certificate: {
        status: c?.status ?? 'pending',
        issuer: c?.issuer ?? null,
        serial: c?.serial ?? null,
        notBefore: iso(c?.notBefore),
        notAfter: iso(c?.notAfter),
        renewAt: iso(c?.renewAt),
        expired: c?.notAfter ? c.notAfter.getTime() <= now.getTime() : false,
      },
      lastError: c?.lastError ?? null,
      lastAttemptAt: iso(c?.lastAttemptAt),
      failures: c?.failures ?? 0,
      nextAttemptAt: iso(c?.dueAt),
    })),
  }
}

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
  return 0
}
