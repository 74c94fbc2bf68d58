import { describe, expect, it } from 'vitest'
import { effectiveQuotas, QuotaOverrides, quotaRefusal, type Quotas } from './quotas.js'

const DEFAULTS: Quotas = {
  domainsPerTenant: 100,
  selectorsPerDomain: 10,
  logosPerDomain: 20,
  logoBytesPerDomain: 1_048_576,
  tlsrptReportsPerDomainDay: 1_000,
  tlsrptBytesPerDomainDay: 52_428_800,
}

describe('quotas', () => {
  it('when the operator overrides some keys, then the rest keep their defaults', () => {
    expect(effectiveQuotas(DEFAULTS, { domainsPerTenant: 5 })).toEqual({
      ...DEFAULTS,
      domainsPerTenant: 5,
    })
    expect(effectiveQuotas(DEFAULTS, null)).toEqual(DEFAULTS)
    // A stored value that is no longer valid is ignored rather than trusted.
    expect(effectiveQuotas(DEFAULTS, { domainsPerTenant: -1 })).toEqual(DEFAULTS)
  })

  it.each([
    [{ domainsPerTenant: -1 }],
    [{ domainsPerTenant: 1.5 }],
    [{ unknown: 1 }],
    [{ logosPerDomain: '3' }],
  ])('when the overrides are %j, then they are refused', (body) => {
    expect(QuotaOverrides.safeParse(body).success).toBe(false)
  })

  it('when a request fits, then no refusal; when it does not, the refusal names key, variable and usage', () => {
    const check = {
      key: 'logoBytesPerDomain' as const,
      limit: 1000,
      used: 900,
      unit: 'bytes',
      holder: 'a.example',
    }
    expect(quotaRefusal({ ...check, adding: 100 }, 'VALIDATION')).toBeNull()
    const refusal = quotaRefusal({ ...check, adding: 101 }, 'VALIDATION')!
    expect(refusal.code).toBe('VALIDATION')
    expect(refusal.message).toContain(
      'logoBytesPerDomain (QUOTA_LOGO_BYTES_PER_DOMAIN) is 1000 bytes',
    )
    expect(refusal.message).toContain('a.example has 900')
    expect(refusal.issues[0]).toMatchObject({
      path: 'quota.logoBytesPerDomain',
      rule: 'QUOTA_LOGO_BYTES_PER_DOMAIN',
    })
  })
})
