/**
 * Renewal end to end with an injected clock: pebble issues one-hour certificates, the clock
 * moves past the renewal point, and the next tick replaces the served certificate in place (no
 * restart; open connections unharmed). A retiring domain keeps its certificate renewed until
 * its removal, which deletes the key material. Runs only inside test/e2e/run.sh's namespace.
 */
import { existsSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:https'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { removeDueDomains } from '../../src/services/domains/retire-domain.js'
import { mtaStsQuery, parseMtaStsQuery } from './harness/mta-sts-query.js'
import {
  addPublishedDomain,
  createTenant,
  HTTPS_PORT,
  normalSerial,
  startPolicyhost,
  startTestbed,
  TestClock,
  tickUntil,
  tlsProbe,
  type Policyhost,
  type Testbed,
} from './harness/policyhost.js'

const LIFETIME_S = 3600
const POLICY = { mode: 'enforce', mx: ['mail.example.test'], maxAge: 86400 } as const

interface Fetched {
  status: number
  body: string
  serial: string
  localPort: number | undefined
  reused: boolean
}

/** GET of the policy through `agent` (keep-alive: a second call reuses the connection). */
function fetchPolicy(agent: Agent, host: string): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const path = '/.well-known/mta-sts.txt'
    const opts = { host: '127.0.0.1', port: HTTPS_PORT, path, headers: { host }, agent }
    const req = request({ ...opts, servername: host }, (res) => {
      const socket = res.socket as TLSSocket
      const serial = normalSerial(socket.getPeerCertificate().serialNumber)
      const localPort = socket.localPort
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('error', reject)
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, serial, localPort, reused: req.reusedSocket }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

describe.skipIf(!process.env.PH_E2E_NETNS)('certificate renewal', () => {
  let bed: Testbed
  let ph: Policyhost
  let token: string
  // Pebble stamps certificates with real time: each test gets a clock that starts at real time
  // (and a server of its own), so that moving it never leaves certificates behind in the past.
  let clock: TestClock

  beforeAll(async () => {
    bed = await startTestbed({ validitySeconds: LIFETIME_S })
  })

  beforeEach(async () => {
    clock = new TestClock()
    ph = await startPolicyhost({ pebble: bed.pebble, clock })
    token = await createTenant(ph, 'renewal')
  })

  afterEach(async () => {
    await ph?.close()
    if (ph) rmSync(ph.dataDir, { recursive: true, force: true })
  })

  afterAll(async () => {
    await bed?.stop()
  })

  it('when the clock passes the renewal point, then the next tick serves a new certificate on new connections without a restart, and an open connection keeps working', async () => {
    const domain = 'rho.test'
    const host = `mta-sts.${domain}`
    await addPublishedDomain(ph, bed.dns, token, domain, POLICY)
    const { state: first } = await tickUntil(ph, host, (s) => s.status === 'ok', 3)
    const s1 = first!.serial!
    const lifetime = first!.notAfter!.getTime() - first!.notBefore!.getTime()
    // Pebble's notAfter is inclusive: one second short of the configured period.
    expect(Math.round(lifetime / 1000)).toBeGreaterThanOrEqual(LIFETIME_S - 1)
    expect(lifetime).toBeLessThanOrEqual(LIFETIME_S * 1000)
    // A third of the lifetime left, pulled earlier by up to a twelfth (jitter).
    const renewAt = first!.renewAt!.getTime()
    expect(renewAt).toBeLessThanOrEqual(first!.notAfter!.getTime() - lifetime / 3)
    expect(renewAt).toBeGreaterThan(first!.notAfter!.getTime() - lifetime / 3 - lifetime / 12)
    expect(first!.dueAt.getTime()).toBe(renewAt)

    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: bed.pebble.rootPem() })
    try {
      const before = await fetchPolicy(agent, host)
      expect(before).toMatchObject({ status: 200, serial: s1, reused: false })
      expect(await tlsProbe(host, bed.pebble.rootPem())).toMatchObject({ ok: true, serial: s1 })

      await ph.runtime.certs.runDue() // not yet due: nothing happens
      expect(ph.logged('cert_renewed', host)).toEqual([])
      clock.passed(first!.renewAt!)
      await ph.runtime.certs.runDue()
      const renewed = ph.logged('cert_renewed', host)
      expect(renewed).toHaveLength(1)
      const second = await ph.certState(host)
      const s2 = second!.serial!
      expect(s2).not.toBe(s1)
      expect(renewed[0]).toMatchObject({ serial: s2 })
      expect(second).toMatchObject({ status: 'ok', failures: 0 })
      expect(second!.notAfter!.getTime()).toBeGreaterThanOrEqual(first!.notAfter!.getTime())

      const probe = await tlsProbe(host, bed.pebble.rootPem())
      expect(probe).toMatchObject({ ok: true, serial: s2, authorized: true })
      const after = await fetchPolicy(agent, host)
      expect(after).toMatchObject({ status: 200, serial: s1, reused: true })
      expect(after.localPort).toBe(before.localPort)
      expect(after.body).toBe(before.body)
    } finally {
      agent.destroy()
    }
    const out = await mtaStsQuery(domain, bed.pebble.rootPemPath)
    expect(parseMtaStsQuery(out.stdout), out.stderr).toMatchObject({ result: 'VALID' })
    expect(ph.logged('listening')).toHaveLength(1) // the same server all along
  })

  it('when a domain is retired, then its certificate is served and renewed until the removal, which deletes its key material and its TLS name', async () => {
    const domain = 'sigma.test'
    const host = `mta-sts.${domain}`
    await addPublishedDomain(ph, bed.dns, token, domain, POLICY)
    const { state: first } = await tickUntil(ph, host, (s) => s.status === 'ok', 3)
    const retired = await ph.http('DELETE', `/api/v1/domains/${domain}`, { token })
    expect(retired.status, retired.text).toBe(200)
    const { status, removeAt } = retired.json()
    expect(status).toBe('retiring')
    expect(new Date(removeAt).getTime()).toBeGreaterThan(first!.renewAt!.getTime())
    expect(await tlsProbe(host, bed.pebble.rootPem())).toMatchObject({
      ok: true,
      serial: first!.serial,
    })

    await ph.runtime.certs.idle()
    clock.passed(first!.renewAt!)
    await ph.runtime.certs.runDue()
    const renewed = await ph.certState(host)
    expect(ph.logged('cert_renewed', host).map((e) => e.serial)).toContain(renewed!.serial)
    expect(renewed!.serial).not.toBe(first!.serial)
    expect(await tlsProbe(host, bed.pebble.rootPem())).toMatchObject({
      ok: true,
      serial: renewed!.serial,
    })
    const keyDir = join(ph.dataDir, 'certs', host)
    expect(existsSync(keyDir)).toBe(true)

    clock.passed(new Date(removeAt))
    await removeDueDomains(ph.runtime.deps)
    expect((await ph.http('GET', `/api/v1/domains/${domain}`, { token })).status).toBe(404)
    await ph.runtime.certs.idle()
    await ph.runtime.certs.runDue()
    expect(existsSync(keyDir)).toBe(false)
    expect(await ph.certState(host)).toBeNull()
    expect(ph.logged('cert_removed', host)).toHaveLength(1)
    expect(await tlsProbe(host, bed.pebble.rootPem())).toMatchObject({ ok: false })
  })
})
