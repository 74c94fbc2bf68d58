/**
 * Proof of domain control (issue 9 point 1, finding 3): a new domain is a pending claim until
 * its tenant publishes the claim's token in `_policyhost.<domain>` TXT. The server asks a real
 * DNS server on loopback through its own resolver (DNS_SERVERS).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { syncDir } from '../src/main.js'
import { servedPolicy, startApp, type TestApp } from './helpers/app.js'
import { startDns, type TestDns } from './helpers/dns-server.js'
import { column } from './helpers/server-store.js'
import {
  ADMIN_TOKEN,
  createTenant,
  expectHandshakeRefused,
  fetchPolicy,
  issueDue,
  MutableClock,
  startServer,
  type TestResponse,
  type TestServer,
} from './helpers/test-server.js'

const POLICY = { mode: 'enforce', mx: ['mx.alpha.example'], maxAge: 86400 }
const T0 = new Date('2026-03-01T00:00:00Z')

// Through app.request() unless the test needs the socket: a pending claim has no certificate,
// which shows as a refused TLS handshake only on a real listener.
let s: TestApp | TestServer
let policyAt: (host: string) => Promise<TestResponse>
let dns: TestDns
let clock: MutableClock
let a: { id: string; token: string }
let b: { id: string; token: string }

const env = () => ({
  DOMAIN_VERIFICATION: 'dns',
  DNS_SERVERS: dns.address,
  DOMAIN_CLAIM_TTL_HOURS: '72',
})
async function inApp(): Promise<void> {
  const app = await startApp({ clock, env: env() })
  s = app
  policyAt = (host) => servedPolicy(app, host)
  a = await createTenant(s, 'alpha')
  b = await createTenant(s, 'bravo')
}
async function onSocket(): Promise<void> {
  const server = await startServer({ clock, env: env() })
  s = server
  policyAt = (host) => fetchPolicy(server, host)
  a = await createTenant(s, 'alpha')
  b = await createTenant(s, 'bravo')
}

beforeEach(async () => {
  dns = await startDns()
  clock = new MutableClock(T0)
})
afterEach(async () => {
  await s.close()
  await dns.close()
})

const claim = (token: string, name: string) =>
  s.request('POST', '/api/v1/domains', { token, json: { name } })
const verify = (token: string, name: string, json?: unknown) =>
  s.request('POST', `/api/v1/domains/${name}/verification`, { token, json })
const get = (token: string, name: string) => s.request('GET', `/api/v1/domains/${name}`, { token })

/** Publishes the claim's record, as its tenant would after reading the claim. */
function publish(view: { verification: { record: { name: string; value: string } } }): void {
  const { name, value } = view.verification.record
  dns.txt.set(name, [...(dns.txt.get(name) ?? []), value])
}

const hostnamesOf = (name: string) =>
  column(
    s,
    'SELECT h.name FROM hostnames h JOIN domains d ON d.id = h.domain_id WHERE d.name = ?',
    name,
  )
const certRow = async (host: string) =>
  (await s.sql('SELECT * FROM certificates WHERE hostname = ?', host))[0]

/** A proves control of alpha.example and publishes a policy. */
async function alphaVerified() {
  const res = await claim(a.token, 'alpha.example')
  expect(res.status).toBe(201)
  publish(res.json())
  expect((await verify(a.token, 'alpha.example')).json()).toMatchObject({ verified: true })
  const put = await s.request('PUT', '/api/v1/domains/alpha.example/mta-sts', {
    token: a.token,
    json: POLICY,
  })
  expect(put.status).toBe(200)
  return put.json()
}

describe('proof of domain control (issue 9 finding 3)', () => {
  beforeEach(onSocket)

  it("when B registers A's verified subdomain, then it is only a pending claim: no hostname, no certificate, only the TXT record", async () => {
    await alphaVerified()
    const res = await claim(b.token, 'sub.alpha.example')
    expect(res.status).toBe(201)
    const view = res.json()
    expect(view).toMatchObject({
      name: 'sub.alpha.example',
      status: 'pending',
      verification: {
        status: 'pending',
        record: { name: '_policyhost.sub.alpha.example', type: 'TXT' },
        expiresAt: new Date(T0.getTime() + 72 * 3_600_000).toISOString(),
      },
    })
    expect(view.verification.record.value).toMatch(/^policyhost-verify=[A-Za-z0-9_-]{43}$/)
    expect(await hostnamesOf('sub.alpha.example')).toEqual([])
    expect(await certRow('mta-sts.sub.alpha.example')).toBeUndefined()
    await issueDue(s)
    expectHandshakeRefused(await policyAt('mta-sts.sub.alpha.example'), 'pending claim')
    const records = await s.request('GET', '/api/v1/domains/sub.alpha.example/records', {
      token: b.token,
    })
    expect(records.json().records).toEqual([
      expect.objectContaining({
        name: '_policyhost.sub.alpha.example',
        type: 'TXT',
        value: view.verification.record.value,
      }),
    ])
    // A's domain is untouched and still served.
    expect((await policyAt('mta-sts.alpha.example')).status).toBe(200)
  })
})

describe('proof of domain control (issue 9 finding 3)', () => {
  beforeEach(inApp)

  it('when B registers a public suffix, an ordinary name or the service parent, then only the ordinary name becomes a claim', async () => {
    const suffix = await claim(b.token, 'github.io')
    expect(suffix.status).toBe(422)
    expect(suffix.json().errors[0].message).toContain('public suffix')
    const parent = await claim(b.token, 'policyhost.test')
    expect(parent.status).toBe(422)
    expect(parent.json().errors[0]).toMatchObject({ path: 'name' })
    expect(parent.json().errors[0].message).toContain('service host sts.policyhost.test')
    const inside = await claim(b.token, 'other.policyhost.test')
    expect(inside.status).toBe(422)
    const plain = await claim(b.token, 'example.com')
    expect(plain.status).toBe(201)
    expect(plain.json().status).toBe('pending')
    expect(await certRow('mta-sts.example.com')).toBeUndefined()
  })

  it("when B puts a logo host in A's zone, or on a pending claim, then it is refused", async () => {
    await alphaVerified()
    const inZone = await s.request('PUT', '/api/v1/domains/alpha.example/bimi/logo-host', {
      token: b.token,
      json: { hostname: 'bimi.alpha.example' },
    })
    expect(inZone.status).toBe(404)
    await claim(b.token, 'bravo.example')
    const pending = await s.request('PUT', '/api/v1/domains/bravo.example/bimi/logo-host', {
      token: b.token,
      json: { hostname: 'bimi.bravo.example' },
    })
    expect(pending.status).toBe(409)
    expect(pending.json().detail).toContain('prove control')
    // Once B proves control of sub.alpha.example, A may not put a logo host inside it.
    publish((await claim(b.token, 'sub.alpha.example')).json())
    expect((await verify(b.token, 'sub.alpha.example')).json().verified).toBe(true)
    const inner = await s.request('PUT', '/api/v1/domains/alpha.example/bimi/logo-host', {
      token: a.token,
      json: { hostname: 'logo.sub.alpha.example' },
    })
    expect(inner.status).toBe(422)
    expect(inner.json().errors[0].message).toContain('sub.alpha.example')
    expect(await hostnamesOf('alpha.example')).toEqual(['mta-sts.alpha.example'])
  })

  it("when A's logo host sits where B's proven subdomain puts its policy host, then proof wins", async () => {
    await alphaVerified()
    const logo = await s.request('PUT', '/api/v1/domains/alpha.example/bimi/logo-host', {
      token: a.token,
      json: { hostname: 'mta-sts.sub.alpha.example' },
    })
    expect(logo.status).toBe(200)
    publish((await claim(b.token, 'sub.alpha.example')).json())
    expect((await verify(b.token, 'sub.alpha.example')).json().verified).toBe(true)
    expect(await hostnamesOf('alpha.example')).toEqual(['mta-sts.alpha.example'])
    expect(await hostnamesOf('sub.alpha.example')).toEqual(['mta-sts.sub.alpha.example'])
    expect(s.runtime.snapshot.logoDomainOf('mta-sts.sub.alpha.example')).toBeNull()
  })

  it('when B registered a name first, then A gets a pending claim (not 409) and wins it by proving control', async () => {
    // B held the name (here: trusted by the operator), as the first registrant once did.
    const first = await claim(b.token, 'alpha.example')
    expect(first.status).toBe(201)
    const trusted = await s.request('POST', '/api/v1/domains/alpha.example/verification', {
      token: ADMIN_TOKEN,
      json: { trust: true, tenantId: b.id },
    })
    expect(trusted.json()).toMatchObject({ verified: true, domain: { tenantId: b.id } })
    await s.request('PUT', '/api/v1/domains/alpha.example/mta-sts', {
      token: b.token,
      json: { ...POLICY, mx: ['mx.bravo.example'], maxAge: 604800 },
    })
    const bServed = await policyAt('mta-sts.alpha.example')
    expect(bServed.text).toContain('mx.bravo.example')
    const serial = ((await certRow('mta-sts.alpha.example')) as { serial: string }).serial

    const late = await claim(a.token, 'alpha.example')
    expect(late.status).toBe(201)
    expect(late.json().status).toBe('pending')
    const told = await verify(a.token, 'alpha.example')
    expect(told.status).toBe(200)
    expect(told.json().verified).toBe(false)
    expect(told.json().message).toContain('held by another tenant')
    expect(told.json().message).toContain('_policyhost.alpha.example')

    publish(late.json())
    await s.request('PUT', '/api/v1/domains/alpha.example/mta-sts', {
      token: a.token,
      json: POLICY,
    })
    const won = await verify(a.token, 'alpha.example')
    expect(won.json()).toMatchObject({ verified: true, domain: { status: 'active' } })

    // The name, its hostname and its certificate moved to A; A's policy is served.
    const served = await policyAt('mta-sts.alpha.example')
    expect(served.status).toBe(200)
    expect(served.text).toContain('mx.alpha.example')
    expect(((await certRow('mta-sts.alpha.example')) as { serial: string }).serial).toBe(serial)
    const [owner] = await s.sql(
      `SELECT d.tenant_id, d.max_age_high FROM hostnames h JOIN domains d ON d.id = h.domain_id
       WHERE h.name = 'mta-sts.alpha.example'`,
    )
    // Senders may still hold B's week-long policy: A's retirement must wait for it too.
    expect(owner).toEqual({ tenant_id: a.id, max_age_high: 604800 })

    // B is told: its row is pending again, with a new token and the reason.
    const bView = (await get(b.token, 'alpha.example')).json()
    expect(bView).toMatchObject({ status: 'pending', verification: { status: 'pending' } })
    expect(bView.verification.lastCheckError).toMatch(/^control moved to another tenant/)
    expect(bView.verification.record.value).not.toBe(late.json().verification.record.value)
    expect(await s.audit()).toContainEqual(
      expect.objectContaining({ tenant_id: b.id, action: 'domain.control_lost' }),
    )
    expect(s.logged('domain_control_moved')).toEqual([
      expect.objectContaining({ domain: 'alpha.example', tenantId: a.id, fromTenantId: b.id }),
    ])
    // B's old record is still in DNS; its new token is not, so the name does not bounce back.
    const again = await verify(b.token, 'alpha.example')
    expect(again.json().verified).toBe(false)
    expect(again.json().domain.verification.lastCheckError).toMatch(
      /^control moved to another tenant.*Last check: /,
    )
  })
})

describe('TLS reports follow control of the name', () => {
  beforeEach(inApp)

  const report = readFileSync(new URL('./fixtures/tlsrpt/rules/base.json', import.meta.url))
  const reportUrl = async (token: string) => {
    await s.request('PUT', '/api/v1/domains/example.com/tls-rpt', { token, json: { rua: [] } })
    const res = await s.request('GET', '/api/v1/domains/example.com/records', { token })
    const rua = res
      .json()
      .records.find((r: { name: string }) => r.name === '_smtp._tls.example.com')?.value
    return new URL(/rua=(https:\/\/\S+)$/.exec(rua)![1]!).pathname
  }
  const post = (path: string) =>
    s.request('POST', path, {
      host: 'sts.policyhost.test',
      rawBody: report,
      headers: { 'content-type': 'application/tlsrpt+json' },
    })

  it("when control moves, then the old holder's report URL stops taking reports and the new one's takes them", async () => {
    clock.current = new Date('2026-11-03T00:00:00Z') // the report's window is 2026-11-01
    await claim(b.token, 'example.com')
    await verify(ADMIN_TOKEN, 'example.com', { trust: true, tenantId: b.id })
    const bUrl = await reportUrl(b.token)
    await issueDue(s)
    expect((await post(bUrl)).status).toBe(201)

    const aClaim = (await claim(a.token, 'example.com')).json()
    // A pending claim has no report URL in its records, and takes no reports.
    publish(aClaim)
    expect((await verify(a.token, 'example.com')).json().verified).toBe(true)
    expect((await post(bUrl)).status).toBe(404)
    const aUrl = await reportUrl(a.token)
    expect((await post(aUrl)).status).toBe(201)
  })
})

describe('the verification check', () => {
  beforeEach(inApp)

  it('when the record is missing, wrong or its lookup fails, then the answer says why and the claim stays pending', async () => {
    const view = (await claim(a.token, 'alpha.example')).json()
    const none = (await verify(a.token, 'alpha.example')).json()
    expect(none.verified).toBe(false)
    expect(none.message).toContain(`publish TXT _policyhost.alpha.example`)
    dns.txt.set('_policyhost.alpha.example', ['policyhost-verify=someone-else'])
    const wrong = (await verify(a.token, 'alpha.example')).json()
    expect(wrong.message).toContain('policyhost-verify=someone-else')
    dns.failing.add('_policyhost.alpha.example')
    const failed = (await verify(a.token, 'alpha.example')).json()
    expect(failed.message).toContain('DNS lookup')
    expect((await get(a.token, 'alpha.example')).json().verification).toMatchObject({
      status: 'pending',
      lastCheckAt: T0.toISOString(),
      lastCheckError: failed.message,
    })
    dns.failing.clear()
    publish(view)
    const ok = await verify(a.token, 'alpha.example')
    expect(ok.json()).toMatchObject({ verified: true, domain: { status: 'active' } })
    expect(await hostnamesOf('alpha.example')).toEqual(['mta-sts.alpha.example'])
    expect(await certRow('mta-sts.alpha.example')).toMatchObject({ status: 'pending' })
    expect(await s.audit()).toContainEqual(
      expect.objectContaining({ action: 'domain.verify', detail: '{"method":"dns"}' }),
    )
  })

  it('when a tenant asks for trust, then 403; the operator trusts without DNS, audited', async () => {
    await claim(a.token, 'alpha.example')
    const self = await verify(a.token, 'alpha.example', { trust: true })
    expect(self.status).toBe(403)
    const op = await verify(ADMIN_TOKEN, 'alpha.example', { trust: true })
    expect(op.status).toBe(200)
    expect(op.json()).toMatchObject({ verified: true, domain: { tenantId: a.id } })
    expect(dns.asked).not.toContain('_policyhost.alpha.example')
    expect(await s.audit()).toContainEqual(
      expect.objectContaining({
        tenant_id: a.id,
        action: 'domain.verify',
        detail: '{"method":"trust"}',
      }),
    )
  })

  it('when the schedule runs, then due claims are checked, later ones back off, and expired claims go', async () => {
    const { checkPendingClaims, removeExpiredClaims } =
      await import('../src/services/domains/domain-verification.js')
    const deps = s.runtime.deps
    const view = (await claim(a.token, 'alpha.example')).json()
    await claim(b.token, 'bravo.example')
    expect(await checkPendingClaims(deps)).toEqual({ checked: 2, verified: 0 })
    // Checked a moment ago: not due again yet.
    clock.advance(30)
    expect(await checkPendingClaims(deps)).toEqual({ checked: 0, verified: 0 })
    publish(view)
    clock.advance(120)
    expect(await checkPendingClaims(deps)).toEqual({ checked: 2, verified: 1 })
    expect((await get(a.token, 'alpha.example')).json().status).toBe('active')

    clock.advance(72 * 3600)
    expect(await removeExpiredClaims(deps)).toEqual(['bravo.example'])
    expect((await get(b.token, 'bravo.example')).status).toBe(404)
    expect(await s.audit()).toContainEqual(
      expect.objectContaining({ tenant_id: b.id, action: 'domain.claim_expired' }),
    )
    expect((await get(a.token, 'alpha.example')).json().status).toBe('active')
  })

  it('when an operator list reserves a name, then it and names under it are refused', async () => {
    await s.close()
    s = await startApp({
      env: { DOMAIN_VERIFICATION: 'dns', RESERVED_DOMAINS: 'Reserved.example.' },
    })
    const t = await createTenant(s, 'tango')
    for (const name of ['reserved.example', 'x.reserved.example']) {
      const res = await claim(t.token, name)
      expect(res.status, name).toBe(422)
      expect(res.json().errors[0].message).toContain('reserved by the operator')
    }
    expect((await claim(t.token, 'notreserved.example')).status).toBe(201)
  })

  it('when a policies/ file names a domain, then it is operator input: verified at once', async () => {
    // Another tenant's claim on the name does not stand in the way; a proven one would.
    await claim(b.token, 'files.example')
    const dir = mkdtempSync(join(tmpdir(), 'policyhost-files-'))
    try {
      writeFileSync(join(dir, 'files.example.json'), JSON.stringify({ mtaSts: POLICY }))
      const [outcome] = await syncDir(s.runtime, dir)
      expect(outcome).toMatchObject({ domain: 'files.example', result: 'created' })
      const served = await policyAt('mta-sts.files.example')
      expect(served.status).toBe(200)
      expect((await get(b.token, 'files.example')).json().status).toBe('pending')
      expect(dns.asked).not.toContain('_policyhost.files.example')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('when a pending claim is deleted, then it goes at once', async () => {
    await claim(a.token, 'alpha.example')
    const del = await s.request('DELETE', '/api/v1/domains/alpha.example', { token: a.token })
    expect(del.json()).toMatchObject({ status: 'removed' })
    expect((await get(a.token, 'alpha.example')).status).toBe(404)
  })
})

describe('the verification check', () => {
  beforeEach(onSocket)

  it('when a policy is set on a pending claim, then it is stored and served only after proof', async () => {
    const view = (await claim(a.token, 'alpha.example')).json()
    const put = await s.request('PUT', '/api/v1/domains/alpha.example/mta-sts', {
      token: a.token,
      json: POLICY,
    })
    expect(put.status).toBe(200)
    expectHandshakeRefused(await policyAt('mta-sts.alpha.example'), 'pending')
    publish(view)
    await verify(a.token, 'alpha.example')
    const served = await policyAt('mta-sts.alpha.example')
    expect(served.status).toBe(200)
    expect(served.text).toContain('mx.alpha.example')
  })
})
