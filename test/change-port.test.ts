import { readFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { SYSTEM_ACTOR } from '../src/core/actor.js'
import type { Change } from '../src/core/changes.js'
import { uploadLogo } from '../src/services/bimi/bimi-logo.js'
import { addDomain } from '../src/services/domains/domains.js'
import { setPolicy } from '../src/services/mta-sts/mta-sts.js'
import { removeDueDomains, retireDomain } from '../src/services/domains/retire-domain.js'
import { setTlsRpt } from '../src/services/tls-rpt/tls-rpt.js'
import {
  createTenant,
  issueDue,
  MutableClock,
  startServer,
  type TestServer,
} from './helpers/test-server.js'
import { mustHandshake, normalizeSerial, storedCert } from './helpers/tls-client.js'

const LOGO = readFileSync(new URL('./fixtures/svg/real-fastmail-fm.svg', import.meta.url))
const OTHER_LOGO = readFileSync(new URL('./fixtures/svg/real-login-gov.svg', import.meta.url))
const POLICY = { mode: 'testing' as const, mx: ['mx.changes.example.org'], maxAge: 86400 }

// One server for the file (its worker thread warms up once); each test has its own tenant and
// domains, and sees only the events published while it runs.
let s: TestServer
let clock: MutableClock
let events: Change[]
let n = 0
let A: string
let B: string
beforeAll(async () => {
  clock = new MutableClock(new Date())
  s = await startServer({ clock })
  s.runtime.changes.subscribe((c) => void events.push(c))
})
afterAll(async () => {
  await s.close()
})
beforeEach(() => {
  n++
  A = `a${n}.changes.example.org`
  B = `b${n}.changes.example.org`
  events = []
})
afterEach(() => {
  vi.restoreAllMocks()
})

async function twoDomains() {
  const tenant = await createTenant(s, `changes${n}`)
  for (const name of [A, B]) {
    await addDomain(s.runtime.deps, SYSTEM_ACTOR, { name, tenantId: tenant.id })
    await uploadLogo(s.runtime.deps, SYSTEM_ACTOR, name, 'default', LOGO)
  }
  return tenant
}
const domainEvents = () =>
  events.flatMap((c) => (c.type === 'domain.changed' ? [[c.domain, c.what]] : []))

describe('change port: a write through a service reaches every subscriber', () => {
  it('when services write, then the store publishes one typed event per committed write, in order', async () => {
    const tenant = await twoDomains()
    await setPolicy(s.runtime.deps, SYSTEM_ACTOR, A, POLICY)
    await setTlsRpt(s.runtime.deps, SYSTEM_ACTOR, A, { rua: ['mailto:tls@changes.example.org'] })

    expect(events.filter((c) => c.type === 'tenant.changed')).toEqual([
      { type: 'tenant.changed', tenantId: tenant.id },
    ])
    expect(domainEvents()).toEqual([
      [A, 'status'],
      [A, 'bimi'],
      [B, 'status'],
      [B, 'bimi'],
      [A, 'policy'],
      // The report URL's first token, then the settings: both are in the _smtp._tls record.
      [A, 'tls-rpt'],
      [A, 'tls-rpt'],
    ])
  })

  it('when a write is rolled back, then nothing is published', async () => {
    await twoDomains()
    const a = events.find((c) => c.type === 'domain.changed' && c.domain === A)
    const domainId = a?.type === 'domain.changed' ? a.domainId : ''
    events = []
    const audit = { at: clock.now(), tenantId: null, actorTokenId: null, action: 'x', subject: A }

    // An active domain cannot be restored: the transaction throws and rolls back.
    await expect(s.runtime.deps.repos.domains.restore(domainId, null, audit)).rejects.toMatchObject(
      { code: 'CONFLICT' },
    )

    expect(domainId).not.toBe('')
    expect(events).toEqual([])
  })

  it('when a domain’s policy is set, then the snapshot serves it as soon as the write returns', async () => {
    await twoDomains()
    const set = await setPolicy(s.runtime.deps, SYSTEM_ACTOR, A, POLICY)

    const served = s.runtime.snapshot.lookup(`mta-sts.${A}`)
    expect(new TextDecoder().decode(served?.bytes)).toBe(set.text)
  })

  it('when one domain’s logo changes, then the logo cache drops that domain’s entries and keeps the other’s', async () => {
    await twoDomains()
    const logos = s.runtime.logos
    const before = {
      a: await logos.find(A, 'default.svg', true),
      b: await logos.find(B, 'default.svg', true),
    }
    const reads = vi.spyOn(s.runtime.deps.repos.bimi, 'assertionByName')

    await uploadLogo(s.runtime.deps, SYSTEM_ACTOR, A, 'default', OTHER_LOGO)
    const after = {
      a: await logos.find(A, 'default.svg', true),
      b: await logos.find(B, 'default.svg', true),
    }

    expect(reads.mock.calls.map((c) => c[0])).toEqual([A])
    expect(after.b).toEqual(before.b)
    expect(after.a?.etag).not.toBe(before.a?.etag)
    expect(Buffer.from(after.a!.bytes).equals(Buffer.from(before.a!.bytes))).toBe(false)
  })

  it('when a domain is added, then the certificate manager issues for it and the snapshot and SNI cache serve the certificate', async () => {
    await issueDue(s)
    await twoDomains()
    await s.runtime.certs.idle()
    const host = `mta-sts.${A}`

    const serial = (await storedCert(s, host))?.serial
    expect(serial).toBeTruthy()
    expect(events).toContainEqual({ type: 'certificate.stored', hostname: host, serial })
    expect(s.runtime.snapshot.certSerial(host)).toBe(serial)
    const first = await mustHandshake(s.httpsPort, { servername: host, ca: s.rootPem })
    first.socket.destroy()
    expect(normalizeSerial(first.cert.serialNumber)).toBe(normalizeSerial(serial!))

    // A renewal publishes the new serial: the next handshake gets the new certificate.
    await s.runtime.certs.renew([host], true)
    const renewed = (await storedCert(s, host))?.serial
    const second = await mustHandshake(s.httpsPort, { servername: host, ca: s.rootPem })
    second.socket.destroy()

    expect(renewed).not.toBe(serial)
    expect(events).toContainEqual({ type: 'certificate.stored', hostname: host, serial: renewed })
    expect(normalizeSerial(second.cert.serialNumber)).toBe(normalizeSerial(renewed!))
  })

  it('when a retired domain is removed, then its names leave the snapshot, its logos the cache and its certificate the store', async () => {
    await issueDue(s)
    await twoDomains()
    await s.runtime.certs.idle()
    const host = `mta-sts.${A}`
    await s.runtime.logos.find(B, 'default.svg', true)
    expect((await storedCert(s, host))?.serial).toBeTruthy()

    await setPolicy(s.runtime.deps, SYSTEM_ACTOR, A, POLICY)
    const retired = await retireDomain(s.runtime.deps, SYSTEM_ACTOR, A, { force: false })
    expect(retired.status).toBe('retiring')
    clock.advance(POLICY.maxAge + 1)
    expect(await removeDueDomains(s.runtime.deps)).toEqual([A])
    await s.runtime.certs.idle()
    const reads = vi.spyOn(s.runtime.deps.repos.bimi, 'assertionByName')

    const removed = events.filter((c) => c.type === 'domain.removed')
    expect(removed).toMatchObject([{ type: 'domain.removed', domain: A, hostnames: [host] }])
    expect(s.runtime.snapshot.lookup(host)).toBeUndefined()
    expect(s.runtime.snapshot.certSerial(host)).toBeUndefined()
    expect(await s.runtime.logos.find(A, 'default.svg', true)).toBeNull()
    expect(await s.runtime.logos.find(B, 'default.svg', true)).not.toBeNull()
    expect(reads.mock.calls.map((c) => c[0])).toEqual([A])
    expect(await storedCert(s, host)).toBeUndefined()
    expect(events).toContainEqual({ type: 'certificate.stored', hostname: host, serial: null })
  })
})
