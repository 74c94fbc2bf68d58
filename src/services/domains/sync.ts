import type { Actor } from '../../core/actor.js'
import { normalizeDomainName } from '../../core/domain-name.js'
import { DomainError } from '../../core/errors.js'
import { fieldIssues } from '../../core/issues.js'
import { PolicyFile, type PolicyFileText } from '../../core/policy-file.js'
import { LOCAL_TENANT } from '../../core/tenant-name.js'
import type { ServiceDeps } from '../deps.js'
import { verifyDomain } from './domain-verification.js'
import { addDomain } from './domains.js'
import { setPolicy } from '../mta-sts/mta-sts.js'
import { ensureTenant } from '../tenants/tenants.js'
import { setTlsRpt } from '../tls-rpt/tls-rpt.js'
import { setDnsMode } from '../dns/dns-mode.js'

export type SyncResult = 'created' | 'updated' | 'unchanged' | 'error'

export interface SyncOutcome {
  path: string
  domain: string | null
  result: SyncResult
  /** One line naming the field at fault. */
  error?: string
}

/**
 * Applies `policies/` files into the `local` tenant, idempotently: unchanged files write
 * nothing. A broken file is reported and skipped; the others still apply.
 */
export async function syncPolicyFiles(
  deps: ServiceDeps,
  actor: Actor,
  files: PolicyFileText[],
): Promise<SyncOutcome[]> {
  const tenant = await ensureTenant(deps, actor, LOCAL_TENANT)
  const out: SyncOutcome[] = []
  for (const file of files) {
    try {
      out.push(await applyOne(deps, actor, tenant.id, file))
    } catch (err) {
      const error = describe(err)
      deps.log.warn('policy_file_rejected', { path: file.path, error })
      out.push({ path: file.path, domain: null, result: 'error', error })
    }
  }
  return out
}

async function applyOne(
  deps: ServiceDeps,
  actor: Actor,
  tenantId: string,
  file: PolicyFileText,
): Promise<SyncOutcome> {
  const named = normalizeDomainName(file.name)
  if (!named.ok) throw new DomainError('VALIDATION', `file name: ${named.issues[0]?.message}`)
  let json: unknown
  try {
    json = JSON.parse(file.text)
  } catch (err) {
    throw new DomainError('VALIDATION', `invalid JSON: ${(err as Error).message}`)
  }
  const parsed = PolicyFile.safeParse(json)
  if (!parsed.success)
    throw new DomainError('VALIDATION', 'invalid file', fieldIssues(parsed.error.issues))
  const spec = parsed.data
  const name = named.value
  if (spec.domain !== undefined) {
    const inner = normalizeDomainName(spec.domain)
    if (!inner.ok || inner.value !== name) {
      throw new DomainError('VALIDATION', 'invalid file', [
        { path: 'domain', message: `must name the file's domain "${name}"` },
      ])
    }
  }
  const live = await deps.repos.domains.byName(name)
  if (live && live.tenantId !== tenantId) {
    throw new DomainError('CONFLICT', `domain "${name}" belongs to another tenant`)
  }
  // The files are operator input: their domains are verified at once (issue 9).
  const existing = live ?? (await deps.repos.domains.ofTenant(tenantId, name))
  let result: SyncResult = existing ? 'unchanged' : 'created'
  if (!existing) await addDomain(deps, actor, { name, tenantId }, { trusted: true })
  else if (existing.status === 'pending') {
    await verifyDomain(deps, actor, name, { trust: true, tenantId })
    result = 'updated'
  }
  const tenantActor: Actor = { kind: 'tenant', tenantId, tokenId: actor.tokenId }
  if (spec.mtaSts) {
    const { changed } = await setPolicy(deps, tenantActor, name, spec.mtaSts)
    if (changed && result === 'unchanged') result = 'updated'
  }
  if (spec.tlsRpt) {
    const { changed } = await setTlsRpt(deps, tenantActor, name, spec.tlsRpt)
    if (changed && result === 'unchanged') result = 'updated'
  }
  if (spec.dnsMode) {
    const before = (await deps.repos.domains.ofTenant(tenantId, name))?.dnsMode
    await setDnsMode(deps, tenantActor, name, spec.dnsMode)
    if (before !== spec.dnsMode && result === 'unchanged') result = 'updated'
  }
  return { path: file.path, domain: name, result }
}

function describe(err: unknown): string {
  if (err instanceof DomainError) {
    const first = err.issues[0]
    return first ? `${first.path || '(root)'}: ${first.message}` : err.message
  }
  return (err as Error).message ?? String(err)
}
