/**
 * Which domain changes make the certificate manager look at its list: only those that can add
 * hostnames or make one due. A policy write on PostgreSQL otherwise cost every instance a read.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  createTenant,
  domainWithPolicy,
  startServer,
  type TestServer,
} from './helpers/test-server.js'

const POLICY = { mode: 'enforce', mx: ['mx.kick.example.org'], maxAge: 86400 }

let s: TestServer
afterEach(() => s?.close())

describe('certificate manager kicks', () => {
  it('when a policy, TLS-RPT settings or the DNS mode change, then it reads nothing; a new domain makes it look', async () => {
    s = await startServer()
    const { token } = await createTenant(s, 'kicks')
    await domainWithPolicy(s, token, 'kick.example.org', POLICY)
    await s.runtime.certs.idle()
    const due = vi.spyOn(s.runtime.deps.repos.certs, 'due')

    const changes = [
      s.request('PUT', '/api/v1/domains/kick.example.org/mta-sts', {
        token,
        json: { ...POLICY, mode: 'testing' },
      }),
      s.request('PUT', '/api/v1/domains/kick.example.org/tls-rpt', {
        token,
        json: { rua: [] },
      }),
    ]
    for (const res of await Promise.all(changes)) expect(res.status).toBe(200)
    await s.runtime.certs.idle()
    expect(due).not.toHaveBeenCalled()

    await domainWithPolicy(s, token, 'kick2.example.org', POLICY)
    await s.runtime.certs.idle()
    expect(due).toHaveBeenCalled()
  })
})
