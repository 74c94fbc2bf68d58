/**
 * Issue 9 finding 2: a tenant took the service host offline by registering the service's parent
 * domain, making the service host its logo host and deleting that logo host — the service
 * host's certificate left the SNI table until a restart.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { column } from './helpers/server-store.js'
import {
  ADMIN_TOKEN,
  createTenant,
  issueDue,
  startServer,
  type TestServer,
  eventually,
} from './helpers/test-server.js'

const SERVICE = 'api.policyhost.test'
let s: TestServer

afterEach(async () => {
  await s?.close()
})

async function healthzByServiceName(): Promise<number> {
  await issueDue(s)
  const ask = async () =>
    (await s.request('GET', '/healthz', { host: SERVICE, https: true })).status
  // On PostgreSQL a stored certificate reaches the SNI cache by notification, a moment after
  // issueDue returns: a refused handshake (0) is retried for a while.
  let status = 0
  await eventually(async () => (status = await ask()) !== 0, 5_000)
  return status
}

describe('the service host cannot be touched by tenant actions (issue 9 finding 2)', () => {
  it('when tenant B tries the attack, then each step is refused and /healthz over HTTPS keeps working', async () => {
    s = await startServer({ env: { SERVICE_HOST: SERVICE } })
    expect(await healthzByServiceName()).toBe(200)
    const b = await createTenant(s, 'bravo')

    const parent = await s.request('POST', '/api/v1/domains', {
      token: b.token,
      json: { name: 'policyhost.test' },
    })
    expect(parent.status).toBe(422)
    expect(parent.json().errors[0]).toMatchObject({ path: 'name' })
    expect(parent.json().errors[0].message).toContain(SERVICE)

    // The operator may still hand the service's own domain to a tenant (a single-owner
    // deployment); even then the service host is never a tenant's logo host.
    const given = await s.request('POST', '/api/v1/domains', {
      token: ADMIN_TOKEN,
      json: { name: 'policyhost.test', tenantId: b.id },
    })
    expect(given.status).toBe(201)
    const logo = await s.request('PUT', '/api/v1/domains/policyhost.test/bimi/logo-host', {
      token: b.token,
      json: { hostname: SERVICE },
    })
    expect(logo.status).toBe(422)
    expect(logo.json().errors[0]).toMatchObject({ path: 'hostname' })
    expect(logo.json().errors[0].message).toContain('service host')
    expect(await healthzByServiceName()).toBe(200)
  })

  it('when a stored logo host is the service host and is deleted, then the service host keeps its certificate', async () => {
    s = await startServer({ env: { SERVICE_HOST: SERVICE } })
    expect(await healthzByServiceName()).toBe(200)
    const b = await createTenant(s, 'bravo')
    await s.request('POST', '/api/v1/domains', {
      token: ADMIN_TOKEN,
      json: { name: 'policyhost.test', tenantId: b.id },
    })
    // A row written before the rule existed (an older version accepted it).
    const [id] = await column<string>(s, `select id from domains where name = 'policyhost.test'`)
    await s.sql(`insert into hostnames (name, domain_id, role) values (?, ?, 'logo')`, SERVICE, id)
    await s.runtime.snapshot.refresh()

    const del = await s.request('DELETE', '/api/v1/domains/policyhost.test/bimi/logo-host', {
      token: b.token,
    })
    expect(del.status).toBe(204)
    expect(s.runtime.snapshot.certSerial(SERVICE)).toEqual(expect.any(String))
    expect(await healthzByServiceName()).toBe(200)
  })
})
