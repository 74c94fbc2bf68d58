import { z } from 'zod'
import { DomainError } from './errors.js'

/**
 * What one tenant may hold, so that no tenant can fill the disk or the certificate queue for
 * the others. Defaults come from config; the operator overrides them per tenant.
 */
export interface Quotas {
  /** Domains of one tenant, pending claims included (each may cost a certificate). */
  domainsPerTenant: number
  /** BIMI selectors (assertions) of one domain. */
  selectorsPerDomain: number
  /** Logos one domain keeps in its history (each URL stays served until the domain goes). */
  logosPerDomain: number
  /** Bytes of those logos together. */
  logoBytesPerDomain: number
  /** TLS reports one domain may receive per UTC day. */
  tlsrptReportsPerDomainDay: number
  /** Bytes those reports may take in storage per UTC day (raw + bounded parsed form). */
  tlsrptBytesPerDomainDay: number
}

export type QuotaKey = keyof Quotas

/** The configuration variable that sets each default, named in every refusal. */
export const QUOTA_VARIABLES: Readonly<Record<QuotaKey, string>> = {
  domainsPerTenant: 'QUOTA_DOMAINS_PER_TENANT',
  selectorsPerDomain: 'QUOTA_SELECTORS_PER_DOMAIN',
  logosPerDomain: 'QUOTA_LOGOS_PER_DOMAIN',
  logoBytesPerDomain: 'QUOTA_LOGO_BYTES_PER_DOMAIN',
  tlsrptReportsPerDomainDay: 'TLSRPT_REPORTS_PER_DOMAIN_DAY',
  tlsrptBytesPerDomainDay: 'TLSRPT_BYTES_PER_DOMAIN_DAY',
}

const quota = z
  .number({ error: 'must be a whole number from 0 to 2^53-1' })
  .int('must be a whole number from 0 to 2^53-1')
  .min(0, 'must be a whole number from 0 to 2^53-1')

/** The operator's overrides for one tenant: any subset of the quotas; absent keys use config. */
export const QuotaOverrides = z
  .object({
    domainsPerTenant: quota.optional(),
    selectorsPerDomain: quota.optional(),
    logosPerDomain: quota.optional(),
    logoBytesPerDomain: quota.optional(),
    tlsrptReportsPerDomainDay: quota.optional(),
    tlsrptBytesPerDomainDay: quota.optional(),
  })
  .strict()
export type QuotaOverrides = z.infer<typeof QuotaOverrides>

/** Defaults with the tenant's overrides applied; stored values that are not valid are ignored. */
export function effectiveQuotas(defaults: Quotas, stored: unknown): Quotas {
  const parsed = QuotaOverrides.safeParse(stored ?? {})
  if (!parsed.success) return { ...defaults }
  const overrides = Object.fromEntries(
    Object.entries(parsed.data).filter(([, v]) => v !== undefined),
  ) as Partial<Quotas>
  return { ...defaults, ...overrides }
}

export interface QuotaCheck {
  key: QuotaKey
  limit: number
  /** What is held (or used today) before this request. */
  used: number
  /** What this request would add. */
  adding: number
  /** `bytes`, `domains`… for the message. */
  unit: string
  /** Who holds it: `the tenant`, `example.com`, `example.com today (UTC)`. */
  holder: string
}

/**
 * null when `used + adding` fits the limit; otherwise the refusal, naming the quota, the
 * variable that sets its default, the limit and what is used, so the caller can act.
 */
export function quotaRefusal(
  check: QuotaCheck,
  code: 'VALIDATION' | 'RATE_LIMITED' | 'PAYLOAD_TOO_LARGE',
  /** RFC 9110 §10.2.3: when the quota opens again (a daily quota at 00:00 UTC). */
  retryAfterSeconds?: number,
): DomainError | null {
  if (check.used + check.adding <= check.limit) return null
  const variable = QUOTA_VARIABLES[check.key]
  const message =
    `quota ${check.key} (${variable}) is ${check.limit} ${check.unit}; ` +
    `${check.holder} has ${check.used}` +
    (check.adding > 1 ? ` and this needs ${check.adding} more` : '') +
    '; the operator can raise it per tenant'
  return new DomainError(code, message, [{ path: `quota.${check.key}`, message, rule: variable }], {
    retryAfterSeconds,
  })
}
