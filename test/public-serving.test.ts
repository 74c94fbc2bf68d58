import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { column } from './helpers/server-store.js'
import {
  ADMIN_TOKEN,
  createTenant,
  domainWithPolicy,
  expectHandshakeRefused,
  issueDue,
  SERVICE_HOST,
  startServer,
  type TestResponse,
  type TestServer,
} from './helpers/test-server.js'

const DOMAIN = 'example.net'
const HOST = `mta-sts.${DOMAIN}`
const POLICY = { mode: 'enforce', mx: ['mx.example.net'], maxAge: 604800 }

let s: TestServer
let token: string
let policy: { id: string; text: string }
const seen: TestResponse[] = []

beforeEach(async () => {
  s = await startServer()
  token = (await createTenant(s, 'public')).token
  policy = await domainWithPolicy(s, token, DOMAIN, POLICY)
})
afterEach(async () => {
  // RFC 8461 §3.3: the policy host never redirects, whatever was asked.
  for (const res of seen.splice(0)) {
    expect(res.status < 300 || res.status >= 400, `status ${res.status}`).toBe(true)
    expect(res.headers.location).toBeUndefined()
  }
  await s.close()
})

async function get(host: string, path = '/.well-known/mta-sts.txt', method = 'GET', tok?: string) {
  await issueDue(s)
  const res = await s.request(method, path, { host, token: tok, https: true })
  seen.push(res)
  return res
}

function expectNotFound(res: TestResponse, what: string): void {
  expect(res.status, what).toBe(404)
  expect(res.headers['content-type'], what).not.toMatch(/json/)
  expect(res.text, what).not.toContain('version: STSv1')
}

describe('public policy serving', () => {
  it.each([HOST, 'MTA-STS.Example.NET', `${HOST}:8080`, `${HOST}.`, 'Mta-Sts.EXAMPLE.net.:443'])(
    'when the Host is %j, then the exact policy bytes are served',
    async (host) => {
      const res = await get(host)

      expect(res.status).toBe(200)
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8')
      expect(res.headers['cache-control']).toBe('max-age=60')
      expect(res.headers['content-length']).toBe(String(Buffer.byteLength(policy.text)))
      expect(res.bytes.equals(Buffer.from(policy.text))).toBe(true)
      const line = s.logged('request').find((l) => l.requestId === res.headers['x-request-id'])
      expect(line).toMatchObject({ host, path: '/.well-known/mta-sts.txt', status: 200 })
    },
  )

  it('when the host is unknown, then no certificate is offered and nothing is served', async () => {
    expectHandshakeRefused(await get('mta-sts.unknown-domain.org'), 'unknown host')
    expectHandshakeRefused(await get('www.example.net'), 'other name of a known domain')
    expectHandshakeRefused(await get(DOMAIN), 'the bare domain')
  })

  it('when a known domain has no policy yet, then 404', async () => {
    const added = await s.request('POST', '/api/v1/domains', {
      token,
      json: { name: 'nopolicy.org' },
    })
    expect(added.status).toBe(201)

    expectNotFound(await get('mta-sts.nopolicy.org'), 'no policy')
  })

  it.each([
    '/',
    '/.well-known/',
    '/.well-known/mta-sts.txt/',
    '/.well-known/MTA-STS.TXT',
    '/.well-known/mta-sts.txt.bak',
    '/mta-sts.txt',
    '/healthz',
  ])('when another path %j is asked on a policy host, then 404', async (path) => {
    expectNotFound(await get(HOST, path), path)
  })

  it('when HEAD is sent, then 200 with the length and no body', async () => {
    const res = await get(HOST, '/.well-known/mta-sts.txt', 'HEAD')

    expect(res.status).toBe(200)
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(policy.text)))
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(res.bytes.byteLength).toBe(0)
  })

  it('when the policy is asked plainly (fast path) or with a query (hono route), then both answers match', async () => {
    await issueDue(s)
    const ask = (path: string, headers: Record<string, string>) =>
      s.request('GET', path, { host: HOST, https: true, headers })
    const fast = await ask('/.well-known/mta-sts.txt', { 'x-request-id': 'trace-1' })
    const routed = await ask('/.well-known/mta-sts.txt?x=1', { 'x-request-id': 'trace-2' })
    const badId = await ask('/.well-known/mta-sts.txt', { 'x-request-id': 'bad id with spaces' })

    const shape = (r: TestResponse) => ({
      status: r.status,
      body: r.text,
      type: r.headers['content-type'],
      length: r.headers['content-length'],
      cache: r.headers['cache-control'],
      nosniff: r.headers['x-content-type-options'],
    })
    expect(shape(fast)).toEqual(shape(routed))
    expect(fast.text).toBe(policy.text)
    expect(fast.headers['x-request-id']).toBe('trace-1')
    expect(routed.headers['x-request-id']).toBe('trace-2')
    expect(badId.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    for (const id of ['trace-1', 'trace-2'])
      expect(s.logged('request').find((l) => l.requestId === id)).toMatchObject({
        host: HOST,
        method: 'GET',
        path: '/.well-known/mta-sts.txt',
        status: 200,
      })
  })

  it('when POST is sent to the policy path, then it is refused', async () => {
    const res = await get(HOST, '/.well-known/mta-sts.txt', 'POST')

    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.text).not.toContain('version: STSv1')
  })

  it('when the admin API is asked on a customer hostname, then 404 and no JSON', async () => {
    for (const path of ['/api/v1/domains', '/api/v1/tenants', '/api/v1/openapi.json']) {
      expectNotFound(await get(HOST, path, 'GET', ADMIN_TOKEN), path)
      const plain = await s.request('GET', path, { host: HOST, token: ADMIN_TOKEN })
      expectNotFound(plain, `${path} over HTTP`)
    }
  })

  it('when a name has no certificate here, then the TLS handshake is refused', async () => {
    await issueDue(s)
    for (const host of ['mta-sts.unknown-domain.org', 'example.net', 'localhost']) {
      expectHandshakeRefused(
        await s.request('GET', '/.well-known/mta-sts.txt', { host, https: true }),
        host,
      )
    }
    const noSni = await s.request('GET', '/healthz', { host: '127.0.0.1', https: true })
    expectHandshakeRefused(noSni, 'no SNI')
  })

  it('when the SNI is a policy host but the Host header is not, then 421 Misdirected Request', async () => {
    await issueDue(s)
    const res = await s.request('GET', '/.well-known/mta-sts.txt', {
      host: 'mta-sts.unknown-domain.org',
      servername: HOST,
      https: true,
    })
    // RFC 9110 §15.5.20 (issue 9): the connection was made for another host.
    expect(res.status).toBe(421)
    expect(res.text).not.toContain('version: STSv1')
  })

  it('when the policy is asked over plain HTTP, then 404: policies are served over HTTPS only', async () => {
    expectNotFound(await s.request('GET', '/.well-known/mta-sts.txt', { host: HOST }), 'plain HTTP')
  })

  it('when /healthz is asked on the service host or a loopback name, then it answers', async () => {
    for (const [host, https] of [
      [SERVICE_HOST, true],
      [`${SERVICE_HOST.toUpperCase()}:8080`, true],
      [SERVICE_HOST, false],
      ['localhost', false],
      [`127.0.0.1:${s.port}`, false],
    ] as const) {
      await issueDue(s)
      const res = await s.request('GET', '/healthz', { host, https })
      expect(res.status, host).toBe(200)
      expect(res.json(), host).toMatchObject({ status: 'ok', version: expect.any(String) })
      expect(res.json().policies).toBeGreaterThanOrEqual(1)
    }
  })

  it('when the policy path is asked on the service host, then no policy is served', async () => {
    expectNotFound(await get(SERVICE_HOST), 'service host')
    expectNotFound(
      await s.request('GET', '/.well-known/mta-sts.txt', { host: 'localhost' }),
      'localhost',
    )
  })
})

describe('policies/ at start', () => {
  it('when POLICIES_DIR is empty, then no demo domain is loaded or served', async () => {
    expectHandshakeRefused(await get('mta-sts.example.com'), 'demo host')
    const tenants = await column(s, 'SELECT name FROM tenants')
    expect(tenants).not.toContain('local')
    expect(s.logged('policy_file')).toEqual([])
  })

  it('when POLICIES_DIR holds a domain file, then its policy is served at start', async () => {
    const dir = join(s.dataDir, 'policies')
    mkdirSync(dir)
    const file = { mtaSts: { mode: 'testing', mx: ['mx.files.example.org'], maxAge: 3600 } }
    writeFileSync(join(dir, 'files.example.org.json'), JSON.stringify(file))
    s = await s.restart({ env: { POLICIES_DIR: dir } })

    // Its certificate is issued in the background once the server listens (a busy machine may
    // take a moment): the first fetches may be refused, then it is served.
    let res = await get('mta-sts.files.example.org')
    for (const t0 = Date.now(); res.status !== 200 && Date.now() - t0 < 10_000;) {
      await new Promise((r) => setTimeout(r, 100))
      res = await get('mta-sts.files.example.org')
    }

    expect(res.status).toBe(200)
    expect(res.text).toBe(
      'version: STSv1\r\nmode: testing\r\nmx: mx.files.example.org\r\nmax_age: 3600\r\n',
    )
    expect(s.logged('policy_file')).toEqual([
      expect.objectContaining({ domain: 'files.example.org', result: 'created' }),
    ])
  })
})
