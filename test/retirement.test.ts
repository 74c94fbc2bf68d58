import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { removeDueDomains } from '../src/services/domains/retire-domain.js'
import { servedPolicy, startApp, type TestApp } from './helpers/app.js'
import { scalar } from './helpers/server-store.js'
import {
  ADMIN_TOKEN,
  createTenant,
  domainWithPolicy,
  expectHandshakeRefused,
  fetchPolicy,
  MutableClock,
  startServer,
  type TestResponse,
  type TestServer,
} from './helpers/test-server.js'

const DOMAIN = 'retire.example.org'
const HOST = `mta-sts.${DOMAIN}`
const WEEK = 604800
const ENFORCE = { mode: 'enforce', mx: ['mx.retire.example.org'], maxAge: WEEK }
const NONE_TEXT = 'version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n'
const T0 = new Date('2030-01-01T00:00:00.000Z')

// Through app.request() unless the test needs the socket: a removed hostname is seen in the
// refused TLS handshake (no certificate offered), which only a real listener shows.
let s: TestApp | TestServer
let policyAt: (host: string) => Promise<TestResponse>
let clock: MutableClock
let token: string

async function inApp(): Promise<void> {
  clock = new MutableClock(T0)
  const app = await startApp({ clock })
  s = app
  policyAt = (host) => servedPolicy(app, host)
  token = (await createTenant(s, 'retirer')).token
}
async function onSocket(): Promise<void> {
  clock = new MutableClock(T0)
  const server = await startServer({ clock })
  s = server
  policyAt = (host) => fetchPolicy(server, host)
  token = (await createTenant(s, 'retirer')).token
}
afterEach(async () => {
  await s.close()
})

const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000).toISOString()
const retire = (query = '', tok = token) =>
  s.request('DELETE', `/api/v1/domains/${DOMAIN}${query}`, { token: tok })
const dbCounts = async () => ({
  domains: Number(await scalar(s, 'SELECT count(*) AS n FROM domains WHERE name = ?', DOMAIN)),
  hostnames: Number(await scalar(s, 'SELECT count(*) AS n FROM hostnames WHERE name = ?', HOST)),
  // Rows left behind by a removal (foreign keys cascade).
  orphans: Number(
    await scalar(
      s,
      'SELECT count(*) AS n FROM mta_sts_policies WHERE domain_id NOT IN (SELECT id FROM domains)',
    ),
  ),
})

/** The domain is gone from the API, the policy host and the database. */
async function expectGone(): Promise<void> {
  expect((await s.request('GET', `/api/v1/domains/${DOMAIN}`, { token })).status).toBe(404)
  // The hostname is gone: no certificate is offered for it any more.
  expectHandshakeRefused(await policyAt(HOST), HOST)
  expect(await dbCounts()).toEqual({ domains: 0, hostnames: 0, orphans: 0 })
}

describe('domain retirement (RFC 8461 §8.3)', () => {
  beforeEach(inApp)

  it('when an enforced domain is deleted, then it serves mode none until every cached policy expired', async () => {
    const old = await domainWithPolicy(s, token, DOMAIN, ENFORCE)
    clock.advance(3600)

    const res = await retire()

    expect(res.status).toBe(200)
    const body = res.json()
    expect(body).toMatchObject({
      name: DOMAIN,
      status: 'retiring',
      retiredAt: at(3600),
      removeAt: at(3600 + WEEK),
    })
    expect(body.policy).toMatchObject({ mode: 'none', maxAge: 86400, mx: [], text: NONE_TEXT })
    expect(body.policy.id).toMatch(/^[A-Za-z0-9]{1,32}$/)
    expect(body.policy.id).not.toBe(old.id)
    expect(body.message).toContain(body.policy.id)
    const served = await policyAt(HOST)
    expect(served.status).toBe(200)
    expect(served.text).toBe(NONE_TEXT)
    const records = (await s.request('GET', `/api/v1/domains/${DOMAIN}/records`, { token })).json()
    expect(records.records[1].value).toBe(`v=STSv1; id=${body.policy.id}`)
    const shown = (await s.request('GET', `/api/v1/domains/${DOMAIN}`, { token })).json()
    expect(shown).toMatchObject({ status: 'retiring', removeAt: at(3600 + WEEK) })
    const [row] = await s.sql('SELECT status, remove_at FROM domains WHERE name = ?', DOMAIN)
    expect(row).toEqual({ status: 'retiring', remove_at: T0.getTime() + (3600 + WEEK) * 1000 })
    const audit = (await s.audit()).at(-1)
    expect(audit).toMatchObject({ action: 'domain.retire', subject: DOMAIN })
    expect(JSON.parse(audit?.detail ?? '{}')).toEqual({ removeAt: at(3600 + WEEK) })
    expect(s.logged('domain_retiring')).toEqual([
      expect.objectContaining({ domain: DOMAIN, removeAt: at(3600 + WEEK) }),
    ])
  })

  it('when the longest max_age was published earlier, then removal waits for that one', async () => {
    await domainWithPolicy(s, token, DOMAIN, ENFORCE)
    const shorter = { ...ENFORCE, mode: 'testing', maxAge: 3600 }
    expect(
      (await s.request('PUT', `/api/v1/domains/${DOMAIN}/mta-sts`, { token, json: shorter }))
        .status,
    ).toBe(200)
    clock.advance(60)

    const res = await retire()

    expect(res.json()).toMatchObject({ status: 'retiring', removeAt: at(60 + WEEK) })
  })

  it('when an enforced domain was switched to mode none before deletion, then removal still waits', async () => {
    await domainWithPolicy(s, token, DOMAIN, ENFORCE)
    const none = { mode: 'none', mx: [], maxAge: 86400 }
    expect(
      (await s.request('PUT', `/api/v1/domains/${DOMAIN}/mta-sts`, { token, json: none })).status,
    ).toBe(200)

    const res = await retire()

    expect(res.json()).toMatchObject({ status: 'retiring', removeAt: at(WEEK) })
    expect((await policyAt(HOST)).text).toBe(NONE_TEXT)
  })

  it('when a retiring domain is changed, then 409; deleting it again changes nothing', async () => {
    await domainWithPolicy(s, token, DOMAIN, ENFORCE)
    const first = (await retire()).json()
    clock.advance(600)
    const auditBefore = (await s.audit()).length

    const put = await s.request('PUT', `/api/v1/domains/${DOMAIN}/mta-sts`, {
      token,
      json: ENFORCE,
    })
    const rpt = await s.request('PUT', `/api/v1/domains/${DOMAIN}/tls-rpt`, {
      token,
      json: { rua: ['mailto:tls@retire.example.org'] },
    })
    const again = await retire()

    expect(put.status).toBe(409)
    expect(put.headers['content-type']).toBe('application/problem+json')
    expect(rpt.status).toBe(409)
    expect(again.status).toBe(200)
    expect(again.json()).toEqual(first)
    expect((await policyAt(HOST)).text).toBe(NONE_TEXT)
    expect(await s.audit()).toHaveLength(auditBefore)
  })
})

describe('domain retirement (RFC 8461 §8.3)', () => {
  beforeEach(onSocket)

  it('when the clock passes removeAt, then the removal job deletes the domain', async () => {
    await domainWithPolicy(s, token, DOMAIN, ENFORCE)
    await retire()

    clock.advance(WEEK - 1)
    expect(await removeDueDomains(s.runtime.deps)).toEqual([])
    expect((await policyAt(HOST)).text).toBe(NONE_TEXT)

    clock.advance(2)
    expect(await removeDueDomains(s.runtime.deps)).toEqual([DOMAIN])

    await expectGone()
    expect((await s.audit()).at(-1)).toMatchObject({
      action: 'domain.remove',
      subject: DOMAIN,
      actor_token_id: null,
      detail: JSON.stringify({ reason: 'retirement_complete' }),
    })
    expect(s.logged('domain_removed')).toEqual([
      expect.objectContaining({ domain: DOMAIN, reason: 'retirement_complete' }),
    ])
  })

  it.each([
    ['no policy', null],
    ['only a mode none policy', { mode: 'none', mx: [], maxAge: 86400 }],
  ])('when a domain with %s is deleted, then it is removed at once', async (_, policy) => {
    const added = await s.request('POST', '/api/v1/domains', { token, json: { name: DOMAIN } })
    expect(added.status).toBe(201)
    if (policy) {
      const put = await s.request('PUT', `/api/v1/domains/${DOMAIN}/mta-sts`, {
        token,
        json: policy,
      })
      expect(put.status).toBe(200)
    }

    const res = await retire()

    expect(res.status).toBe(200)
    expect(res.json()).toMatchObject({ name: DOMAIN, status: 'removed', removedAt: at(0) })
    await expectGone()
    expect(JSON.parse((await s.audit()).at(-1)?.detail ?? '{}')).toEqual({
      reason: 'no_live_policy',
    })
  })

  it.each(['active', 'retiring'])(
    'when the operator forces removal of an %s domain, then it goes at once',
    async (state) => {
      await domainWithPolicy(s, token, DOMAIN, ENFORCE)
      if (state === 'retiring') expect((await retire()).json().status).toBe('retiring')

      const res = await retire('?force=true', ADMIN_TOKEN)

      expect(res.status).toBe(200)
      expect(res.json()).toMatchObject({ status: 'removed', removedAt: at(0) })
      await expectGone()
      expect(s.logged('domain_removed')).toEqual([
        expect.objectContaining({ domain: DOMAIN, reason: 'forced' }),
      ])
    },
  )
})
