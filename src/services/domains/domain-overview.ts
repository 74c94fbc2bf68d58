/**
 * The dashboard's domains list (issue 14): a page of the caller's domains with their state at
 * a glance, searched by part of the name, in name order with a keyset cursor.
 */
import type { Actor } from '../../core/actor.js'
import type { DomainOverviewRow } from '../../core/domain-overview.js'
import type { ServiceDeps } from '../deps.js'
import { dayOf } from '../tls-rpt/report-intake.js'

/** TLS-RPT sessions shown beside a domain: the last seven days, today included. */
export const OVERVIEW_TLSRPT_DAYS = 7
export const OVERVIEW_PAGE = 50

export interface OverviewPage {
  rows: DomainOverviewRow[]
  /** Where the next page starts, or null on the last. */
  next: { name: string; id: string } | null
}

export async function domainOverview(
  deps: ServiceDeps,
  actor: Actor,
  opts: { search?: string; after?: { name: string; id: string } | null; limit?: number },
): Promise<OverviewPage> {
  const limit = Math.min(Math.max(opts.limit ?? OVERVIEW_PAGE, 1), 200)
  const search = opts.search?.trim().slice(0, 253) || null
  const since = dayOf(
    new Date(deps.clock.now().getTime() - (OVERVIEW_TLSRPT_DAYS - 1) * 86_400_000),
  )
  // One extra row tells whether another page exists.
  const rows = await deps.repos.overview.page({
    tenantId: actor.kind === 'tenant' ? actor.tenantId : null,
    search,
    after: opts.after ?? null,
    limit: limit + 1,
    since,
  })
  if (rows.length <= limit) return { rows, next: null }
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]!
  return { rows: page, next: { name: last.name, id: last.id } }
}
