import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createNetServer, type Server, type Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestCa, type KeyAndCert } from '../../../test/helpers/smtp-test-server.js'
import {
  fetchPolicy,
  MAX_POLICY_BYTES,
  type PolicyFetch,
  type PolicyFetchFailure,
  type PolicyFetchOptions,
} from './policy-fetcher.js'

const DAY_MS = 86_400_000
const NOW = new Date()
const DOMAIN = 'good.test'
const HOST = `mta-sts.${DOMAIN}`
const POLICY = 'version: STSv1\r\nmode: enforce\r\nmx: mx.good.test\r\nmax_age: 86400\r\n'

type CertName = 'good' | 'wrongName' | 'selfSigned' | 'expired'
const certs = {} as Record<CertName, KeyAndCert>
let caPem = ''
let closers: (() => Promise<void>)[] = []

beforeAll(async () => {
  const ca = await createTestCa(NOW)
  caPem = ca.caPem
  const current = {
    notBefore: new Date(NOW.getTime() - DAY_MS),
    notAfter: new Date(NOW.getTime() + 90 * DAY_MS),
  }
  certs.good = await ca.issue({ names: [HOST], ...current })
  certs.wrongName = await ca.issue({ names: ['mta-sts.other.test'], ...current })
  certs.selfSigned = await ca.issue({ names: [HOST], ...current, selfSigned: true })
  certs.expired = await ca.issue({
    names: [HOST],
    notBefore: new Date(NOW.getTime() - 90 * DAY_MS),
    notAfter: new Date(NOW.getTime() - DAY_MS),
  })
})

afterEach(async () => {
  await Promise.all(closers.map((close) => close()))
  closers = []
})

interface SeenRequest {
  method: string | undefined
  url: string | undefined
  host: string | undefined
  sni: string | null
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void

/** An HTTPS server on 127.0.0.1 presenting `cert`, recording every request it receives. */
async function serveHttps(cert: KeyAndCert, handler: Handler) {
  const seen: SeenRequest[] = []
  const server = createHttpsServer(cert, (req, res) => {
    const sni = (req.socket as TLSSocket).servername || null
    seen.push({ method: req.method, url: req.url, host: req.headers.host, sni })
    handler(req, res)
  })
  server.on('tlsClientError', () => undefined)
  const port = await listen(server)
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return { port, seen }
}

/** A TCP server that accepts and then says nothing at all. */
async function serveSilence(): Promise<number> {
  const sockets = new Set<Socket>()
  const server = createNetServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
  })
  const port = await listen(server)
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  )
  return port
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

function fetchFrom(port: number, extra: Partial<PolicyFetchOptions> = {}): Promise<PolicyFetch> {
  return fetchPolicy({
    domain: DOMAIN,
    address: '127.0.0.1',
    port,
    ca: caPem,
    timeoutMs: 3_000,
    ...extra,
  })
}

const plain =
  (body: string | Buffer, type = 'text/plain; charset=utf-8'): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': type })
    res.end(body)
  }

describe('fetchPolicy from a well-behaved server', () => {
  it('when the certificate and response are good, then ok with the exact bytes, sent as a sender sends', async () => {
    const server = await serveHttps(certs.good, plain(POLICY))
    const result = await fetchFrom(server.port)
    expect(result).toMatchObject({ ok: true, text: POLICY })
    expect(result.ms).toBeGreaterThanOrEqual(0)
    expect(server.seen).toEqual([
      { method: 'GET', url: '/.well-known/mta-sts.txt', host: HOST, sni: HOST },
    ])
  })

  it.each([
    ['text/plain', POLICY],
    ['text/plain; charset=utf-8', POLICY],
    ['TEXT/Plain ;Charset="UTF-8"', POLICY],
    ['text/plain', 'mx: é\r\n'],
    ['text/plain', 'x'.repeat(MAX_POLICY_BYTES)],
  ])('when served as %j, then ok with the body decoded as UTF-8', async (type, body) => {
    const server = await serveHttps(certs.good, plain(Buffer.from(body, 'utf8'), type))
    expect(await fetchFrom(server.port)).toMatchObject({ ok: true, text: body })
  })

  it('when the domain is written in capitals with a trailing dot, then SNI and Host are canonical', async () => {
    const server = await serveHttps(certs.good, plain(POLICY))
    expect(await fetchFrom(server.port, { domain: 'GOOD.test.' })).toMatchObject({ ok: true })
    expect(server.seen[0]).toMatchObject({ host: HOST, sni: HOST })
  })
})

describe('fetchPolicy refuses what a sender refuses', () => {
  const LATER = new Date(NOW.getTime() + 365 * DAY_MS)
  const certificateCases: [string, PolicyFetchFailure, CertName, Partial<PolicyFetchOptions>][] = [
    ['names another host', 'certificate-host-mismatch', 'wrongName', {}],
    ['is self-signed', 'certificate-not-trusted', 'selfSigned', {}],
    ['has expired', 'certificate-expired', 'expired', {}],
    [
      'chains to a root outside the system roots',
      'certificate-not-trusted',
      'good',
      { ca: undefined },
    ],
    ['ends before the `now` given', 'certificate-expired', 'good', { now: LATER }],
  ]
  it.each(certificateCases)(
    'when the certificate %s, then %s and no request is sent',
    async (_, reason, cert, extra) => {
      const server = await serveHttps(certs[cert], plain(POLICY))
      expect(await fetchFrom(server.port, extra)).toMatchObject({ ok: false, reason })
      expect(server.seen).toEqual([])
    },
  )

  it('when the answer is a 301 with a Location, then redirect and the target sees no request', async () => {
    const target = await serveHttps(certs.good, plain(POLICY))
    const location = `https://${HOST}:${target.port}/.well-known/mta-sts.txt`
    const server = await serveHttps(certs.good, (_req, res) => {
      res.writeHead(301, { location, 'content-type': 'text/plain' })
      res.end(POLICY)
    })
    const result = await fetchFrom(server.port)
    expect(result).toMatchObject({ ok: false, reason: 'redirect' })
    if (!result.ok) expect(result.detail).toContain(location)
    expect(server.seen).toHaveLength(1)
    expect(target.seen).toEqual([])
  })

  const responseCases: [string, PolicyFetchFailure, Handler][] = [
    [
      'a 404',
      'status',
      (_req, res) => {
        res.writeHead(404, { 'content-type': 'text/plain' })
        res.end(POLICY)
      },
    ],
    [
      'a 204',
      'status',
      (_req, res) => {
        res.writeHead(204)
        res.end()
      },
    ],
    ['text/html', 'content-type', plain(POLICY, 'text/html')],
    ['text/plainx', 'content-type', plain(POLICY, 'text/plainx')],
    ['no Content-Type', 'content-type', (_req, res) => res.end(POLICY)],
    ['a 1 MB body', 'too-large', plain(Buffer.alloc(1_048_576, 'a'), 'text/plain')],
    ['one byte over the cap', 'too-large', plain('x'.repeat(MAX_POLICY_BYTES + 1), 'text/plain')],
    [
      'a body cut short',
      'http',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' })
        res.write(POLICY)
        setTimeout(() => res.socket?.destroy(), 20)
      },
    ],
  ]
  it.each(responseCases)('when the answer is %s, then %s', async (_, reason, handler) => {
    const server = await serveHttps(certs.good, handler)
    const result = await fetchFrom(server.port)
    expect(result).toMatchObject({ ok: false, reason })
    expect(server.seen).toHaveLength(1)
  })

  it('when a 1 MB body streams in, then the fetch stops after about 64 KiB', async () => {
    const CHUNK = 16_384
    let written = 0
    let closed = false
    const server = await serveHttps(certs.good, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      // Slowly, so what was written before the client hung up says how much it read.
      const timer = setInterval(() => {
        if (written >= 1_048_576) return res.end()
        res.write(Buffer.alloc(CHUNK, 'a'))
        written += CHUNK
      }, 15)
      res.on('close', () => {
        clearInterval(timer)
        closed = true
      })
    })
    const result = await fetchFrom(server.port)
    expect(result).toMatchObject({ ok: false, reason: 'too-large' })
    await expect.poll(() => closed).toBe(true)
    expect(written).toBeGreaterThan(MAX_POLICY_BYTES)
    expect(written).toBeLessThanOrEqual(MAX_POLICY_BYTES + 8 * CHUNK)
  })

  it('when the server never answers the request, then timeout within the limit', async () => {
    const server = await serveHttps(certs.good, () => undefined)
    const result = await fetchFrom(server.port, { timeoutMs: 300 })
    expect(result).toMatchObject({ ok: false, reason: 'timeout' })
    expect(result.ms).toBeGreaterThanOrEqual(290)
    expect(result.ms).toBeLessThan(1_500)
    expect(server.seen).toHaveLength(1)
  })

  it('when the server never starts TLS, then timeout within the limit', async () => {
    const port = await serveSilence()
    const result = await fetchFrom(port, { timeoutMs: 300 })
    expect(result).toMatchObject({ ok: false, reason: 'timeout' })
    expect(result.ms).toBeLessThan(1_500)
  })

  it('when nothing listens on the port, then connect', async () => {
    const port = await serveSilence()
    await closers.pop()!()
    const result = await fetchFrom(port)
    expect(result).toMatchObject({ ok: false, reason: 'connect' })
    if (!result.ok) expect(result.detail).toContain('ECONNREFUSED')
  })

  it.each(['', 'bad domain.test', 'good.test/evil', 'a..test', 'bücher.test'])(
    'when the domain is %j, then bad-domain and nothing is sent',
    async (domain) => {
      const server = await serveHttps(certs.good, plain(POLICY))
      expect(await fetchFrom(server.port, { domain })).toMatchObject({
        ok: false,
        reason: 'bad-domain',
      })
      expect(server.seen).toEqual([])
    },
  )
})
