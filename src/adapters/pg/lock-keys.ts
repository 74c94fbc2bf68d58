/**
 * Every PostgreSQL advisory lock key policyhost takes, in one place so that no two uses share
 * one by accident (a key is a bigint in a namespace shared with whatever else runs on the
 * database). Job and certificate leases are rows, not advisory locks (core/leases.ts).
 */
export const LOCK_KEYS = {
  /** Migrations: instances starting together migrate one after another (database.ts). */
  migrate: 8101238263633657857n,
  /** The env-bootstrapped operator token, replaced by one instance at a time (repos/tokens.ts). */
  envOperator: 4177290833250137811n,
  /** Finding events commit in id order, so the alert cursor skips none (repos/checks.ts). */
  eventOrder: 4127795033128561021n,
} as const
