import type { Actor } from '../../core/actor.js'
import { MAX_LOGO_BYTES, type SvgIssue } from '../../core/bimi/types.js'
import { DomainError, type FieldIssue } from '../../core/errors.js'
import type { BimiAssertion } from '../../core/ports.js'
import { bimiUrls, type BimiUrls } from './bimi-urls.js'
import { converterHint } from './convert-logo.js'
import { auditOf, type ServiceDeps } from '../deps.js'
import { requireLogoRoom } from '../tenants/quotas.js'
import { ownedDomain, requireActive } from '../scope.js'

export interface BimiView extends BimiAssertion {
  domain: string
  urls: BimiUrls
}

export interface LogoUploaded extends BimiView {
  warnings: SvgIssue[]
  changed: boolean
}

/** Every issue as a problem field: path, rule and a message that names its source. */
export const svgIssues = (issues: SvgIssue[]): FieldIssue[] =>
  issues.map((i) => ({ path: i.path, rule: i.rule, message: `${i.message} (${i.source})` }))

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

/**
 * Accepts a logo only when it is valid SVG Tiny PS; a refusal lists every reason. The bytes are
 * stored and served exactly as sent. An existing mark certificate is re-checked against it.
 */
export async function uploadLogo(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
  selector: string,
  bytes: Uint8Array,
): Promise<LogoUploaded> {
  const domain = await ownedDomain(deps, actor, name)
  requireActive(domain)
  if (bytes.byteLength > MAX_LOGO_BYTES) {
    throw new DomainError('VALIDATION', `the logo is over ${MAX_LOGO_BYTES} bytes (SVG-PS §2.4)`)
  }
  // Parsing runs in the worker pool, queued under the domain's tenant.
  const owner = domain.tenantId
  const verdict = await deps.bimi.validate(bytes, { owner })
  if (!verdict.valid) {
    const hint = converterHint(verdict.errors)
    throw new DomainError(
      'VALIDATION',
      `the logo is not valid SVG Tiny PS${hint ? `; ${hint}` : ''}`,
      svgIssues(verdict.errors),
    )
  }
  const sha256 = deps.sha256Hex(bytes)
  const now = deps.clock.now()
  const existing = await deps.repos.bimi.get(domain.id, selector)
  if (existing?.logoSha256 === sha256) {
    const urls = await bimiUrls(deps, domain.id, domain.name, existing)
    return { ...existing, domain: domain.name, urls, warnings: verdict.warnings, changed: false }
  }
  await requireLogoRoom(deps, actor, domain, { selector, sha256, size: bytes.byteLength })
  const vmcPem = existing?.vmcPem ?? null
  const report = vmcPem
    ? await deps.bimi.inspectVmc(vmcPem, {
        owner,
        domain: domain.name,
        selector,
        now,
        logoSvg: utf8.decode(bytes),
      })
    : null
  const assertion: BimiAssertion = {
    domainId: domain.id,
    selector,
    logoSha256: sha256,
    vmcPem,
    vmcNotAfter: existing?.vmcNotAfter ?? null,
    vmcMatchesLogo: report ? report.matchesLogo === true : null,
    updatedAt: now,
  }
  await deps.repos.bimi.putLogo(
    assertion,
    { sha256, svg: bytes, size: bytes.byteLength, createdAt: now },
    auditOf(
      deps,
      actor,
      'bimi.logo',
      `${selector}._bimi.${domain.name}`,
      { sha256 },
      domain.tenantId,
    ),
  )
  deps.log.info('bimi_logo_set', { domain: domain.name, selector, sha256 })
  const urls = await bimiUrls(deps, domain.id, domain.name, assertion)
  const warnings = [...verdict.warnings]
  if (report && !report.matchesLogo) {
    warnings.push({
      rule: 'vmc-logotype-mismatch',
      severity: 'warning',
      path: '/',
      message:
        'the stored mark certificate embeds another logo; a= is not published until a matching certificate is uploaded',
      source: 'BIMI §8.9',
    })
  }
  return { ...assertion, domain: domain.name, urls, warnings, changed: true }
}

/** The domain's BIMI assertions with their URLs. */
export async function listBimi(deps: ServiceDeps, actor: Actor, name: string): Promise<BimiView[]> {
  const domain = await ownedDomain(deps, actor, name)
  const all = await deps.repos.bimi.list(domain.id)
  return Promise.all(
    all.map(async (a) => ({
      ...a,
      domain: domain.name,
      urls: await bimiUrls(deps, domain.id, domain.name, a),
    })),
  )
}

/** Stops publishing a selector (its record disappears from the DNS plan). */
export async function removeBimi(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
  selector: string,
): Promise<void> {
  const domain = await ownedDomain(deps, actor, name)
  if (!(await deps.repos.bimi.get(domain.id, selector))) {
    throw new DomainError('NOT_FOUND', `domain "${name}" has no BIMI selector "${selector}"`)
  }
  await deps.repos.bimi.remove(
    domain.id,
    selector,
    auditOf(deps, actor, 'bimi.remove', `${selector}._bimi.${domain.name}`, {}, domain.tenantId),
  )
}
