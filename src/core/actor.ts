/** Who is asking: the operator (all tenants) or one tenant. `tokenId` is null for the CLI. */
export type Actor =
  | { kind: 'operator'; tokenId: string | null }
  | { kind: 'tenant'; tenantId: string; tokenId: string | null }

/** The CLI and start-up tasks act as the operator without a token. */
export const SYSTEM_ACTOR: Actor = { kind: 'operator', tokenId: null }

/** The tenant an actor is scoped to, or null for the operator. */
export function actorTenant(actor: Actor): string | null {
  return actor.kind === 'tenant' ? actor.tenantId : null
}

/** The worker-queue owner of the operator's own jobs (tenants queue under their tenant id). */
export const OPERATOR_QUEUE = 'operator'
