import { z } from 'zod'
import type { Actor } from '../core/actor.js'
import { DomainError } from '../core/errors.js'
import { auditOf, type ServiceDeps } from './deps.js'
import { mintToken } from './token-secret.js'

export const TokenInput = z
  .object({
    label: z.string().trim().min(1).max(100),
    /** Operator only: the tenant to create the token for; absent → an operator token. */
    tenantId: z.string().min(1).max(64).optional(),
  })
  .strict()
export type TokenInput = z.infer<typeof TokenInput>

export interface CreatedToken {
  id: string
  tenantId: string | null
  label: string
  /** The secret, shown only here. */
  token: string
}

/** A new token for the caller's tenant; the operator may name any tenant, or none. */
export async function createToken(
  deps: ServiceDeps,
  actor: Actor,
  input: TokenInput,
): Promise<CreatedToken> {
  let tenantId: string | null
  if (actor.kind === 'tenant') {
    if (input.tenantId !== undefined && input.tenantId !== actor.tenantId) {
      throw new DomainError('FORBIDDEN', 'a tenant token can only create tokens for its tenant')
    }
    tenantId = actor.tenantId
  } else {
    tenantId = input.tenantId ?? null
    if (tenantId !== null && !(await deps.repos.tenants.byId(tenantId))) {
      throw new DomainError('VALIDATION', 'invalid request', [
        { path: 'tenantId', message: 'no such tenant' },
      ])
    }
  }
  const { secret, record } = mintToken(deps, tenantId, input.label)
  await deps.repos.tokens.create(
    record,
    auditOf(deps, actor, 'token.create', record.id, { label: record.label }, tenantId),
  )
  return { id: record.id, tenantId, label: record.label, token: secret }
}

/** Revokes a token the caller can see; NOT_FOUND otherwise (no enumeration). */
export async function revokeToken(deps: ServiceDeps, actor: Actor, id: string): Promise<void> {
  const token = await deps.repos.tokens.byId(id)
  if (!token || (actor.kind === 'tenant' && token.tenantId !== actor.tenantId)) {
    throw new DomainError('NOT_FOUND', `token "${id}" not found`)
  }
  if (token.revokedAt) return
  await deps.repos.tokens.revoke(
    id,
    deps.clock.now(),
    auditOf(deps, actor, 'token.revoke', id, {}, token.tenantId),
  )
}

/** Makes ADMIN_TOKEN the live bootstrap operator token, revoking an earlier value. */
export async function bootstrapOperatorToken(deps: ServiceDeps, secret: string): Promise<void> {
  const record = {
    id: deps.newId(),
    tenantId: null,
    label: 'ADMIN_TOKEN',
    sha256: deps.sha256Hex(secret),
    createdAt: deps.clock.now(),
  }
  const audit = auditOf(deps, { kind: 'operator', tokenId: null }, 'token.bootstrap', 'ADMIN_TOKEN')
  if (await deps.repos.tokens.replaceEnvOperator(record, audit)) {
    deps.log.info('operator_token_bootstrapped', { source: 'ADMIN_TOKEN' })
  }
}
