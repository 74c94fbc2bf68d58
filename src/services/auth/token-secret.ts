import type { NewToken } from '../../core/ports.js'
import type { ServiceDeps } from '../deps.js'

/** A fresh token: the secret is returned once; only its hash is kept. */
export function mintToken(
  deps: ServiceDeps,
  tenantId: string | null,
  label: string,
  /** When the token is created; a tenant's first token shares the tenant's instant. */
  at: Date = deps.clock.now(),
): { secret: string; record: NewToken } {
  const secret = deps.newSecret()
  const record: NewToken = {
    id: deps.newId(),
    tenantId,
    label,
    sha256: deps.sha256Hex(secret),
    createdAt: at,
  }
  return { secret, record }
}
