import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Change } from '../../core/changes.js'
import type { CertStore, Issuer } from '../../core/certs/types.js'
import { fileCertStore } from '../../adapters/certs/file-store.js'
import { localCa } from '../../adapters/certs/local-ca.js'
import { serviceWorld, START, type ServiceWorld } from '../../../test/helpers/services.js'
import { attemptIssue, type CertDeps } from './cert-attempt.js'

const HOST = 'mta-sts.alpha.example'
const SERVICE = 'sts.policyhost.test'

let world: ServiceWorld
let dir: string
let ca: Issuer
// One local CA for the file (its root costs a key generation); leaves follow each world's clock.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'policyhost-cert-attempt-'))
  ca = await localCa(join(dir, 'ca'), {
    keyType: 'ecdsa-p256',
    clock: () => (world ? world.clock.now() : START),
  })
})
afterAll(() => rm(dir, { recursive: true, force: true }))
afterEach(() => world.close())

/** The real local CA and file store in a temp folder, the world's DNS table, clock and state rows. */
async function certWorld(opts: { preflight?: boolean; issuer?: Issuer } = {}) {
  world = await serviceWorld()
  const store: CertStore = fileCertStore(await mkdtemp(join(dir, 'certs-')))
  const published: Change[] = []
  const d: CertDeps = {
    repos: world.deps.repos,
    store,
    issuer: opts.issuer ?? ca,
    dns: world.dns,
    clock: world.clock,
    log: world.deps.log,
    serviceHost: SERVICE,
    publicAddresses: ['203.0.113.7'],
    preflight: opts.preflight ?? true,
    orderTimeoutMs: 10_000,
    changes: { publish: async (c) => void published.push(c) },
  }
  return { d, store, published }
}

const state = () => world.deps.repos.certs.get(HOST)

describe('attemptIssue', () => {
  it.each([
    ['a CNAME to the service host', () => world.dns.cnames.set(HOST, [SERVICE])],
    ['one of our public addresses', () => world.dns.addrs.set(HOST, ['203.0.113.7'])],
  ])(
    'when the host reaches us through %s, then a certificate is obtained, stored, scheduled for renewal and announced',
    async (_, point) => {
      const { d, store, published } = await certWorld()
      point()

      expect(await attemptIssue(d, HOST)).toBe('obtained')

      const read = await store.read(HOST)
      if (read.status !== 'ok') throw new Error(`store: ${read.status}`)
      const s = await state()
      expect(s).toMatchObject({
        status: 'ok',
        issuerName: 'local',
        serial: read.bundle.serial,
        failures: 0,
        lastError: null,
        dnsStatus: 'ok',
        lastAttemptAt: START,
      })
      expect(s!.renewAt!.getTime()).toBeGreaterThan(START.getTime())
      expect(s!.renewAt!.getTime()).toBeLessThan(read.bundle.notAfter.getTime())
      expect(published).toEqual([
        { type: 'certificate.stored', hostname: HOST, serial: read.bundle.serial },
      ])
      expect(world.logged('cert_obtained')).toMatchObject([
        { hostname: HOST, serial: read.bundle.serial },
      ])
    },
  )

  it('when the host already has a certificate, then the next attempt renews it with a new serial', async () => {
    const { d, store } = await certWorld()
    world.dns.cnames.set(HOST, [SERVICE])
    await attemptIssue(d, HOST)
    const first = (await state())!.serial
    world.clock.advance(86_400)

    expect(await attemptIssue(d, HOST)).toBe('renewed')

    expect((await state())!.serial).not.toBe(first)
    expect(await store.currentSerial(HOST)).toBe((await state())!.serial)
    expect(world.logged('cert_renewed')).toHaveLength(1)
  })

  it.each([
    ['does not resolve', () => {}, `${HOST} does not resolve; add CNAME ${SERVICE}.`],
    [
      'is a CNAME elsewhere',
      () => world.dns.cnames.set(HOST, ['other.host.example']),
      `${HOST} is a CNAME to other.host.example, not ${SERVICE}`,
    ],
    [
      'resolves to addresses not ours',
      () => world.dns.addrs.set(HOST, ['198.51.100.1']),
      'none of them ours',
    ],
    [
      'cannot be looked up',
      () => world.dns.failing.add(HOST),
      'DNS lookup failed: queryTxt ESERVFAIL',
    ],
  ])(
    'when the host %s, then no order is placed: dns_pending with the reason and a backoff',
    async (_, setup, detail) => {
      const { d, store, published } = await certWorld()
      setup()

      expect(await attemptIssue(d, HOST)).toBe('dns_pending')

      const s = await state()
      expect(s).toMatchObject({ status: 'dns_pending', dnsStatus: 'pending', failures: 1 })
      expect(s!.dnsDetail).toContain(detail)
      expect(s!.lastError).toContain(detail)
      expect(s!.dueAt.getTime()).toBeGreaterThan(START.getTime())
      expect((await store.read(HOST)).status).toBe('missing')
      expect(published).toEqual([])
      expect(world.logged('cert_dns_pending')).toHaveLength(1)
    },
  )

  it('when preflight is off (the local CA), then DNS is not asked', async () => {
    const { d } = await certWorld({ preflight: false })
    world.dns.failing.add(HOST)

    expect(await attemptIssue(d, HOST)).toBe('obtained')
    expect((await state())!.dnsStatus).toBeNull()
  })

  it('when the CA fails again and again, then each failure is recorded, backs off further, and the current certificate is kept', async () => {
    const { d, store } = await certWorld({ preflight: false })
    await attemptIssue(d, HOST)
    const serial = (await state())!.serial
    let calls = 0
    const broken: Issuer = {
      name: 'local',
      issue: () => Promise.reject(new Error(`urn:ietf:params:acme:error:rateLimited (${++calls})`)),
    }
    const failing = { ...d, issuer: broken }

    const gaps: number[] = []
    for (let i = 1; i <= 3; i++) {
      expect(await attemptIssue(failing, HOST)).toBe('failed')
      const s = (await state())!
      expect(s).toMatchObject({ status: 'failed', failures: i, serial })
      expect(s.lastError).toBe(`urn:ietf:params:acme:error:rateLimited (${i})`)
      gaps.push(s.dueAt.getTime() - world.clock.now().getTime())
    }

    expect(gaps[1]).toBeGreaterThan(gaps[0]!)
    expect(gaps[2]).toBeGreaterThan(gaps[1]!)
    expect(await store.currentSerial(HOST)).toBe(serial)
    expect(world.logged('cert_failed')).toHaveLength(3)
    expect(world.logged('cert_failed')[0]).toMatchObject({ level: 'error', hostname: HOST })
  })

  it('when an order succeeds, the CA refuses one and DNS is not ready for another, then the metrics count one ok and one failed order and nothing for the skipped one', async () => {
    const { d } = await certWorld()
    const orders: string[] = []
    const counted = { ...d, metrics: { countAcmeOrder: (r: string) => void orders.push(r) } }
    const broken: Issuer = { name: 'acme', issue: () => Promise.reject(new Error('badCSR')) }
    world.dns.cnames.set(HOST, [SERVICE])

    expect(await attemptIssue(counted, HOST)).toBe('obtained')
    expect(await attemptIssue({ ...counted, issuer: broken }, HOST)).toBe('failed')
    expect(await attemptIssue(counted, 'mta-sts.unpointed.example')).toBe('dns_pending')

    expect(orders).toEqual(['ok', 'failed'])
  })
})
