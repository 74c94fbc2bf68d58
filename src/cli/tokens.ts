import { decodeCursor, type Cursor } from '../core/cursor.js'
import { DomainError } from '../core/errors.js'
import type { Runtime } from '../main.js'
import { SYSTEM_ACTOR } from '../core/actor.js'
import { listTenants } from '../services/tenants/tenants.js'
import {
  createToken,
  listTokens,
  revokeToken,
  rotateToken,
  TOKENS_PAGE_MAX,
} from '../services/auth/tokens.js'
import { flag, str, type OptionValues } from './command.js'
import { escapeText, iso, json, need, out, UsageError } from './output.js'
import { tenantIdByName } from './tenants.js'

/**
 * `token list [--tenant NAME] [--json]`: every token (or one tenant's), oldest first, with label,
 * tenant, created, last used and revoked; never the secret (only its hash is stored).
 */
export async function listTokensCmd(
  rt: Runtime,
  tenant: string | undefined,
  asJson: boolean,
): Promise<number> {
  const tenants = await listTenants(rt.deps, SYSTEM_ACTOR)
  const names = new Map(tenants.map((t) => [t.id, t.name]))
  let tenantId: string | undefined
  if (tenant !== undefined) {
    tenantId = tenants.find((t) => t.name.toLowerCase() === tenant.toLowerCase())?.id
    if (!tenantId) throw new DomainError('NOT_FOUND', `tenant "${tenant}" not found`)
  }
  const rows = []
  let cursor: Cursor | undefined
  do {
    const page = await listTokens(rt.deps, SYSTEM_ACTOR, {
      tenantId,
      cursor,
      limit: TOKENS_PAGE_MAX,
    })
    for (const t of page.items) {
      rows.push({
        id: t.id,
        label: t.label,
        tenant: t.tenantId === null ? null : (names.get(t.tenantId) ?? t.tenantId),
        createdAt: t.createdAt.toISOString(),
        lastUsedAt: iso(t.lastUsedAt),
        revokedAt: iso(t.revokedAt),
      })
    }
    cursor = page.nextCursor === null ? undefined : (decodeCursor(page.nextCursor) ?? undefined)
  } while (cursor)
  if (asJson) {
    json(rows)
    return 0
  }
  out(['id', 'label', 'tenant', 'created', 'last used', 'revoked'].join('\t'))
  for (const r of rows) {
    const cells = [r.id, r.label, r.tenant ?? '(operator)', r.createdAt, r.lastUsedAt, r.revokedAt]
    out(cells.map((c) => escapeText(c ?? '-')).join('\t'))
  }
  return 0
}

/** `token create --operator | --tenant NAME [--label L]`: the secret alone on stdout, once. */
export async function createTokenCmd(rt: Runtime, o: OptionValues): Promise<number> {
  const tenant = str(o, 'tenant')
  if (flag(o, 'operator') === (tenant !== undefined))
    throw new UsageError('give exactly one of --operator or --tenant NAME')
  const tenantId = tenant === undefined ? undefined : await tenantIdByName(rt, tenant)
  const t = await createToken(rt.deps, SYSTEM_ACTOR, {
    label: str(o, 'label') ?? 'cli',
    ...(tenantId ? { tenantId } : { operator: true }),
  })
  out(t.token)
  process.stderr.write(`token ${t.id} created; it is shown only this once\n`)
  return 0
}

/** `token revoke ID`: the token stops working at once (401). */
export async function revokeTokenCmd(rt: Runtime, id: string | undefined): Promise<number> {
  const tokenId = need(id, 'token ID')
  await revokeToken(rt.deps, SYSTEM_ACTOR, tokenId)
  out(`token ${tokenId} revoked`)
  return 0
}

/** `token rotate ID`: a new secret on stdout (printed once); the old one is revoked. */
export async function rotateTokenCmd(rt: Runtime, id: string | undefined): Promise<number> {
  const t = await rotateToken(rt.deps, SYSTEM_ACTOR, need(id, 'token ID'))
  out(t.token)
  process.stderr.write(`token ${t.id} replaces ${t.replaces}; it is shown only this once\n`)
  return 0
}
