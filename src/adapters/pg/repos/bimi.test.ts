import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTestStore, STORE_KINDS, type TestStore } from '../../../../test/helpers/repo-stores.js'
import type { AuditEntry, BimiAssertion, BimiRepo, StoredLogo } from '../../../core/ports.js'
import { bimiRepo as sqliteBimiRepo } from '../../db/repos/bimi.js'
import { bimiRepo } from './bimi.js'

const T0 = new Date('2026-12-01T10:00:00Z')
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000)

// A UTF-8 BOM first, then a NUL and a lone 0xFF: bytes a text column would not keep.
const BOM_SVG = new Uint8Array([
  0xef,
  0xbb,
  0xbf,
  ...new TextEncoder().encode('<svg version="1.2"/>'),
  0x00,
  0xff,
  0x0a,
])
const logo = (sha256: string, svg: Uint8Array = BOM_SVG): StoredLogo => ({
  sha256,
  svg,
  size: svg.length,
  createdAt: T0,
})
const HASH_A = `aa${'0'.repeat(62)}`
const HASH_B = `ab${'1'.repeat(62)}`
const assertion = (domainId: string, selector: string, o: Partial<BimiAssertion> = {}) => ({
  domainId,
  selector,
  logoSha256: HASH_A,
  vmcPem: null,
  vmcNotAfter: null,
  vmcMatchesLogo: null,
  updatedAt: T0,
  ...o,
})
const audit = (action: string): AuditEntry => ({
  at: T0,
  tenantId: 't1',
  actorTokenId: null,
  action,
  subject: 'bimi',
})

describe.each(STORE_KINDS)('BimiRepo (%s store)', (kind) => {
  let store: TestStore
  let bimi: BimiRepo
  beforeEach(async () => {
    store = await openTestStore(kind)
    await store.sql("INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'alpha', 0)")
    await store.sql("INSERT INTO tenants (id, name, created_at) VALUES ('t2', 'bravo', 0)")
    for (const [id, tenant, name, status] of [
      ['d1', 't1', 'alpha.example', 'active'],
      ['d2', 't1', 'other.example', 'active'],
      ['claim', 't2', 'claimed.example', 'pending'],
    ]) {
      await store.sql(
        'INSERT INTO domains (id, tenant_id, name, status, created_at) VALUES (?, ?, ?, ?, 0)',
        id,
        tenant,
        name,
        status,
      )
    }
    await store.sql(
      "INSERT INTO hostnames (name, domain_id, role) VALUES ('mta-sts.alpha.example', 'd1', 'policy')",
    )
    bimi = store.kind === 'sqlite' ? sqliteBimiRepo(store.sqlite.db) : bimiRepo(store.pg.db)
  })
  afterEach(() => store.close())

  const audits = async () =>
    (await store.sql<{ action: string }>('SELECT action FROM audit_log ORDER BY id')).map(
      (r) => r.action,
    )
  const count = async (table: string) =>
    Number((await store.sql<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n)

  it('when a logo starting with a BOM is stored, then the exact bytes come back', async () => {
    await bimi.putLogo(assertion('d1', 'default'), logo(HASH_A), audit('bimi.logo'))
    const back = await bimi.logo(HASH_A)
    expect(back).toEqual({ ...logo(HASH_A), svg: BOM_SVG })
    expect(back!.svg).toBeInstanceOf(Uint8Array)
    expect([...back!.svg.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(await bimi.logo(HASH_B)).toBeNull()
    expect(await audits()).toEqual(['bimi.logo'])
  })

  it('when one logo is put for several selectors and domains, then it is stored once and each domain keeps it', async () => {
    await bimi.putLogo(assertion('d1', 'default'), logo(HASH_A), audit('a'))
    await bimi.putLogo(assertion('d1', 'brand'), logo(HASH_A), audit('a'))
    await bimi.putLogo(assertion('d2', 'default'), logo(HASH_A), audit('a'))
    expect(await count('logos')).toBe(1)
    expect(await count('domain_logos')).toBe(2)
    expect((await bimi.list('d1')).map((a) => a.selector).sort()).toEqual(['brand', 'default'])
    expect(await bimi.get('d2', 'default')).toEqual(assertion('d2', 'default'))
    expect(await bimi.get('d2', 'brand')).toBeNull()
  })

  it('when two uploads of one logo race, then both succeed and it is stored once', async () => {
    await Promise.all([1, 2, 3, 4].map(() => store.sql('SELECT 1')))
    await Promise.all([
      bimi.putLogo(assertion('d1', 'default'), logo(HASH_A), audit('a')),
      bimi.putLogo(assertion('d2', 'default'), logo(HASH_A), audit('a')),
    ])
    expect(await count('logos')).toBe(1)
    expect(await count('domain_logos')).toBe(2)
  })

  it('when a new logo replaces the old, then the assertion moves and the history keeps both', async () => {
    await bimi.putLogo(assertion('d1', 'default'), logo(HASH_A), audit('a'))
    const second = new TextEncoder().encode('<svg/>')
    await bimi.putLogo(
      assertion('d1', 'default', { logoSha256: HASH_B, updatedAt: at(1) }),
      logo(HASH_B, second),
      audit('a'),
    )
    expect(await bimi.get('d1', 'default')).toMatchObject({ logoSha256: HASH_B, updatedAt: at(1) })
    expect((await bimi.domainLogoByPrefix('alpha.example', 'aa'))?.sha256).toBe(HASH_A)
    expect((await bimi.domainLogoByPrefix('alpha.example', 'ab'))?.svg).toEqual(second)
  })

  it('when a certificate is set and cleared, then the assertion carries it and then does not', async () => {
    await bimi.putLogo(assertion('d1', 'default'), logo(HASH_A), audit('a'))
    const withVmc = assertion('d1', 'default', {
      vmcPem: '-----BEGIN CERTIFICATE-----\r\nMII=\r\n-----END CERTIFICATE-----\r\n',
      vmcNotAfter: at(60 * 24 * 365),
      vmcMatchesLogo: false,
      updatedAt: at(1),
    })
    await bimi.putCertificate(withVmc, audit('bimi.vmc'))
    expect(await bimi.get('d1', 'default')).toEqual(withVmc)
    const cleared = assertion('d1', 'default', { updatedAt: at(2) })
    await bimi.putCertificate(cleared, audit('bimi.vmc'))
    expect(await bimi.get('d1', 'default')).toEqual(cleared)
    expect(await audits()).toEqual(['a', 'bimi.vmc', 'bimi.vmc'])
  })

  it('when an assertion is removed, then it is gone but the logo history stays', async () => {
    await bimi.putLogo(assertion('d1', 'default'), logo(HASH_A), audit('a'))
    await bimi.remove('d1', 'default', audit('bimi.remove'))
    expect(await bimi.list('d1')).toEqual([])
    expect(await bimi.domainLogoByPrefix('alpha.example', 'aa')).not.toBeNull()
    expect(await audits()).toEqual(['a', 'bimi.remove'])
  })

  it('when served by name, then only the live domain answers, never a pending claim or another domain', async () => {
    await bimi.putLogo(assertion('d1', 'default'), logo(HASH_A), audit('a'))
    await bimi.putLogo(assertion('claim', 'default'), logo(HASH_A), audit('a'))
    expect(await bimi.assertionByName('alpha.example', 'default')).toEqual(
      assertion('d1', 'default'),
    )
    expect(await bimi.assertionByName('alpha.example', 'brand')).toBeNull()
    expect(await bimi.assertionByName('claimed.example', 'default')).toBeNull()
    expect(await bimi.domainLogoByPrefix('claimed.example', 'aa')).toBeNull()
    expect(await bimi.domainLogoByPrefix('other.example', 'aa')).toBeNull()
    expect(await bimi.domainLogoByPrefix('alpha.example', 'ac')).toBeNull()
  })

  it('when a logo host is added, then its hostname and a pending certificate exist; a taken name is a CONFLICT', async () => {
    await bimi.addLogoHost('d1', 'logo.alpha.example', at(1), audit('bimi.host'))
    expect(
      await store.sql(
        'SELECT name, domain_id, role FROM hostnames WHERE name = ?',
        'logo.alpha.example',
      ),
    ).toEqual([{ name: 'logo.alpha.example', domain_id: 'd1', role: 'logo' }])
    expect(
      await store.sql(
        'SELECT status, due_at FROM certificates WHERE hostname = ?',
        'logo.alpha.example',
      ),
    ).toEqual([{ status: 'pending', due_at: at(1).getTime() }])
    await expect(
      bimi.addLogoHost('d2', 'logo.alpha.example', at(2), audit('bimi.host')),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    await expect(
      bimi.addLogoHost('d2', 'mta-sts.alpha.example', at(2), audit('bimi.host')),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(await audits()).toEqual(['bimi.host'])
  })

  it('when a logo host is removed, then only a logo-role name goes', async () => {
    await bimi.addLogoHost('d1', 'logo.alpha.example', at(1), audit('bimi.host'))
    await bimi.removeLogoHost('logo.alpha.example', audit('bimi.host.remove'))
    await bimi.removeLogoHost('mta-sts.alpha.example', audit('bimi.host.remove'))
    expect(
      (await store.sql<{ name: string }>('SELECT name FROM hostnames ORDER BY name')).map(
        (r) => r.name,
      ),
    ).toEqual(['mta-sts.alpha.example'])
  })
})
