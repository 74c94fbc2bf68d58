import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SYSTEM_ACTOR } from '../src/core/actor.js'
import { removeDueDomains } from '../src/services/domains/retire-domain.js'
import { syncPolicyFiles } from '../src/services/domains/sync.js'
import { servedPolicy, startApp, type TestApp } from './helpers/app.js'
import {
  ADMIN_TOKEN,
  createTenant,
  domainWithPolicy,
  fetchPolicy,
  MutableClock,
  startServer,
  type TestResponse,
  type TestServer,
} from './helpers/test-server.js'

const DOMAIN = 'undo.example.org'
const HOST = `mta-sts.${DOMAIN}`
const WEEK = 604800
const ENFORCE = { mode: 'enforce', mx: ['mx.undo.example.org'], maxAge: WEEK }
const ENFORCE_TEXT =
  'version: STSv1\r\nmode: enforce\r\nmx: mx.undo.example.org\r\nmax_age: 604800\r\n'
const NONE_TEXT = 'version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n'
const T0 = new Date('2030-01-01T00:00:00.000Z')

// Through app.request(), but for the one test that restarts the server on its data dir.
let s: TestApp | TestServer
let policyAt: (host: string) => Promise<TestResponse>
let clock: MutableClock
let token: string

async function inApp(): Promise<void> {
  clock = new MutableClock(T0)
  const app = await startApp({ clock })
  s = app
  policyAt = (host) => servedPolicy(app, host)
  token = (await createTenant(s, 'undoer')).token
}
async function onSocket(): Promise<void> {
  clock = new MutableClock(T0)
  s = await startServer({ clock })
  // `s`, not this server: the test restarts it.
  policyAt = (host) => fetchPolicy(s as TestServer, host)
  token = (await createTenant(s, 'undoer')).token
}
afterEach(async () => {
  await s.close()
})

const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000).toISOString()
const retire = (tok = token) => s.request('DELETE', `/api/v1/domains/${DOMAIN}`, { token: tok })
const restore = (tok = token) =>
  s.request('POST', `/api/v1/domains/${DOMAIN}/restore`, { token: tok })
const stsRecord = async (): Promise<string | undefined> => {
  const res = await s.request('GET', `/api/v1/domains/${DOMAIN}/records`, { token })
  const records = res.json().records as Array<{ name: string; value: string }>
  return records.find((r) => r.name === `_mta-sts.${DOMAIN}`)?.value
}
const domainRow = async () =>
  (
    await s.sql(
      'SELECT status, retired_at, remove_at, retired_policy_id FROM domains WHERE name = ?',
      DOMAIN,
    )
  )[0]

describe('cancelling a retirement (issue 10 point 11)', () => {
  beforeEach(inApp)

  it('when a retiring domain is restored, then its previous policy is served under a new id', async () => {
    const before = await domainWithPolicy(s, token, DOMAIN, ENFORCE)
    clock.advance(60)
    const none = (await retire()).json().policy
    expect(none.text).toBe(NONE_TEXT)
    clock.advance(3600)

    const res = await restore()

    expect(res.status).toBe(200)
    const body = res.json()
    expect(body).toMatchObject({
      name: DOMAIN,
      status: 'active',
      restoredAt: at(3660),
      previousPolicyId: before.id,
    })
    expect(body.policy).toMatchObject({ mode: 'enforce', maxAge: WEEK, text: ENFORCE_TEXT })
    expect(body.policy.text).toBe(before.text)
    // RFC 8461 §3.1: a new instance, so neither the old id nor the `none` one.
    expect(body.policy.id).toMatch(/^[A-Za-z0-9]{1,32}$/)
    expect(body.policy.id).not.toBe(before.id)
    expect(body.policy.id).not.toBe(none.id)
    expect(body.message).toContain(body.policy.id)
    // RFC 8461 §8.1: served by the time the new id is shown for publication.
    const served = await policyAt(HOST)
    expect(served.status).toBe(200)
    expect(served.text).toBe(ENFORCE_TEXT)
    expect(await stsRecord()).toBe(`v=STSv1; id=${body.policy.id}`)
    const policy = (await s.request('GET', `/api/v1/domains/${DOMAIN}/mta-sts`, { token })).json()
    expect(policy).toMatchObject({ id: body.policy.id, text: ENFORCE_TEXT })
    const shown = (await s.request('GET', `/api/v1/domains/${DOMAIN}`, { token })).json()
    expect(shown).toMatchObject({ status: 'active' })
    expect(await domainRow()).toEqual({
      status: 'active',
      retired_at: null,
      remove_at: null,
      retired_policy_id: null,
    })
    const audit = (await s.audit()).at(-1)
    expect(audit).toMatchObject({ action: 'domain.restore', subject: DOMAIN })
    expect(JSON.parse(audit?.detail ?? '{}')).toEqual({
      policyId: body.policy.id,
      previousPolicyId: before.id,
    })
    expect(s.logged('domain_restored')).toEqual([
      expect.objectContaining({ domain: DOMAIN, policyId: body.policy.id }),
    ])
    // Nothing is removed later: the removal job leaves an active domain alone.
    clock.advance(2 * WEEK)
    expect(await removeDueDomains(s.runtime.deps)).toEqual([])
  })

  it('when a restored domain is changed, then no 409; the same policy again keeps the new id', async () => {
    await domainWithPolicy(s, token, DOMAIN, ENFORCE)
    await retire()
    const restored = (await restore()).json().policy

    const same = await s.request('PUT', `/api/v1/domains/${DOMAIN}/mta-sts`, {
      token,
      json: ENFORCE,
    })
    const rpt = await s.request('PUT', `/api/v1/domains/${DOMAIN}/tls-rpt`, {
      token,
      json: { rua: ['mailto:tls@undo.example.org'] },
    })
    const testing = await s.request('PUT', `/api/v1/domains/${DOMAIN}/mta-sts`, {
      token,
      json: { ...ENFORCE, mode: 'testing' },
    })

    expect(same.status).toBe(200)
    expect(same.json().id).toBe(restored.id)
    expect(rpt.status).toBe(200)
    expect(testing.status).toBe(200)
    expect(testing.json().id).not.toBe(restored.id)
  })

  it('when a domain is retired, restored, retired and restored again, then every id is new', async () => {
    const before = await domainWithPolicy(s, token, DOMAIN, ENFORCE)
    const ids = [before.id]
    for (let round = 0; round < 2; round++) {
      clock.advance(60)
      const retiring = await retire()
      expect(retiring.json()).toMatchObject({
        status: 'retiring',
        removeAt: at(60 * (round + 1) + WEEK),
      })
      ids.push(retiring.json().policy.id)
      const restored = await restore()
      expect(restored.status).toBe(200)
      expect(restored.json().policy.text).toBe(ENFORCE_TEXT)
      ids.push(restored.json().policy.id)
    }

    // The `none` policy is the same text both times and keeps its id; the restores never reuse one.
    expect(ids[3]).toBe(ids[1])
    expect(new Set([ids[0], ids[1], ids[2], ids[4]]).size).toBe(4)
    expect(await stsRecord()).toBe(`v=STSv1; id=${ids[4]}`)
    expect((await policyAt(HOST)).text).toBe(ENFORCE_TEXT)
  })

  it('when the policy file is synced after a restore, then it is unchanged every time', async () => {
    const file = {
      path: `policies/${DOMAIN}.json`,
      name: DOMAIN,
      text: JSON.stringify({ mtaSts: ENFORCE }),
    }
    const sync = async () =>
      (await syncPolicyFiles(s.runtime.deps, SYSTEM_ACTOR, [file]))[0]?.result
    expect(await sync()).toBe('created')
    expect((await retire(ADMIN_TOKEN)).json().status).toBe('retiring')
    const restored = (await restore(ADMIN_TOKEN)).json()
    expect(restored.status).toBe('active')

    expect(await sync()).toBe('unchanged')
    expect(await sync()).toBe('unchanged')
    const policy = (
      await s.request('GET', `/api/v1/domains/${DOMAIN}/mta-sts`, { token: ADMIN_TOKEN })
    ).json()
    expect(policy.id).toBe(restored.policy.id)
  })

  it('when the domain switched to mode none before deletion, then that policy returns under a new id', async () => {
    await s.request('POST', '/api/v1/domains', { token, json: { name: DOMAIN } })
    await s.request('PUT', `/api/v1/domains/${DOMAIN}/mta-sts`, { token, json: ENFORCE })
    const none = { mode: 'none', mx: [], maxAge: 86400 }
    const before = (
      await s.request('PUT', `/api/v1/domains/${DOMAIN}/mta-sts`, { token, json: none })
    ).json()
    const retiring = (await retire()).json()
    expect(retiring.policy.id).toBe(before.id)

    const res = await restore()

    expect(res.status).toBe(200)
    expect(res.json().policy).toMatchObject({ mode: 'none', text: NONE_TEXT })
    expect(res.json().policy.id).not.toBe(before.id)
    expect(await stsRecord()).toBe(`v=STSv1; id=${res.json().policy.id}`)
  })

  it('when an active domain is restored, then 409 and nothing changes', async () => {
    const before = await domainWithPolicy(s, token, DOMAIN, ENFORCE)
    const auditBefore = (await s.audit()).length

    const res = await restore()

    expect(res.status).toBe(409)
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect(res.json().detail).toMatch(/not being retired/)
    expect(await stsRecord()).toBe(`v=STSv1; id=${before.id}`)
    expect(await s.audit()).toHaveLength(auditBefore)
  })

  it('when another tenant restores the domain, then 404 and it stays retiring', async () => {
    await domainWithPolicy(s, token, DOMAIN, ENFORCE)
    await retire()
    const other = await createTenant(s, 'stranger')

    const res = await restore(other.token)

    // The same answer as for a name nobody holds.
    expect(res.status).toBe(404)
    expect(res.json().detail).toBe(`domain "${DOMAIN}" not found`)
    expect(await domainRow()).toMatchObject({ status: 'retiring' })
    expect((await policyAt(HOST)).text).toBe(NONE_TEXT)
  })

  it('when the domain was removed, then restoring it is 404', async () => {
    await domainWithPolicy(s, token, DOMAIN, ENFORCE)
    await retire()
    clock.advance(WEEK + 1)
    expect(await removeDueDomains(s.runtime.deps)).toEqual([DOMAIN])

    const res = await restore()

    expect(res.status).toBe(404)
    expect(res.headers['content-type']).toBe('application/problem+json')
  })
})

// Restarting the process on the same data dir is the socket's.
describe('cancelling a retirement (issue 10 point 11)', () => {
  beforeEach(onSocket)

  it('when the domain had no policy of its own before retirement, then it is restored to none', async () => {
    // Tenant A published a policy; B then proved control and inherits A's max_age, not a policy.
    await domainWithPolicy(s, token, DOMAIN, ENFORCE)
    s = await (s as TestServer).restart({
      clock,
      env: { DOMAIN_VERIFICATION: 'dns', DNS_SERVERS: '127.0.0.1:9' },
    })
    const heir = await createTenant(s, 'heir')
    expect(
      (await s.request('POST', '/api/v1/domains', { token: heir.token, json: { name: DOMAIN } }))
        .status,
    ).toBe(201)
    const trusted = await s.request('POST', `/api/v1/domains/${DOMAIN}/verification`, {
      token: ADMIN_TOKEN,
      json: { trust: true, tenantId: heir.id },
    })
    expect(trusted.json()).toMatchObject({ verified: true })
    expect((await retire(heir.token)).json()).toMatchObject({
      status: 'retiring',
      removeAt: at(WEEK),
    })

    const res = await restore(heir.token)

    expect(res.status).toBe(200)
    expect(res.json()).toMatchObject({ status: 'active', policy: null, previousPolicyId: null })
    const records = (
      await s.request('GET', `/api/v1/domains/${DOMAIN}/records`, { token: heir.token })
    ).json().records as Array<{ name: string }>
    expect(records.map((r) => r.name)).not.toContain(`_mta-sts.${DOMAIN}`)
    expect((await policyAt(HOST)).status).toBe(404)
  })
})
