import { readdirSync, readlinkSync } from 'node:fs'
import { Agent, request } from 'node:https'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createTenant,
  domainWithPolicy,
  eventually,
  issueDue,
  MutableClock,
  SERVICE_HOST,
  startServer,
  type TestServer,
} from './helpers/test-server.js'
import { column } from './helpers/server-store.js'
import { mustHandshake, normalizeSerial, storedCert, storedCerts } from './helpers/tls-client.js'
import { TEST_STORE } from './helpers/world-store.js'

const DOMAIN = 'renew.example.org'
const HOST = `mta-sts.${DOMAIN}`
const POLICY = { mode: 'testing', mx: ['mx.renew.example.org'], maxAge: 86400 }
const WELL_KNOWN = '/.well-known/mta-sts.txt'
const NOTHING = { obtained: 0, renewed: 0, failed: 0, dns_pending: 0, skipped: 0, removed: 0 }

let s: TestServer
let clock: MutableClock
let token: string
let agent: Agent | undefined

beforeEach(async () => {
  clock = new MutableClock(new Date())
  s = await startServer({ clock })
  token = (await createTenant(s, 'renewer')).token
  // The start-up tick (the service host's first certificate) is over before each test acts.
  await issueDue(s)
})
afterEach(async () => {
  agent?.destroy()
  agent = undefined
  await s.close()
})

async function serialOnNewConnection(host = HOST): Promise<string> {
  const c = await mustHandshake(s.httpsPort, { servername: host, ca: s.rootPem })
  c.close()
  return c.serial
}
const row = async (host = HOST) => (await storedCert(s, host))!
const versionDirs = (host = HOST) =>
  readdirSync(join(s.dataDir, 'certs', host)).filter((n) => n !== 'current')

/** A GET through a keep-alive agent limited to one socket: the same connection every time. */
function keptGet(): Promise<{ status: number; body: string; reused: boolean; serial: string }> {
  agent ??= new Agent({ keepAlive: true, maxSockets: 1, ca: s.rootPem, servername: HOST })
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: s.httpsPort, path: WELL_KNOWN, headers: { host: HOST }, agent },
      (res) => {
        const socket = res.socket as TLSSocket
        const serial = normalizeSerial(socket.getPeerCertificate().serialNumber)
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body, reused: req.reusedSocket, serial })
        })
      },
    )
    req.on('error', reject)
    req.end()
  })
}

describe('certificate renewal without restart', () => {
  it('when the clock passes renewAt, then a tick renews it: new connections get the new serial, open ones keep working', async () => {
    const { text } = await domainWithPolicy(s, token, DOMAIN, POLICY)
    await issueDue(s)
    const before = await row()
    const s1 = await serialOnNewConnection()
    const kept = await keptGet()
    expect([s1, kept.serial, kept.status, kept.body]).toEqual([before.serial, s1, 200, text])
    expect(before.renew_at).toBeGreaterThan(clock.now().getTime())
    clock.current = new Date(Math.max(...(await storedCerts(s)).map((r) => r.renew_at!)) + 1000)

    const summary = await s.runtime.certs.runDue()

    expect(summary).toEqual({ ...NOTHING, renewed: 2 })
    const after = await row()
    const s2 = await serialOnNewConnection()
    expect(s2).not.toBe(s1)
    expect(after).toMatchObject({ status: 'ok', serial: s2, failures: 0, last_error: null })
    expect(after.not_after).toBeGreaterThanOrEqual(before.not_after!)
    expect(s.logged('cert_renewed')).toContainEqual(
      expect.objectContaining({ hostname: HOST, serial: s2 }),
    )
    if (TEST_STORE === 'sqlite') {
      // SQLite's file store: `current` names the new version, the old one is pruned.
      const current = readlinkSync(join(s.dataDir, 'certs', HOST, 'current'))
      expect(current).toMatch(new RegExp(`^${s2}-`))
      expect(versionDirs()).toHaveLength(1)
    } else {
      // PostgreSQL's store keeps one bundle row per host: the new one replaced the old.
      const bundles = 'SELECT serial FROM certificate_bundles WHERE hostname = ?'
      expect(await column(s, bundles, HOST)).toEqual([s2])
    }
    const again = await keptGet()
    expect(again).toEqual({ status: 200, body: text, reused: true, serial: s1 })
  })

  it('when a tick runs right after a renewal, then it renews nothing', async () => {
    await domainWithPolicy(s, token, DOMAIN, POLICY)
    await issueDue(s)
    clock.current = new Date(Math.max(...(await storedCerts(s)).map((r) => r.renew_at!)) + 1000)
    expect((await s.runtime.certs.runDue()).renewed).toBe(2)
    const renewed = await row()
    // The local CA signs with the real clock: "right after" the renewal is now, in real time.
    clock.current = new Date()

    const summary = await s.runtime.certs.runDue()

    expect(summary).toEqual(NOTHING)
    expect(await row()).toMatchObject({ serial: renewed.serial, due_at: renewed.renew_at })
    expect(renewed.renew_at).toBeGreaterThan(clock.now().getTime())
    expect(s.logged('cert_renewed')).toHaveLength(2)
  })

  it('when renewal is forced for a host, then it gets a new certificate at once; unforced, nothing', async () => {
    await domainWithPolicy(s, token, DOMAIN, POLICY)
    await issueDue(s)
    const s1 = (await row()).serial
    const service = (await row(SERVICE_HOST)).serial

    const unforced = await s.runtime.certs.renew([HOST], false)
    const forced = await s.runtime.certs.renew([HOST], true)

    expect(unforced).toEqual({ ...NOTHING, skipped: 1 })
    expect(forced).toEqual({ ...NOTHING, renewed: 1 })
    const s2 = (await row()).serial
    expect(s2).not.toBe(s1)
    expect(await serialOnNewConnection()).toBe(s2)
    expect((await row(SERVICE_HOST)).serial).toBe(service)
    expect(await serialOnNewConnection(SERVICE_HOST)).toBe(service)
  })
})

describe('scheduler decisions', () => {
  it('when the clock is just before renewAt, then a tick issues nothing', async () => {
    await domainWithPolicy(s, token, DOMAIN, POLICY)
    await issueDue(s)
    const rows = await storedCerts(s)
    const obtaining = s.logged('cert_obtaining').length
    clock.current = new Date(Math.min(...rows.map((r) => r.renew_at!)) - 1000)

    const summary = await s.runtime.certs.runDue()

    expect(summary).toEqual(NOTHING)
    expect(await storedCerts(s)).toEqual(rows)
    expect(s.logged('cert_obtaining')).toHaveLength(obtaining)
  })

  it('when a domain is added through the API, then its host gets a certificate without waiting for the cron tick', async () => {
    await domainWithPolicy(s, token, DOMAIN, POLICY)

    const issued = await eventually(async () => (await storedCert(s, HOST))?.status === 'ok', 5_000)

    expect(issued, JSON.stringify(await storedCert(s, HOST))).toBe(true)
    expect(await serialOnNewConnection()).toBe((await row()).serial)
    expect(s.logged('cert_obtained')).toContainEqual(
      expect.objectContaining({ hostname: HOST, serial: (await row()).serial }),
    )
  })

  it('when several domains are added in quick succession, then every host gets its certificate without waiting for the cron tick', async () => {
    const names = ['one', 'two', 'three', 'four'].map((n) => `${n}.burst.example.org`)

    await Promise.all(names.map((d) => domainWithPolicy(s, token, d, POLICY)))
    const hosts = names.map((d) => `mta-sts.${d}`)
    const statuses = async () =>
      Promise.all(hosts.map(async (h) => (await storedCert(s, h))?.status))
    const issued = await eventually(
      async () => (await statuses()).every((st) => st === 'ok'),
      5_000,
    )

    const states = (await statuses()).map((st, i) => `${hosts[i]}: ${st}`)
    expect(issued, states.join(', ')).toBe(true)
    for (const h of hosts) expect(await serialOnNewConnection(h)).toBe((await row(h)).serial)
  })
})
