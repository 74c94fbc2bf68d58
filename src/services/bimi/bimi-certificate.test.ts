import { readFileSync } from 'node:fs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createMarkCa, type MarkCa } from '../../../test/helpers/mark-ca.js'
import { serviceWorld, START, type ServiceWorld, failure } from '../../../test/helpers/services.js'
import { addDomain } from '../domains/domains.js'
import { listBimi, uploadLogo } from './bimi-logo.js'
import { removeCertificate, uploadCertificate } from './bimi-certificate.js'

const SVG = new URL('../../../test/fixtures/svg/', import.meta.url)
const LOGO = readFileSync(new URL('real-fastmail-fm.svg', SVG))
const OTHER = readFileSync(new URL('real-login-gov.svg', SVG))
const DAY = 86_400_000
const at = (days: number) => new Date(START.getTime() + days * DAY)

let world: ServiceWorld
let ca: MarkCa
/** The usual good certificate: names alpha.example, embeds LOGO, a year left (issued once). */
let good: string
beforeAll(async () => {
  ca = await createMarkCa(START)
  good = await mark(LOGO)
})
afterEach(() => world.close())

/** A mark certificate for alpha.example embedding `svg`, valid from yesterday to `untilDays`. */
async function mark(svg: Buffer, untilDays = 365, dnsNames = ['alpha.example']) {
  const issued = await ca.issue({
    logotype: { kind: 'gzip', svg: svg.toString('utf8') },
    dnsNames,
    notBefore: at(-1),
    notAfter: at(untilDays),
  })
  return issued.chainPem
}

async function withLogo() {
  world = await serviceWorld()
  const a = await world.tenant('alpha')
  const domain = await addDomain(world.deps, a.actor, { name: 'alpha.example' })
  await uploadLogo(world.deps, a.actor, 'alpha.example', 'default', new Uint8Array(LOGO))
  world.changes.length = 0
  return { a, domain }
}

describe('uploadCertificate', () => {
  it('when the certificate embeds the hosted logo and names the domain, then it is stored, its URL published, audited and announced', async () => {
    const { a, domain } = await withLogo()
    const pem = good

    const out = await uploadCertificate(world.deps, a.actor, 'alpha.example', 'default', pem)

    expect(out).toMatchObject({ vmcPem: pem, vmcMatchesLogo: true, vmcNotAfter: at(365) })
    expect(out.urls.certificate).toBe('https://sts.policyhost.test/logos/alpha.example/default.pem')
    expect(world.changes).toEqual([
      { type: 'domain.changed', domainId: domain.id, domain: 'alpha.example', what: 'bimi' },
    ])
    expect(await world.audit('bimi.certificate')).toMatchObject([
      { tenantId: a.id, detail: { notAfter: at(365).toISOString() } },
    ])
  })

  it.each([
    ['embeds another logo', () => mark(OTHER), 'vmc-logotype-mismatch'],
    ['has expired', () => mark(LOGO, -0.5), 'vmc-expired'],
  ])(
    'when the certificate %s, then VALIDATION naming %s and nothing is stored',
    async (_, pem, rule) => {
      const { a } = await withLogo()

      const err = await failure(
        uploadCertificate(world.deps, a.actor, 'alpha.example', 'default', await pem()),
      )

      expect(err.code).toBe('VALIDATION')
      expect(err.issues.map((i) => i.rule)).toContain(rule)
      expect((await listBimi(world.deps, a.actor, 'alpha.example'))[0]?.vmcPem).toBeNull()
      expect(world.changes).toEqual([])
    },
  )

  it('when the certificate names another domain, then VALIDATION', async () => {
    const { a } = await withLogo()

    const err = await failure(
      uploadCertificate(
        world.deps,
        a.actor,
        'alpha.example',
        'default',
        await mark(LOGO, 365, ['beta.example']),
      ),
    )

    expect(err.code).toBe('VALIDATION')
  })

  it('when the text is not a certificate, then VALIDATION', async () => {
    const { a } = await withLogo()

    const err = await failure(
      uploadCertificate(world.deps, a.actor, 'alpha.example', 'default', 'not a pem'),
    )

    expect(err.code).toBe('VALIDATION')
    expect(err.issues.length).toBeGreaterThan(0)
  })

  it('when the selector has no logo yet, then CONFLICT asking for the logo first', async () => {
    const { a } = await withLogo()

    const err = await failure(
      uploadCertificate(world.deps, a.actor, 'alpha.example', 'other', good),
    )

    expect(err.code).toBe('CONFLICT')
    expect(err.message).toContain('upload the logo for selector "other" first')
  })

  it("when another tenant uploads a certificate for a tenant's selector, then NOT_FOUND", async () => {
    await withLogo()
    const b = await world.tenant('beta')

    const err = await failure(
      uploadCertificate(world.deps, b.actor, 'alpha.example', 'default', good),
    )

    expect(err.code).toBe('NOT_FOUND')
  })

  it('when another logo is uploaded after the certificate, then the certificate stays but its URL is withdrawn with a warning', async () => {
    const { a } = await withLogo()
    await uploadCertificate(world.deps, a.actor, 'alpha.example', 'default', good)

    const out = await uploadLogo(
      world.deps,
      a.actor,
      'alpha.example',
      'default',
      new Uint8Array(OTHER),
    )

    expect(out).toMatchObject({ vmcMatchesLogo: false, urls: { certificate: null } })
    expect(out.vmcPem).not.toBeNull()
    expect(out.warnings.map((w) => w.rule)).toContain('vmc-logotype-mismatch')
  })

  it('when the certificate expires within 30 days, then it is stored with a warning', async () => {
    const { a } = await withLogo()

    const out = await uploadCertificate(
      world.deps,
      a.actor,
      'alpha.example',
      'default',
      await mark(LOGO, 10),
    )

    expect(out.warnings.map((w) => w.rule)).toContain('vmc-expiring')
  })
})

describe('removeCertificate', () => {
  it('when the certificate is removed, then the logo stays without a= and the removal is audited; again is NOT_FOUND', async () => {
    const { a } = await withLogo()
    await uploadCertificate(world.deps, a.actor, 'alpha.example', 'default', good)

    await removeCertificate(world.deps, a.actor, 'alpha.example', 'default')
    const err = await failure(removeCertificate(world.deps, a.actor, 'alpha.example', 'default'))

    const [view] = await listBimi(world.deps, a.actor, 'alpha.example')
    expect(view).toMatchObject({ vmcPem: null, vmcMatchesLogo: null, urls: { certificate: null } })
    expect(err.message).toBe('selector "default" has no mark certificate')
    expect(await world.audit('bimi.certificate.remove')).toHaveLength(1)
  })
})
