import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import {
  serviceWorld,
  type ServiceWorld,
  failure,
  alphaWithDomain,
} from '../../../test/helpers/services.js'
import { retireDomain } from '../domains/retire-domain.js'
import { setPolicy } from '../mta-sts/mta-sts.js'
import { setTenantQuotas } from '../tenants/quotas.js'
import { listBimi, removeBimi, uploadLogo } from './bimi-logo.js'

const SVG = new URL('../../../test/fixtures/svg/', import.meta.url)
const svg = (f: string) => new Uint8Array(readFileSync(new URL(f, SVG)))
// Real logos (Fastmail, Login.gov) and hand-written conforming ones.
const LOGO = svg('real-fastmail-fm.svg')
const OTHER = svg('real-login-gov.svg')
const THIRD = svg('valid-basic.svg')
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

let world: ServiceWorld
afterEach(() => world.close())

async function live(env: Record<string, string> = {}) {
  world = await serviceWorld(env)
  return alphaWithDomain(world)
}

describe('uploadLogo', () => {
  it('when a valid Tiny PS logo is uploaded, then it is stored as sent under a content-addressed URL, audited and published', async () => {
    const { a, domain } = await live()

    const out = await uploadLogo(world.deps, a.actor, 'alpha.example', 'default', LOGO)

    const hash = sha(LOGO)
    expect(out).toMatchObject({
      selector: 'default',
      logoSha256: hash,
      changed: true,
      vmcPem: null,
    })
    expect(out.urls).toEqual({
      logo: `https://sts.policyhost.test/logos/alpha.example/${hash.slice(0, 16)}.svg`,
      certificate: null,
    })
    const stored = await world.deps.repos.bimi.logo(hash)
    expect(Buffer.from(stored!.svg).equals(Buffer.from(LOGO))).toBe(true)
    expect(world.changes).toEqual([
      { type: 'domain.changed', domainId: domain.id, domain: 'alpha.example', what: 'bimi' },
    ])
    expect(await world.audit('bimi.logo')).toMatchObject([
      { tenantId: a.id, subject: 'default._bimi.alpha.example', detail: { sha256: hash } },
    ])
  })

  it('when the same logo is uploaded again, then nothing is written', async () => {
    const { a } = await live()
    await uploadLogo(world.deps, a.actor, 'alpha.example', 'default', LOGO)
    world.changes.length = 0

    const again = await uploadLogo(world.deps, a.actor, 'alpha.example', 'default', LOGO)

    expect(again.changed).toBe(false)
    expect(world.changes).toEqual([])
    expect(await world.audit('bimi.logo')).toHaveLength(1)
  })

  it.each([
    ['invalid-script.svg', 'forbidden-element', true],
    ['invalid-title-missing.svg', 'title-missing', true],
    ['invalid-baseprofile-tiny.svg', 'root-base-profile', true],
    ['invalid-doctype-entity.svg', 'doctype', false],
    ['invalid-billion-laughs.svg', 'doctype', false],
    ['invalid-use-data-png.svg', 'raster-image', false],
    ['invalid-viewbox-not-square.svg', 'aspect-ratio', false],
  ])(
    'when %s is uploaded, then VALIDATION listing rule %s, with a hint to convert only when the converter can fix it (%s)',
    async (file, rule, hint) => {
      const { a } = await live()

      const err = await failure(
        uploadLogo(world.deps, a.actor, 'alpha.example', 'default', svg(file)),
      )

      expect(err.code).toBe('VALIDATION')
      expect(err.issues.map((i) => i.rule)).toContain(rule)
      expect(err.message.includes('convert it first')).toBe(hint)
      expect(await listBimi(world.deps, a.actor, 'alpha.example')).toEqual([])
    },
  )

  it('when the logo is over 32 KiB, then VALIDATION before it is parsed', async () => {
    const { a } = await live()
    const big = new Uint8Array(32_769).fill(0x20)

    const err = await failure(uploadLogo(world.deps, a.actor, 'alpha.example', 'default', big))

    expect(err.message).toBe('the logo is over 32768 bytes (SVG-PS §2.4)')
  })

  it('when the domain is being retired, then CONFLICT', async () => {
    const { a } = await live()
    await setPolicy(world.deps, a.actor, 'alpha.example', {
      mode: 'testing',
      mx: ['mx.alpha.example'],
      maxAge: 86400,
    })
    await retireDomain(world.deps, a.actor, 'alpha.example', { force: false })

    const err = await failure(uploadLogo(world.deps, a.actor, 'alpha.example', 'default', LOGO))

    expect(err.code).toBe('CONFLICT')
  })

  it("when another tenant uploads to or lists a tenant's domain, then NOT_FOUND", async () => {
    const { a } = await live()
    await uploadLogo(world.deps, a.actor, 'alpha.example', 'default', LOGO)
    const b = await world.tenant('beta')

    const up = await failure(uploadLogo(world.deps, b.actor, 'alpha.example', 'default', OTHER))
    const list = await failure(listBimi(world.deps, b.actor, 'alpha.example'))

    expect([up.code, list.code]).toEqual(['NOT_FOUND', 'NOT_FOUND'])
    expect((await listBimi(world.deps, a.actor, 'alpha.example'))[0]?.logoSha256).toBe(sha(LOGO))
  })
})

describe('logo quotas', () => {
  it('when the domain has its quota of selectors, then a new selector is refused but an existing one takes a new logo', async () => {
    const { a } = await live({ QUOTA_SELECTORS_PER_DOMAIN: '1' })
    await uploadLogo(world.deps, a.actor, 'alpha.example', 'default', LOGO)

    const err = await failure(uploadLogo(world.deps, a.actor, 'alpha.example', 'brand2', OTHER))
    const replaced = await uploadLogo(world.deps, a.actor, 'alpha.example', 'default', OTHER)

    expect(err.code).toBe('VALIDATION')
    expect(err.message).toContain('QUOTA_SELECTORS_PER_DOMAIN')
    expect(replaced.changed).toBe(true)
  })

  it('when the domain keeps its quota of logos, then a new logo is refused, but one it keeps may come back', async () => {
    const { a } = await live({ QUOTA_LOGOS_PER_DOMAIN: '2' })
    await uploadLogo(world.deps, a.actor, 'alpha.example', 'default', LOGO)
    await uploadLogo(world.deps, a.actor, 'alpha.example', 'default', OTHER)

    const err = await failure(uploadLogo(world.deps, a.actor, 'alpha.example', 'default', THIRD))
    const back = await uploadLogo(world.deps, a.actor, 'alpha.example', 'default', LOGO)

    expect(err.message).toContain('QUOTA_LOGOS_PER_DOMAIN')
    expect(back.logoSha256).toBe(sha(LOGO))
  })

  it('when the logos would pass the byte quota, then refused naming QUOTA_LOGO_BYTES_PER_DOMAIN', async () => {
    const { a } = await live({ QUOTA_LOGO_BYTES_PER_DOMAIN: String(LOGO.byteLength) })
    await uploadLogo(world.deps, a.actor, 'alpha.example', 'default', LOGO)

    const err = await failure(uploadLogo(world.deps, a.actor, 'alpha.example', 'default', OTHER))

    expect(err.message).toContain('QUOTA_LOGO_BYTES_PER_DOMAIN')
    expect(err.message).toContain(`is ${LOGO.byteLength} bytes`)
  })

  it('when the operator uploads past a tenant quota, then it is not limited', async () => {
    const { a } = await live()
    await setTenantQuotas(world.deps, world.operator, a.id, { selectorsPerDomain: 0 })

    expect((await failure(uploadLogo(world.deps, a.actor, 'alpha.example', 's', LOGO))).code).toBe(
      'VALIDATION',
    )
    const out = await uploadLogo(world.deps, world.operator, 'alpha.example', 's', LOGO)
    expect(out.changed).toBe(true)
  })
})

describe('removeBimi', () => {
  it('when a selector is removed, then it is no longer listed, audited and published; an unknown one is NOT_FOUND', async () => {
    const { a, domain } = await live()
    await uploadLogo(world.deps, a.actor, 'alpha.example', 'default', LOGO)
    world.changes.length = 0

    await removeBimi(world.deps, a.actor, 'alpha.example', 'default')
    const err = await failure(removeBimi(world.deps, a.actor, 'alpha.example', 'default'))

    expect(await listBimi(world.deps, a.actor, 'alpha.example')).toEqual([])
    expect(err.message).toBe('domain "alpha.example" has no BIMI selector "default"')
    expect(world.changes).toEqual([
      { type: 'domain.changed', domainId: domain.id, domain: 'alpha.example', what: 'bimi' },
    ])
    expect(await world.audit('bimi.remove')).toMatchObject([
      { subject: 'default._bimi.alpha.example' },
    ])
  })
})
