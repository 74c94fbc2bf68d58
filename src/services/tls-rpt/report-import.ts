import { OPERATOR_QUEUE } from '../../core/actor.js'
import { DomainError } from '../../core/errors.js'
import type { ReportMediaType } from '../../core/tls-rpt/decoder.js'
import type { ServiceDeps } from '../deps.js'
import { decodeAndParse, refuse, storeReport, type IntakeResult } from './report-intake.js'

/**
 * A report that arrived another way (mailto: rua, RFC 8460 §3): the operator imports it through
 * the same validation. Its first policy-domain must be a hosted domain. RFC 8460 §3 requires a
 * valid DKIM signature on mailed reports; by importing, the operator vouches for the file.
 */
export async function importReport(
  deps: ServiceDeps,
  input: { body: Uint8Array; media: ReportMediaType; source: string; maxDecompressed: number },
): Promise<IntakeResult> {
  const fields = { source: input.source }
  // Imported by the operator: its jobs queue under the operator, apart from every tenant's.
  const parsed = await decodeAndParse(
    deps,
    input.body,
    input.media,
    input.maxDecompressed,
    fields,
    OPERATOR_QUEUE,
  )
  // The tallies list the report's policy domains in order of first appearance.
  const first = parsed.tallies[0]?.domain
  const domain = first ? await deps.repos.domains.byName(first) : null
  if (!domain)
    refuse(
      deps,
      new DomainError('NOT_FOUND', `no hosted domain "${first ?? ''}" for this report`),
      fields,
    )
  const endpoint = { domainId: domain.id, domain: domain.name, tenantId: domain.tenantId }
  return storeReport(
    deps,
    endpoint,
    parsed,
    { ...input, now: deps.clock.now() },
    { ...fields, domain: domain.name },
  )
}
