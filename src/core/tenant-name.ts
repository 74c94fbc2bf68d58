import { z } from 'zod'

/** Tenant names are short slugs: safe in URLs, CLI arguments and log lines. */
export const TenantName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/,
    'must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit',
  )
export type TenantName = z.infer<typeof TenantName>

/** The tenant that `policies/` files are applied into. */
export const LOCAL_TENANT = 'local'
