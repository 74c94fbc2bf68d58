import type { Actor } from '../../core/actor.js'
import { DomainError } from '../../core/errors.js'
import type { SvgIssue } from '../../core/bimi/types.js'
import type { BimiAssertion } from '../../core/ports.js'
import { svgIssues, type BimiView } from './bimi-logo.js'
import { bimiUrls } from './bimi-urls.js'
import { auditOf, type ServiceDeps } from '../deps.js'
import { ownedDomain, requireActive } from '../scope.js'

/** A PEM chain of a few certificates; larger input is not a mark certificate. */
export const MAX_PEM_BYTES = 65_536

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

/**
 * Stores a mark certificate (VMC/CMC) for a selector that already has its logo. Refused, with
 * every reason, unless it is valid now, names the domain, is a mark certificate, and embeds the
 * hosted logo (BIMI §8.9: receivers compare them and show nothing when they differ).
 */
export async function uploadCertificate(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
  selector: string,
  pem: string,
): Promise<BimiView & { warnings: SvgIssue[] }> {
  const domain = await ownedDomain(deps, actor, name)
  requireActive(domain)
  const current = await deps.repos.bimi.get(domain.id, selector)
  if (!current) {
    throw new DomainError(
      'CONFLICT',
      `upload the logo for selector "${selector}" first (PUT /domains/${name}/bimi/logo)`,
    )
  }
  const logo = await deps.repos.bimi.logo(current.logoSha256)
  const now = deps.clock.now()
  const report = await deps.bimi.inspectVmc(pem, {
    owner: domain.tenantId,
    domain: domain.name,
    selector,
    now,
    logoSvg: logo ? utf8.decode(logo.svg) : null,
  })
  if (!report.ok) {
    throw new DomainError(
      'VALIDATION',
      'the mark certificate cannot be used',
      svgIssues(report.errors),
    )
  }
  const next: BimiAssertion = {
    ...current,
    vmcPem: pem,
    vmcNotAfter: report.notAfter,
    vmcMatchesLogo: report.matchesLogo === true,
    updatedAt: now,
  }
  await deps.repos.bimi.putCertificate(
    next,
    auditOf(
      deps,
      actor,
      'bimi.certificate',
      `${selector}._bimi.${domain.name}`,
      {
        notAfter: report.notAfter?.toISOString() ?? null,
      },
      domain.tenantId,
    ),
  )
  const urls = await bimiUrls(deps, domain.id, domain.name, next)
  return { ...next, domain: domain.name, urls, warnings: report.warnings }
}

/** Removes the selector's certificate (the logo stays; `a=` is dropped from the record). */
export async function removeCertificate(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
  selector: string,
): Promise<void> {
  const domain = await ownedDomain(deps, actor, name)
  const current = await deps.repos.bimi.get(domain.id, selector)
  if (!current?.vmcPem)
    throw new DomainError('NOT_FOUND', `selector "${selector}" has no mark certificate`)
  await deps.repos.bimi.putCertificate(
    {
      ...current,
      vmcPem: null,
      vmcNotAfter: null,
      vmcMatchesLogo: null,
      updatedAt: deps.clock.now(),
    },
    auditOf(
      deps,
      actor,
      'bimi.certificate.remove',
      `${selector}._bimi.${domain.name}`,
      {},
      domain.tenantId,
    ),
  )
}
