import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { SYSTEM_ACTOR } from '../src/core/actor.js'
import { openRuntime, type Runtime } from '../src/main.js'
import { addDomain } from '../src/services/domains/domains.js'
import { setPolicy } from '../src/services/mta-sts/mta-sts.js'
import { retireDomain } from '../src/services/domains/retire-domain.js'
import {
  ADMIN_TOKEN,
  baseEnv,
  createTenant,
  domainWithPolicy,
  eventually,
  fetchPolicy,
  startServer,
  type TestServer,
} from './helpers/test-server.js'
import { TEST_STORE } from './helpers/world-store.js'

const DOMAIN = 'restart.example.org'
const HOST = `mta-sts.${DOMAIN}`
const POLICY = {
  mode: 'enforce' as const,
  mx: ['mx.restart.example.org', '*.mx.example.net'],
  maxAge: 86400,
}
const RUA = { rua: ['mailto:tls@restart.example.org', 'https://reports.example.net/tlsrpt'] }

let s: TestServer
beforeEach(async () => {
  s = await startServer({ env: { SNAPSHOT_POLL_SECONDS: '0.2' } })
})
afterEach(async () => {
  await s.close()
})

describe('restart', () => {
  it('when the server restarts on the same data dir, then everything is still there and served', async () => {
    const tenant = await createTenant(s, 'durable')
    const policy = await domainWithPolicy(s, tenant.token, DOMAIN, POLICY)
    await s.request('PUT', `/api/v1/domains/${DOMAIN}/tls-rpt`, { token: tenant.token, json: RUA })
    const minted = (
      await s.request('POST', '/api/v1/tokens', { token: tenant.token, json: { label: 'old' } })
    ).json()
    await s.request('DELETE', `/api/v1/tokens/${minted.id}`, { token: tenant.token })
    const read = async (token: string) => ({
      tenants: (await s.request('GET', '/api/v1/tenants', { token: ADMIN_TOKEN })).json(),
      domains: (await s.request('GET', '/api/v1/domains', { token })).json(),
      policy: (await s.request('GET', `/api/v1/domains/${DOMAIN}/mta-sts`, { token })).json(),
      tlsRpt: (await s.request('GET', `/api/v1/domains/${DOMAIN}/tls-rpt`, { token })).json(),
      records: (await s.request('GET', `/api/v1/domains/${DOMAIN}/records?format=bind`, { token }))
        .text,
    })
    const before = await read(tenant.token)
    const auditBefore = await s.audit()

    s = await s.restart({ env: { SNAPSHOT_POLL_SECONDS: '0.2' } })

    // First request after start: served from the snapshot loaded at start.
    const served = await fetchPolicy(s, HOST)
    expect(served.status).toBe(200)
    expect(served.text).toBe(policy.text)
    expect(await read(tenant.token)).toEqual(before)
    expect(before.policy.id).toBe(policy.id)
    expect(before.records).toContain(`"v=STSv1; id=${policy.id}"`)
    expect((await s.request('GET', '/api/v1/domains', { token: minted.token })).status).toBe(401)
    expect(await s.audit()).toEqual(auditBefore)
    expect(s.logged('listening')).toHaveLength(1)
  })

  it('when ADMIN_TOKEN changes across a restart, then the old value stops working', async () => {
    const next = 'another-operator-token-abcdefghijklmnop'

    s = await s.restart({ env: { SNAPSHOT_POLL_SECONDS: '0.2', ADMIN_TOKEN: next } })

    expect((await s.request('GET', '/api/v1/tenants', { token: ADMIN_TOKEN })).status).toBe(401)
    expect((await s.request('GET', '/api/v1/tenants', { token: next })).status).toBe(200)
    expect(s.logged('operator_token_bootstrapped')).toHaveLength(1)
    expect((await s.audit()).filter((r) => r.action === 'token.bootstrap')).toHaveLength(2)
  })
})

describe('changes from another process', () => {
  let cli: Runtime
  beforeEach(async () => {
    // Like the CLI: its own connection to the same store, no listener.
    const env = { ...baseEnv(s.dataDir), ...s.storeEnv, ADMIN_TOKEN: '' }
    cli = await openRuntime(loadConfig(env), { logSink: () => {} })
  })
  afterEach(async () => {
    await cli.close()
  })

  const served = (text: string) => async () => (await fetchPolicy(s, HOST)).text === text

  it('when another connection sets a policy, then the server serves it within the poll interval', async () => {
    const tenant = await createTenant(s, 'elsewhere')
    await addDomain(cli.deps, SYSTEM_ACTOR, { name: DOMAIN, tenantId: tenant.id })
    const set = await setPolicy(cli.deps, SYSTEM_ACTOR, DOMAIN, POLICY)

    expect(await eventually(served(set.text), 1000)).toBe(true)
    const api = await s.request('GET', `/api/v1/domains/${DOMAIN}/mta-sts`, { token: tenant.token })
    expect(api.json().id).toBe(set.policyId)
    // SQLite's change comes by the data_version poll, which refreshes the whole snapshot;
    // PostgreSQL delivers it by NOTIFY per domain, with no further full refresh to count.
    if (TEST_STORE === 'sqlite') expect(s.logged('snapshot_refreshed').length).toBeGreaterThan(1)
  })

  it('when another connection changes or removes a served policy, then the server follows', async () => {
    const tenant = await createTenant(s, 'elsewhere')
    const first = await domainWithPolicy(s, tenant.token, DOMAIN, POLICY)
    expect((await fetchPolicy(s, HOST)).text).toBe(first.text)

    const changed = await setPolicy(cli.deps, SYSTEM_ACTOR, DOMAIN, {
      ...POLICY,
      mode: 'testing' as const,
    })
    expect(changed.policyId).not.toBe(first.id)
    expect(await eventually(served(changed.text), 1000)).toBe(true)

    await retireDomain(cli.deps, SYSTEM_ACTOR, DOMAIN, { force: true })
    const gone = async () => (await fetchPolicy(s, HOST)).status !== 200
    expect(await eventually(gone, 1000)).toBe(true)
  })
})
