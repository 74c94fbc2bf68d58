/**
 * Issue 9, finding 11: the TLS name (SNI) and the Host header must agree. A connection made for
 * alpha's name must not carry bravo's policy (or the admin API) under alpha's certificate, and a
 * request with two Host headers is malformed (RFC 9112 §3.2), not "the first one wins".
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ADMIN_TOKEN,
  createTenant,
  domainWithPolicy,
  issueDue,
  SERVICE_HOST,
  startServer,
  type TestServer,
} from './helpers/test-server.js'
import { mustHandshake } from './helpers/tls-client.js'

const ALPHA = 'mta-sts.alpha.example'
const BRAVO = 'mta-sts.bravo.example'
const WELL_KNOWN = '/.well-known/mta-sts.txt'
const POLICY = { mode: 'enforce', mx: ['mx.alpha.example'], maxAge: 86400 }

let s: TestServer

beforeAll(async () => {
  s = await startServer()
  const a = await createTenant(s, 'alpha')
  const b = await createTenant(s, 'bravo')
  await domainWithPolicy(s, a.token, 'alpha.example', POLICY)
  await domainWithPolicy(s, b.token, 'bravo.example', { ...POLICY, mx: ['mx.bravo.example'] })
  await issueDue(s)
})
afterAll(() => s.close())

/** Sends `head` (request line and headers, as given) over a TLS connection made for `sni`. */
async function rawOver(sni: string, head: string): Promise<{ status: number; text: string }> {
  const c = await mustHandshake(s.httpsPort, { servername: sni, ca: s.rootPem })
  try {
    return await new Promise((resolve, reject) => {
      let buf = ''
      const timer = setTimeout(() => reject(new Error(`no answer: ${buf}`)), 5_000)
      c.socket.setEncoding('utf8')
      c.socket.on('data', (chunk: string) => {
        buf += chunk
        const end = buf.indexOf('\r\n\r\n')
        if (end < 0) return
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(buf)?.[1] ?? 0)
        if (buf.length < end + 4 + length) return
        clearTimeout(timer)
        resolve({ status: Number(buf.split(' ')[1]), text: buf })
      })
      c.socket.write(head + '\r\n')
    })
  } finally {
    c.close()
  }
}

describe('Host and SNI', () => {
  it.each([
    ['GET', WELL_KNOWN],
    ['HEAD', WELL_KNOWN],
    ['GET', `${WELL_KNOWN}?via=hono`],
  ])(
    'when SNI is alpha and Host is bravo (%s %s), then 421 and no policy of either',
    async (method, path) => {
      const res = await s.request(method, path, { host: BRAVO, servername: ALPHA, https: true })

      expect(res.status).toBe(421)
      expect(res.text).not.toContain('STSv1')
      expect(res.text).not.toContain('mx.')
    },
  )

  it('when SNI is a policy host and Host is the service host, then the admin API says 421', async () => {
    const res = await s.request('GET', '/api/v1/tenants', {
      host: SERVICE_HOST,
      servername: ALPHA,
      token: ADMIN_TOKEN,
      https: true,
    })

    expect(res.status).toBe(421)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.text).not.toContain('"name"')
  })

  it('when SNI and Host name the same host in other spellings, then the policy is served', async () => {
    for (const host of [ALPHA, 'MTA-STS.Alpha.Example', `${ALPHA}.`, `${ALPHA}:443`]) {
      const res = await s.request('GET', WELL_KNOWN, { host, servername: ALPHA, https: true })
      expect(res.status, host).toBe(200)
      expect(res.text, host).toContain('mx: mx.alpha.example')
    }
  })

  it('when a policy is served (fast path) or refused (hono), then each log line carries the peer address', async () => {
    const before = s.logged('request').length
    await s.request('GET', WELL_KNOWN, {
      host: ALPHA,
      https: true,
      headers: { 'x-request-id': 'peer-fast' },
    })
    await s.request('GET', WELL_KNOWN, {
      host: BRAVO,
      servername: ALPHA,
      https: true,
      headers: { 'x-request-id': 'peer-hono' },
    })

    const lines = s.logged('request').slice(before)
    expect(lines.find((l) => l.requestId === 'peer-fast')).toMatchObject({
      status: 200,
      peer: '127.0.0.1',
    })
    expect(lines.find((l) => l.requestId === 'peer-hono')).toMatchObject({
      status: 421,
      peer: '127.0.0.1',
    })
  })

  it.each([
    ['GET', WELL_KNOWN],
    ['GET', `${WELL_KNOWN}?via=hono`],
  ])('when a request over HTTPS has two Host headers (%s %s), then 400', async (method, path) => {
    const res = await rawOver(
      ALPHA,
      `${method} ${path} HTTP/1.1\r\nHost: ${ALPHA}\r\nHost: ${BRAVO}\r\nConnection: close\r\n`,
    )

    expect(res.status).toBe(400)
    expect(res.text).not.toContain('STSv1')
  })

  it('when a request over plain HTTP has two Host headers, then 400', async () => {
    const { connect } = await import('node:net')
    const text = await new Promise<string>((resolve, reject) => {
      const sock = connect(s.port, '127.0.0.1')
      let buf = ''
      sock.setEncoding('utf8')
      sock.on('data', (chunk: string) => (buf += chunk))
      sock.on('end', () => resolve(buf))
      sock.on('error', reject)
      sock.write(
        'GET /api/v1/tenants HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n' +
          `Authorization: Bearer ${ADMIN_TOKEN}\r\nConnection: close\r\n\r\n`,
      )
    })

    expect(Number(text.split(' ')[1])).toBe(400)
    expect(text).not.toContain('"name"')
  })
})

describe('Host and SNI on logo hosts', () => {
  it('when SNI names one host and Host a logo host, then 421 and no logo', async () => {
    const logo = readFileSync(new URL('./fixtures/svg/real-fastmail-fm.svg', import.meta.url))
    const l = await startServer({ env: { DNS_SERVERS: '127.0.0.1:9' } })
    try {
      const t = await createTenant(l, 'brand')
      await domainWithPolicy(l, t.token, 'brand.example', POLICY)
      const put = (path: string, o: object) => l.request('PUT', path, { token: t.token, ...o })
      const headers = { 'content-type': 'image/svg+xml' }
      expect(
        (await put('/api/v1/domains/brand.example/bimi/logo', { rawBody: logo, headers })).status,
      ).toBe(200)
      const hostSet = await put('/api/v1/domains/brand.example/bimi/logo-host', {
        json: { hostname: 'bimi.brand.example' },
      })
      expect(hostSet.status).toBe(200)
      await issueDue(l)
      const get = (host: string, servername: string, path = '/default.svg') =>
        l.request('GET', path, { host, servername, https: true })

      expect((await get('bimi.brand.example', 'bimi.brand.example')).status).toBe(200)
      const cross = await get('bimi.brand.example', 'mta-sts.brand.example')
      expect(cross.status).toBe(421)
      expect(cross.text).not.toContain('<svg')
      const viaService = await get(SERVICE_HOST, 'bimi.brand.example', '/healthz')
      expect(viaService.status).toBe(421)
    } finally {
      await l.close()
    }
  })
})
