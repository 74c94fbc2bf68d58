import { z } from 'zod'
import type { Actor } from '../../core/actor.js'
import { pageOf, type Cursor, type Page } from '../../core/cursor.js'
import { DomainError } from '../../core/errors.js'
import { fieldIssues } from '../../core/issues.js'
import type { ApiToken } from '../../core/ports.js'
import { HIDDEN } from '../../core/safe-text.js'
import { auditOf, type ServiceDeps } from '../deps.js'
import { mintToken } from './token-secret.js'

// Labels are shown in lists and written to logs and the audit trail: control characters (NUL,
// newlines, ANSI escapes) and format characters (bidi overrides such as U+202E, zero-width
// marks) would let a label rewrite what an operator sees (issue 9 finding 12).

export const TokenLabel = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((label) => !HIDDEN.test(label), {
    message: 'must not contain control or invisible formatting characters (such as bidi overrides)',
  })

export const TokenInput = z
  .object({
    label: TokenLabel,
    /** Operator only: the tenant to create the token for. */
    tenantId: z.string().min(1).max(64).optional(),
    /** Operator only: `true` makes another operator token (it must be asked for by name). */
    operator: z.literal(true).optional(),
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
    if (
      input.operator === true ||
      (input.tenantId !== undefined && input.tenantId !== actor.tenantId)
    ) {
      throw new DomainError('FORBIDDEN', 'a tenant token can only create tokens for its tenant')
    }
    tenantId = actor.tenantId
  } else {
    // An operator token can do everything: a forgotten tenantId must not quietly mint one
    // (issue 10 point 3), so the operator names exactly one of the two.
    if ((input.tenantId === undefined) === (input.operator === undefined)) {
      throw new DomainError('VALIDATION', 'invalid request', [
        {
          path: 'tenantId',
          message: 'give exactly one of tenantId (a tenant token) or "operator": true',
        },
      ])
    }
    tenantId = input.tenantId ?? null
    if (tenantId !== null && !(await deps.repos.tenants.byId(tenantId))) {
      throw new DomainError('VALIDATION', 'invalid request', [
        { path: 'tenantId', message: 'no such tenant' },
      ])
    }
  }
  // Checked here as well as at the HTTP edge: the CLI passes its --label straight in.
  const label = TokenLabel.safeParse(input.label)
  if (!label.success) {
    throw new DomainError(
      'VALIDATION',
      'invalid request',
      fieldIssues(label.error.issues, ['label']),
    )
  }
  const { secret, record } = mintToken(deps, tenantId, label.data)
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

/**
 * A new secret for a token the caller can see, same label and tenant; the old one is revoked in
 * the same transaction. NOT_FOUND for another tenant's token, CONFLICT when already revoked.
 */
export async function rotateToken(
  deps: ServiceDeps,
  actor: Actor,
  id: string,
): Promise<CreatedToken & { replaces: string }> {
  const token = await deps.repos.tokens.byId(id)
  if (!token || (actor.kind === 'tenant' && token.tenantId !== actor.tenantId)) {
    throw new DomainError('NOT_FOUND', `token "${id}" not found`)
  }
  const conflict = new DomainError('CONFLICT', `token "${id}" is revoked; create a new one`)
  if (token.revokedAt) throw conflict
  const { secret, record } = mintToken(deps, token.tenantId, token.label)
  const rotated = await deps.repos.tokens.rotate(
    id,
    deps.clock.now(),
    record,
    auditOf(deps, actor, 'token.rotate', id, { newId: record.id }, token.tenantId),
  )
  if (!rotated) throw conflict
  return {
    id: record.id,
    tenantId: record.tenantId,
    label: record.label,
    token: secret,
    replaces: id,
  }
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

/** Tokens per page: the default, and the most one page returns. */
export const TOKENS_PAGE = 100
export const TOKENS_PAGE_MAX = 1_000

/**
 * One page of tokens, oldest first, never their secrets or hashes: a tenant sees its own; the
 * operator sees every token, or one tenant's with `tenantId`.
 */
export async function listTokens(
  deps: ServiceDeps,
  actor: Actor,
  query: { tenantId?: string; cursor?: Cursor; limit?: number },
): Promise<Page<ApiToken>> {
  if (
    actor.kind === 'tenant' &&
    query.tenantId !== undefined &&
    query.tenantId !== actor.tenantId
  ) {
    throw new DomainError('FORBIDDEN', "a tenant token can only list its own tenant's tokens")
  }
  const scope = actor.kind === 'tenant' ? actor.tenantId : query.tenantId
  const limit = Math.min(Math.max(query.limit ?? TOKENS_PAGE, 1), TOKENS_PAGE_MAX)
  const rows = await deps.repos.tokens.list(scope, query.cursor ?? null, limit + 1)
  return pageOf(rows, limit, (t) => ({ at: t.createdAt.getTime(), id: t.id }))
}
