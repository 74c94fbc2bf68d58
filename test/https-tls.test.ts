import { X509Certificate } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { openRuntime } from '../src/main.js'
import {
  ADMIN_TOKEN,
  baseEnv,
  createTenant,
  domainWithPolicy,
  issueDue,
  MutableClock,
  SERVICE_HOST,
  startServer,
  type TestServer,
} from './helpers/test-server.js'
import {
  handshake,
  httpOver,
  mustHandshake,
  sansOf,
  storedCert,
  type TlsOk,
} from './helpers/tls-client.js'

const DOMAIN = 'tls.example.org'
const HOST = `mta-sts.${DOMAIN}`
const POLICY = { mode: 'enforce', mx: ['mx.tls.example.org'], maxAge: 86400 }
const WELL_KNOWN = '/.well-known/mta-sts.txt'

let s: TestServer
let clock: MutableClock
const open: TlsOk[] = []

async function serverWith(env: Record<string, string> = {}, domains = [DOMAIN]) {
  clock = new MutableClock(new Date())
  s = await startServer({ env, clock })
  const { token } = await createTenant(s, 'tls')
  const texts = []
  for (const d of domains) texts.push((await domainWithPolicy(s, token, d, POLICY)).text)
  await issueDue(s)
  return { texts }
}

async function tls(servername: string, o: Parameters<typeof handshake>[1] = {}) {
  const r = await mustHandshake(s.httpsPort, { servername, ca: s.rootPem, ...o })
  open.push(r)
  return r
}

afterEach(async () => {
  for (const r of open.splice(0)) r.close()
  await s?.close()
})

describe('HTTPS certificates by SNI', () => {
  it('when a policy host is asked for by SNI, then its own certificate, chained to the local root, is presented', async () => {
    const { texts } = await serverWith()

    const c = await tls(HOST)

    expect(sansOf(c.cert)).toEqual([`DNS:${HOST}`])
    expect(c.authorized, String(c.authorizationError)).toBe(true)
    expect(c.cert.issuerCertificate.subject.CN).toBe(
      new X509Certificate(s.rootPem).subject.slice(3),
    )
    expect(c.serial).toBe((await storedCert(s, HOST))?.serial)
    const res = await httpOver(c.socket, HOST, WELL_KNOWN)
    expect(res.status).toBe(200)
    expect(res.body).toBe(texts[0])
  })

  it('when the service host is asked for, then it has a certificate of its own', async () => {
    await serverWith()

    const svc = await tls(SERVICE_HOST)
    const policy = await tls(HOST)

    expect(sansOf(svc.cert)).toEqual([`DNS:${SERVICE_HOST}`])
    expect(svc.authorized).toBe(true)
    expect(svc.serial).toBe((await storedCert(s, SERVICE_HOST))?.serial)
    expect(svc.serial).not.toBe(policy.serial)
    const health = await httpOver(svc.socket, SERVICE_HOST, '/healthz')
    expect(health.status).toBe(200)
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', policies: 1 })
  })

  it.each([
    ['an unknown name', 'mta-sts.unknown.example.com'],
    ['the bare customer domain', DOMAIN],
    ['another name under the customer domain', `www.${DOMAIN}`],
    ['no SNI at all', undefined],
  ])(
    'when the client sends %s, then the handshake fails and no certificate is sent',
    async (_, name) => {
      await serverWith()

      const r = await handshake(s.httpsPort, { servername: name, ca: s.rootPem })

      expect(r.ok).toBe(false)
      if (r.ok) return
      expect(r.peerCert === null || Object.keys(r.peerCert).length === 0).toBe(true)
      for (const secret of [HOST, SERVICE_HOST, 'policyhost', DOMAIN]) {
        expect(r.error.message).not.toContain(secret)
      }
    },
  )

  it('when the client offers at most TLS 1.1, then the server refuses with a protocol alert', async () => {
    await serverWith()

    const r = await handshake(s.httpsPort, {
      servername: HOST,
      ca: s.rootPem,
      maxVersion: 'TLSv1.1',
    })

    expect(r.ok).toBe(false)
    // From the server (alert 70), not a client that could not offer TLS 1.1 at all.
    if (!r.ok) expect(r.error.message).toMatch(/alert protocol version/)
  })

  it.each(['TLSv1.2', 'TLSv1.3'] as const)(
    'when the client speaks only %s, then it works and a second connection resumes the session',
    async (version) => {
      const { texts } = await serverWith()
      const pinned = { minVersion: version, maxVersion: version }
      const first = await tls(HOST, pinned)
      // A TLS 1.3 ticket comes after the handshake: one round trip makes sure it arrived.
      expect((await httpOver(first.socket, HOST, WELL_KNOWN)).body).toBe(texts[0])
      const session = first.session()
      first.close()

      const second = await tls(HOST, { ...pinned, session })

      expect(first.protocol).toBe(version)
      expect(first.reused).toBe(false)
      expect(session).toBeInstanceOf(Buffer)
      expect(second.protocol).toBe(version)
      expect(second.reused).toBe(true)
      expect(second.authorized).toBe(true)
      expect((await httpOver(second.socket, HOST, WELL_KNOWN)).status).toBe(200)
    },
  )

  it('when no key type is configured, then the leaf is ECDSA P-256', async () => {
    await serverWith()

    for (const name of [HOST, SERVICE_HOST]) {
      const c = await tls(name)
      expect([c.keyType, c.keyDetail], name).toEqual(['ec', 'prime256v1'])
    }
  })

  it('when ACME_KEY_TYPE=rsa-2048, then the leaf is RSA 2048', async () => {
    await serverWith({ ACME_KEY_TYPE: 'rsa-2048' })

    for (const name of [HOST, SERVICE_HOST]) {
      const c = await tls(name)
      expect([c.keyType, c.keyDetail], name).toEqual(['rsa', 2048])
      expect(c.authorized).toBe(true)
    }
  })

  it('when TLS_CONTEXT_CACHE=2 and five hosts have certificates, then all keep working and at most 2 contexts are cached', async () => {
    const domains = ['a', 'b', 'c', 'd', 'e'].map((x) => `${x}.cache.example.org`)
    await serverWith({ TLS_CONTEXT_CACHE: '2' }, domains)
    const sizes: number[] = [s.runtime.sni.size]

    for (let round = 0; round < 3; round++) {
      for (const d of domains) {
        const c = await tls(`mta-sts.${d}`)
        expect(sansOf(c.cert)).toEqual([`DNS:mta-sts.${d}`])
        expect(c.serial).toBe((await storedCert(s, `mta-sts.${d}`))?.serial)
        sizes.push(s.runtime.sni.size)
        c.close()
      }
    }

    expect(Math.max(...sizes)).toBeLessThanOrEqual(2)
    expect(Math.min(...sizes.slice(1))).toBeGreaterThan(0)
    expect(s.logged('cert_store_damaged')).toEqual([])
  })

  it('when an open connection’s context is evicted (and freed), then that connection keeps serving', async () => {
    const domains = ['a', 'b', 'c', 'd'].map((x) => `${x}.evict.example.org`)
    const { texts } = await serverWith({ TLS_CONTEXT_CACHE: '1' }, domains)
    const first = await tls(`mta-sts.${domains[0]}`)
    const before = await httpOver(first.socket, `mta-sts.${domains[0]}`, WELL_KNOWN)

    // Concurrent handshakes for other names: each load evicts the one before.
    const others = await Promise.all(domains.slice(1).map((d) => tls(`mta-sts.${d}`)))
    await new Promise((r) => setImmediate(r))
    const after = await httpOver(first.socket, `mta-sts.${domains[0]}`, WELL_KNOWN)
    const again = await tls(`mta-sts.${domains[0]}`)

    expect(before).toMatchObject({ status: 200, body: texts[0] })
    expect(after).toMatchObject({ status: 200, body: texts[0] })
    expect(others.map((o) => sansOf(o.cert))).toEqual(
      domains.slice(1).map((d) => [`DNS:mta-sts.${d}`]),
    )
    expect(sansOf(again.cert)).toEqual([`DNS:mta-sts.${domains[0]}`])
    expect(s.runtime.sni.size).toBe(1)
  })
})

describe('HTTP listener', () => {
  const TOKEN = 'tok_Abc-123_xyz'
  const KEY_AUTHZ = `${TOKEN}.thumbprint-of-the-account-key`
  const challenge = (token: string, host: string) =>
    s.request('GET', `/.well-known/acme-challenge/${token}`, { host })
  const put = (token: string, authz: string, ttlMs = 60_000) =>
    s.runtime.deps.repos.challenges.put(token, authz, new Date(clock.now().getTime() + ttlMs))

  it.each([HOST, 'unknown.example.com', SERVICE_HOST, 'localhost'])(
    'when a stored challenge is asked for on Host %s, then the key authorization is the answer',
    async (host) => {
      await serverWith()
      await put(TOKEN, KEY_AUTHZ)

      const res = await challenge(TOKEN, host)

      expect(res.status).toBe(200)
      expect(res.headers['content-type']).toMatch(/^text\/plain/)
      expect(res.text).toBe(KEY_AUTHZ)
    },
  )

  it('when the token is unknown, expired or malformed, then 404 without the key authorization', async () => {
    await serverWith()
    const long = 'a'.repeat(300)
    await put('expired-token', 'expired.authz', -1)
    await put('../x', 'dotdot.authz')
    await put(long, 'long.authz')

    for (const [token, what] of [
      ['never-stored', 'unknown'],
      ['expired-token', 'expired'],
      ['..%2Fx', 'encoded ../x'],
      ['../x', 'raw ../x'],
      [long, '300 characters'],
    ]) {
      const res = await challenge(token!, HOST)
      expect(res.status, what).toBe(404)
      expect(res.text, what).not.toMatch(/authz/)
    }
  })

  it('when another process stored the challenge in the same database, then it is answered too', async () => {
    await serverWith()
    // The same store as the server's: its data dir, and on PostgreSQL its database.
    const { ADMIN_TOKEN: _, ...env } = { ...baseEnv(s.dataDir), ...s.storeEnv }
    const other = await openRuntime(loadConfig(env), { logSink: () => undefined })
    try {
      await other.deps.repos.challenges.put(
        'from-elsewhere',
        'elsewhere.authz',
        new Date(Date.now() + 60_000),
      )
    } finally {
      await other.close()
    }

    const res = await challenge('from-elsewhere', HOST)

    expect(res.status).toBe(200)
    expect(res.text).toBe('elsewhere.authz')
  })

  it('when the admin API is asked over HTTP, then only localhost answers; SERVICE_HOST says HTTPS only', async () => {
    await serverWith()

    const tenantsOn = (host: string) =>
      s.request('GET', '/api/v1/tenants', { host, token: ADMIN_TOKEN })
    const local = await tenantsOn('localhost')
    const remote = await tenantsOn(SERVICE_HOST)

    expect(local.status).toBe(200)
    expect(local.text).toContain('"name":"tls"')
    expect(remote.status).toBe(404)
    expect(remote.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(remote.json().detail).toMatch(/HTTPS only/)
    expect(remote.text).not.toContain('"name"')
  })

  it.each([HOST, `${HOST}:80`, SERVICE_HOST, 'localhost'])(
    'when the policy is asked for over plain HTTP on Host %s, then 404 and no policy',
    async (host) => {
      await serverWith()

      const res = await s.request('GET', WELL_KNOWN, { host })

      expect(res.status).toBe(404)
      expect(res.text).not.toContain('STSv1')
      expect(res.headers.location).toBeUndefined()
    },
  )
})
