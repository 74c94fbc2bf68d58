import type { NewToken } from '../core/ports.js'
import type { ServiceDeps } from './deps.js'

/** A fresh token: the secret is returned once; only its hash is kept. */
export function mintToken(
  deps: ServiceDeps,
  tenantId: string | null,
  label: string,
): { secret: string; record: NewToken } {
  const secret = deps.newSecret()
  const record: NewToken = {
    id: deps.newId(),
    tenantId,
    label,
    sha256: deps.sha256Hex(secret),
    createdAt: deps.clock.now(),
  }
  return { secret, record }
}
