/** `domain add|verify|list|show|remove`: the service verbs behind the API's /domains routes. */
import { SYSTEM_ACTOR } from '../core/actor.js'
import { verificationRecord } from '../core/domain-claim.js'
import { DomainError } from '../core/errors.js'
import type { Domain, DomainPage } from '../core/ports.js'
import { LOCAL_TENANT } from '../core/tenant-name.js'
import type { Runtime } from '../main.js'
import { verifyDomain } from '../services/domains/domain-verification.js'
import {
  addDomain,
  DOMAIN_PAGE_MAX,
  DomainInput,
  getDomain,
  listDomains,
} from '../services/domains/domains.js'
import { getPolicy } from '../services/mta-sts/mta-sts.js'
import { setDnsMode } from '../services/dns/dns-mode.js'
import { restoreDomain } from '../services/domains/restore-domain.js'
import { retireDomain } from '../services/domains/retire-domain.js'
import { flag, str, type OptionValues } from './command.js'
import { domainArg, fields, iso, json, out, parse, table, UsageError } from './output.js'
import { tenantByName } from '../services/tenants/tenants.js'
import { tenantIdByName, tenantNames } from './tenants.js'

const STATUSES = ['pending', 'active', 'retiring'] as const

/** A domain for scripts: what the API's DomainOut says, with the tenant's name. */
export function domainJson(d: Domain, tenant: string | null) {
  return {
    name: d.name,
    tenant,
    tenantId: d.tenantId,
    status: d.status,
    createdAt: d.createdAt.toISOString(),
    verifiedAt: iso(d.verifiedAt),
    claimExpiresAt: d.status === 'pending' ? iso(d.claimExpiresAt) : null,
    lastCheckError: d.status === 'pending' ? d.lastCheckError : null,
    retiredAt: iso(d.retiredAt),
    removeAt: iso(d.removeAt),
    dns: { mode: d.dnsMode, label: d.dnsLabel },
  }
}

/** `domain add DOMAIN [--tenant NAME]`. */
export async function domainAdd(rt: Runtime, name: string, o: OptionValues): Promise<number> {
  const tenantId = await tenantIdByName(rt, str(o, 'tenant') ?? LOCAL_TENANT)
  const input = parse(DomainInput, { name: domainArg(name), tenantId })
  const dom = await addDomain(rt.deps, SYSTEM_ACTOR, input)
  if (dom.status === 'pending' && dom.verificationToken) {
    const r = verificationRecord(dom.name, dom.verificationToken)
    out(
      `domain ${dom.name} claimed (pending until ${dom.claimExpiresAt?.toISOString()}); ` +
        `publish ${r.name} TXT "${r.value}", then run "policyhost domain verify ${dom.name}" ` +
        '(or --trust)',
    )
  } else {
    out(`domain ${dom.name} added; run "policyhost records ${dom.name}" for the DNS records`)
  }
  return 0
}

/** `domain verify DOMAIN [--trust] [--tenant NAME]`: exit 1 while still pending. */
export async function domainVerify(rt: Runtime, name: string, o: OptionValues): Promise<number> {
  const tenant = str(o, 'tenant')
  const tenantId = tenant === undefined ? undefined : await tenantIdByName(rt, tenant)
  const r = await verifyDomain(rt.deps, SYSTEM_ACTOR, domainArg(name), {
    trust: flag(o, 'trust'),
    tenantId,
  })
  out(`${r.verified ? 'verified' : 'pending'}: ${r.message}`)
  return r.verified ? 0 : 1
}

/** `domain list [--tenant NAME] [--status S] [--json]`: every page of GET /domains. */
export async function domainList(rt: Runtime, o: OptionValues): Promise<number> {
  const status = str(o, 'status')
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`)
  }
  const tenant = str(o, 'tenant')
  const tenantId =
    tenant === undefined ? undefined : (await tenantByName(rt.deps, SYSTEM_ACTOR, tenant)).id
  const names = await tenantNames(rt)
  const rows: Domain[] = []
  let after: DomainPage['after'] = null
  do {
    const page = await listDomains(rt.deps, SYSTEM_ACTOR, { after, limit: DOMAIN_PAGE_MAX })
    rows.push(...page.domains)
    after = page.next
  } while (after)
  const picked = rows.filter(
    (d) => (!tenantId || d.tenantId === tenantId) && (!status || d.status === status),
  )
  if (flag(o, 'json')) {
    json(picked.map((d) => domainJson(d, names.get(d.tenantId) ?? null)))
    return 0
  }
  table(
    ['domain', 'tenant', 'status', 'created', 'remove at'],
    picked.map((d) => [
      d.name,
      names.get(d.tenantId) ?? d.tenantId,
      d.status,
      d.createdAt.toISOString(),
      iso(d.removeAt),
    ]),
  )
  return 0
}

/** `domain show DOMAIN [--json]`: the domain and a summary of its policy. */
export async function domainShow(rt: Runtime, name: string, o: OptionValues): Promise<number> {
  const domain = await getDomain(rt.deps, SYSTEM_ACTOR, domainArg(name))
  const tenant = (await tenantNames(rt)).get(domain.tenantId) ?? null
  const policy = await getPolicy(rt.deps, SYSTEM_ACTOR, domain.name).catch((err: unknown) => {
    if (err instanceof DomainError && err.code === 'NOT_FOUND') return null
    throw err
  })
  const summary = policy && { id: policy.policyId, mode: policy.mode, maxAge: policy.maxAge }
  if (flag(o, 'json')) {
    json({ ...domainJson(domain, tenant), policy: summary })
    return 0
  }
  fields([
    ['domain', domain.name],
    ['tenant', tenant ?? domain.tenantId],
    ['status', domain.status],
    ['created', domain.createdAt.toISOString()],
    ['verified', iso(domain.verifiedAt)],
    ...(domain.status === 'pending'
      ? ([
          ['claim expires', iso(domain.claimExpiresAt)],
          ['last check error', domain.lastCheckError],
        ] as [string, string | null][])
      : []),
    ...(domain.status === 'retiring'
      ? ([['remove at', iso(domain.removeAt)]] as [string, string | null][])
      : []),
    [
      'policy',
      summary ? `${summary.mode}, max_age ${summary.maxAge}, id ${summary.id}` : 'none yet',
    ],
    ['dns', domain.dnsMode === 'delegated' ? `delegated (label ${domain.dnsLabel})` : 'self'],
  ])
  return 0
}

/** `domain dns DOMAIN self|delegated`: PUT /domains/DOMAIN/dns. */
export async function domainDns(
  rt: Runtime,
  name: string,
  mode: string | undefined,
): Promise<number> {
  if (mode !== 'self' && mode !== 'delegated') {
    throw new UsageError('MODE must be self or delegated')
  }
  const d = await setDnsMode(rt.deps, SYSTEM_ACTOR, domainArg(name), mode)
  out(
    d.dnsMode === 'delegated'
      ? `${d.name}: delegated (label ${d.dnsLabel}); publish the CNAMEs of \`policyhost records ${d.name}\` once`
      : `${d.name}: self; publish the TXT records of \`policyhost records ${d.name}\``,
  )
  return 0
}

/** `domain remove DOMAIN [--force] [--json]`: DELETE /domains/DOMAIN. */
export async function domainRemove(rt: Runtime, name: string, o: OptionValues): Promise<number> {
  const r = await retireDomain(rt.deps, SYSTEM_ACTOR, domainArg(name), { force: flag(o, 'force') })
  if (flag(o, 'json')) {
    json(
      r.status === 'removed'
        ? { name: r.name, status: r.status, removedAt: r.removedAt.toISOString() }
        : {
            name: r.name,
            status: r.status,
            retiredAt: r.retiredAt.toISOString(),
            removeAt: r.removeAt.toISOString(),
            policyId: r.policy.policyId,
          },
    )
  } else if (r.status === 'removed') {
    out(
      `domain ${r.name} removed; delete its DNS records ` +
        '(mta-sts CNAME, _mta-sts and _smtp._tls TXT)',
    )
  } else {
    out(
      `domain ${r.name} retiring until ${r.removeAt.toISOString()}: now serving mode "none"; ` +
        `publish the new _mta-sts id (${r.policy.policyId}) at once, and remove the DNS ` +
        'records only after that time',
    )
  }
  return 0
}

/** `domain restore DOMAIN [--json]`: POST /domains/DOMAIN/restore. */
export async function domainRestore(rt: Runtime, name: string, o: OptionValues): Promise<number> {
  const r = await restoreDomain(rt.deps, SYSTEM_ACTOR, domainArg(name))
  const policyId = r.policy?.policyId ?? null
  if (flag(o, 'json')) {
    json({
      name: r.name,
      status: 'active',
      restoredAt: r.restoredAt.toISOString(),
      policyId,
      previousPolicyId: r.previousPolicyId,
    })
  } else if (policyId) {
    out(
      `domain ${r.name} restored: serving its policy again under the new id ${policyId}; ` +
        'publish it in the _mta-sts TXT record',
    )
  } else out(`domain ${r.name} restored (it had no policy before the retirement)`)
  return 0
}
