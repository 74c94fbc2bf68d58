/**
 * Issue 9, finding 5: idle sockets held file descriptors without bound (20,000 from one address
 * starved every policy fetch) and a silent socket was held 120 s by the TLS handshake default.
 * Here with a lowered per-source cap and short deadlines, on real loopback sockets; every socket
 * the test opens is destroyed in afterEach.
 */
import { request } from 'node:https'
import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import {
  createTenant,
  domainWithPolicy,
  eventually,
  issueDue,
  startServer,
  type TestServer,
} from './helpers/test-server.js'
import { httpOver, mustHandshake } from './helpers/tls-client.js'

const HOST = 'mta-sts.flood.example'
const POLICY = { mode: 'enforce', mx: ['mx.flood.example'], maxAge: 86400 }
const FLOOD = 2_500
const PER_SOURCE = 100

let s: TestServer | undefined
const opened: Socket[] = []

afterEach(async () => {
  for (const sock of opened.splice(0)) sock.destroy()
  await s?.close()
  s = undefined
})

async function serverWith(env: Record<string, string>): Promise<TestServer> {
  s = await startServer({ env: { LOG_LEVEL: 'info', ...env } })
  const t = await createTenant(s, 'flood')
  await domainWithPolicy(s, t.token, 'flood.example', POLICY)
  await issueDue(s)
  return s
}

/** A TCP connection from `from` that sends nothing; `closed` turns true when the server ends it. */
function idle(port: number, from: string): Promise<{ sock: Socket; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, localAddress: from })
    opened.push(sock)
    let closed = false
    sock.on('close', () => (closed = true))
    sock.once('connect', () => resolve({ sock, closed: () => closed }))
    sock.once('error', (err) => (closed ? undefined : reject(err)))
  })
}

/** The policy over HTTPS from source address `from`, as a sender would fetch it. */
function policyFrom(srv: TestServer, from: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: srv.httpsPort,
        localAddress: from,
        path: '/.well-known/mta-sts.txt',
        headers: { host: HOST },
        servername: HOST,
        ca: srv.rootPem,
        agent: false,
        timeout: 5_000,
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.on('error', reject)
    req.end()
  })
}

describe('connection limits', () => {
  it(`when one address opens ${FLOOD} idle sockets, then all but ${PER_SOURCE} are closed at once and another address still gets its policy`, async () => {
    const srv = await serverWith({ MAX_CONNECTIONS_PER_SOURCE: String(PER_SOURCE) })
    const flood: Array<{ closed: () => boolean }> = []
    for (let i = 0; i < FLOOD; i += 250) {
      const batch = Array.from({ length: Math.min(250, FLOOD - i) }, () =>
        idle(srv.httpsPort, '127.0.0.2'),
      )
      flood.push(...(await Promise.all(batch)))
    }

    const refused = () => flood.filter((f) => f.closed()).length
    expect(await eventually(async () => refused() >= FLOOD - PER_SOURCE, 10_000)).toBe(true)
    expect(refused()).toBe(FLOOD - PER_SOURCE)
    const other = await policyFrom(srv, '127.0.0.3')
    expect(other.status).toBe(200)
    expect(other.body).toContain('mx: mx.flood.example')
    await expect(policyFrom(srv, '127.0.0.2')).rejects.toThrow()
    expect(srv.logged('connections_refused')[0]).toMatchObject({
      cap: 'perSource',
      source: '127.0.0.2',
      maxPerSource: PER_SOURCE,
    })
  })

  it('when a socket connects and stays silent, then the TLS handshake and header deadlines close it', async () => {
    const srv = await serverWith({
      TLS_HANDSHAKE_TIMEOUT_SECONDS: '1',
      HEADERS_TIMEOUT_SECONDS: '1',
    })
    const beforeHandshake = await idle(srv.httpsPort, '127.0.0.4')
    const plain = await idle(srv.port, '127.0.0.4')
    const afterHandshake = await mustHandshake(srv.httpsPort, { servername: HOST, ca: srv.rootPem })
    opened.push(afterHandshake.socket)
    let tlsClosed = false
    afterHandshake.socket.on('close', () => (tlsClosed = true))

    // Well under the 120 s node default, well over the 1 s deadlines.
    expect(await eventually(async () => beforeHandshake.closed(), 6_000)).toBe(true)
    expect(await eventually(async () => plain.closed(), 6_000)).toBe(true)
    expect(await eventually(async () => tlsClosed, 6_000)).toBe(true)
  })

  it('when a keep-alive connection idles after a request, then the keep-alive deadline closes it', async () => {
    const srv = await serverWith({ KEEP_ALIVE_TIMEOUT_SECONDS: '1' })
    const c = await mustHandshake(srv.httpsPort, { servername: HOST, ca: srv.rootPem })
    opened.push(c.socket)
    let closed = false
    c.socket.on('close', () => (closed = true))

    const res = await httpOver(c.socket, HOST, '/.well-known/mta-sts.txt')

    expect(res.status).toBe(200)
    expect(await eventually(async () => closed, 6_000)).toBe(true)
  })
})

describe('connection settings', () => {
  it('when nothing is set, then the caps and deadlines have their defaults; a bad pair names its variable', () => {
    const c = loadConfig({})
    expect(c).toMatchObject({
      MAX_CONNECTIONS: 10_000,
      MAX_CONNECTIONS_PER_SOURCE: 256,
      TLS_HANDSHAKE_TIMEOUT_SECONDS: 10,
      HEADERS_TIMEOUT_SECONDS: 10,
      REQUEST_TIMEOUT_SECONDS: 30,
      KEEP_ALIVE_TIMEOUT_SECONDS: 5,
    })
    expect(() => loadConfig({ HEADERS_TIMEOUT_SECONDS: '60' })).toThrow(
      /^invalid HEADERS_TIMEOUT_SECONDS: /,
    )
    expect(() => loadConfig({ MAX_CONNECTIONS_PER_SOURCE: '0' })).toThrow(
      /^invalid MAX_CONNECTIONS_PER_SOURCE: /,
    )
  })
})
