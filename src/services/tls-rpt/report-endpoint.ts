import type { Actor } from '../../core/actor.js'
import { DomainError } from '../../core/errors.js'
import { auditOf, type ServiceDeps } from '../deps.js'
import { ownedDomain } from '../scope.js'

/** A rotated report URL keeps working this long: reporters cache the record for its TTL. */
export const TOKEN_GRACE_MS = 7 * 86_400_000

/** 132 random bits, URL-safe: the URL is published in DNS but must not be guessable. */
const newToken = (deps: ServiceDeps) => deps.newSecret().replace(/^ph_/, '').slice(0, 22)

/** The hosted `https:` rua of a report token (RFC 8460 §3: reports are POSTed to it). */
export const reportUrl = (serviceUrl: string, token: string): string =>
  `${serviceUrl}/tlsrpt/${token}`

/** The domain's report URL, created on first use. */
export async function ensureReportToken(deps: ServiceDeps, domainId: string): Promise<string> {
  const current = await deps.repos.reports.currentToken(domainId)
  if (current) return current
  const token = newToken(deps)
  const now = deps.clock.now()
  await deps.repos.reports.rotateToken(domainId, token, now, now, null)
  return token
}

/** A new report URL; the old one keeps accepting reports for TOKEN_GRACE_MS. */
export async function rotateReportToken(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
): Promise<{ url: string; previousValidUntil: Date }> {
  const domain = await ownedDomain(deps, actor, name)
  if (!(await deps.repos.tlsRpt.get(domain.id))) {
    throw new DomainError('NOT_FOUND', `domain "${name}" has no TLS-RPT settings`)
  }
  const token = newToken(deps)
  const now = deps.clock.now()
  const graceUntil = new Date(now.getTime() + TOKEN_GRACE_MS)
  await deps.repos.reports.rotateToken(
    domain.id,
    token,
    now,
    graceUntil,
    auditOf(
      deps,
      actor,
      'tlsrpt.rotate',
      domain.name,
      { graceUntil: graceUntil.toISOString() },
      domain.tenantId,
    ),
  )
  return { url: reportUrl(deps.service.url, token), previousValidUntil: graceUntil }
}
