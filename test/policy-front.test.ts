/**
 * The policy front (src/http/policy-front.ts) on a real TLS socket: which requests it answers
 * itself and which it hands to node's HTTP server, with the same bytes either way, in order,
 * and nothing it reads answered twice or lost.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:https'
import { createConnection, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type TLSSocket } from 'node:tls'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { localCa } from '../src/adapters/certs/local-ca.js'
import { createLogger } from '../src/adapters/log/logger.js'
import { noMetrics } from '../src/core/metrics.js'
import type { FastPathDeps } from '../src/http/policy-answer.js'
import { withPolicyFastPath } from '../src/http/policy-fast-path.js'
import { PolicyFront } from '../src/http/policy-front.js'

const HOST = 'mta-sts.alpha.example'
const P = '/.well-known/mta-sts.txt'
const POLICY = Buffer.from('version: STSv1\nmode: enforce\nmx: mx.alpha.example\nmax_age: 86400\n')
const KEEP_ALIVE_MS = 400

let dir: string
let cert: { key: string; cert: string; ca: string }
let server: Server
let front: PolicyFront
let port: number
let ids = 0
let logLines: string[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'policyhost-front-'))
  const ca = await localCa(dir, { keyType: 'ecdsa-p256', clock: () => new Date() })
  const bundle = await ca.issue(HOST, new AbortController().signal)
  cert = { key: bundle.keyPem, cert: bundle.chainPem, ca: ca.rootPem }
})
afterAll(() => rm(dir, { recursive: true, force: true }))

async function start(keepAliveMs = KEEP_ALIVE_MS): Promise<void> {
  logLines = []
  const deps: FastPathDeps = {
    policies: {
      lookup: (h) => (h === HOST ? { bytes: POLICY } : undefined),
    } as FastPathDeps['policies'],
    policyCacheSeconds: 60,
    log: createLogger('info', (line) => logLines.push(line)),
    newRequestId: () => `id-${++ids}`,
    metrics: noMetrics,
  }
  // Node's side as in production: the fast path, then "the app" (here a 404 naming the path).
  server = createServer(
    { key: cert.key, cert: cert.cert },
    withPolicyFastPath(deps, (req, res) => {
      let body = ''
      req.on('data', (d: Buffer) => (body += d.toString()))
      req.on('end', () => {
        const text = `node ${req.method} ${req.url} ${body.length}\n`
        res.writeHead(404, { 'content-type': 'text/plain', 'content-length': text.length })
        res.end(text)
      })
    }),
  )
  server.keepAliveTimeout = keepAliveMs
  front = new PolicyFront(deps, { keepAliveMs, requested: () => {} })
  front.attach(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
}

afterEach(async () => {
  front.closeIdle()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

interface Client {
  socket: TLSSocket
  /** The TCP socket under it (to reset). */
  tcp: Socket
  /** Everything received so far, as latin1 text. */
  received(): string
  closed: Promise<void>
}

async function client(servername = HOST): Promise<Client> {
  const tcp = createConnection({ host: '127.0.0.1', port })
  const socket = connect({ socket: tcp, servername, ca: cert.ca })
  let text = ''
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')))
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve)
    socket.once('error', reject)
  })
  return { socket, tcp, received: () => text, closed }
}

interface Response {
  status: number
  head: string
  body: string
}

/** Splits `text` into complete responses (Content-Length framed; HEAD answers have no body). */
function responses(text: string, heads: boolean[] = []): Response[] {
  const out: Response[] = []
  let at = 0
  while (at < text.length) {
    const end = text.indexOf('\r\n\r\n', at)
    if (end < 0) break
    const head = text.slice(at, end)
    const length = heads[out.length]
      ? 0
      : Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
    if (text.length < end + 4 + length) break
    out.push({
      status: Number(head.split(' ')[1]),
      head,
      body: text.slice(end + 4, end + 4 + length),
    })
    at = end + 4 + length
  }
  return out
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

const get = (host = HOST, more = '') => `GET ${P} HTTP/1.1\r\nHost: ${host}\r\n${more}\r\n`

/** A response's head without the lines that differ per response (Date, X-Request-Id). */
const stable = (head: string) =>
  head
    .split('\r\n')
    .filter((l) => !/^(date|x-request-id):/i.test(l))
    .join('\r\n')

describe('policy front', () => {
  it('when a connection asks for the policy three times, then the front answers each and keeps it', async () => {
    await start()
    const c = await client()
    for (let i = 1; i <= 3; i++) {
      c.socket.write(get())
      await until(() => responses(c.received()).length === i, `response ${i}`)
    }
    const r = responses(c.received())
    expect(r.map((x) => x.status)).toEqual([200, 200, 200])
    expect(r.every((x) => x.body === POLICY.toString())).toBe(true)
    expect(front.size).toBe(1)
    // The route's canonical line, once per request.
    const logged = logLines.map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(logged).toHaveLength(3)
    expect(logged[0]).toMatchObject({
      msg: 'request',
      host: HOST,
      method: 'GET',
      path: P,
      status: 200,
    })
    const sent = r.map((x) => /\r\nx-request-id: ([^\r]+)/.exec(x.head)?.[1])
    expect(new Set(sent).size).toBe(3)
    expect(logged.map((l) => l.requestId)).toEqual(sent)
    c.socket.destroy()
  })

  it("when the same request reaches node's parser (head split across reads), then the bytes are the front's", async () => {
    await start()
    const byFront = await client()
    byFront.socket.write(get(HOST, 'X-Request-Id: same-id\r\n'))
    await until(() => responses(byFront.received()).length === 1, 'the front')
    expect(front.size).toBe(1)

    const byNode = await client()
    const request = get(HOST, 'X-Request-Id: same-id\r\n')
    byNode.socket.write(request.slice(0, 20))
    await until(() => front.size === 1, 'the hand-over')
    await new Promise((r) => setTimeout(r, 30))
    byNode.socket.write(request.slice(20))
    await until(() => responses(byNode.received()).length === 1, 'node')

    const [a] = responses(byFront.received())
    const [b] = responses(byNode.received())
    expect(a!.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(a!.head).toContain('\r\nx-request-id: same-id')
    expect(a!.head).toMatch(/\r\nDate: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT/)
    expect(a!.head).toBe(b!.head.replace(/Date: [^\r]*/, a!.head.match(/Date: [^\r]*/)![0]))
    expect(stable(a!.head)).toBe(stable(b!.head))
    expect(a!.body).toBe(b!.body)
    byFront.socket.destroy()
    byNode.socket.destroy()
  })

  it('when requests are pipelined in one write, then each is answered once, in order, across the hand-over', async () => {
    await start()
    const c = await client()
    c.socket.write(
      get() +
        `HEAD ${P} HTTP/1.1\r\nHost: ${HOST}\r\n\r\n` +
        get() +
        `POST /submit HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 3\r\n\r\nabc` +
        get(),
    )
    const heads = [false, true, false, false, false]
    await until(() => responses(c.received(), heads).length === 5, 'five responses')
    const r = responses(c.received(), heads)
    expect(r.map((x) => x.status)).toEqual([200, 200, 200, 404, 200])
    expect(r[1]!.head).toContain(`content-length: ${POLICY.byteLength}`)
    expect(r[3]!.body).toBe('node POST /submit 3\n')
    expect(r[4]!.body).toBe(POLICY.toString())
    // Handed over at the POST: node answered it and everything after.
    expect(front.size).toBe(0)
    c.socket.destroy()
  })

  it.each([
    [
      'a body with Content-Length',
      `Content-Length: 5\r\n`,
      'hello',
      'node GET /.well-known/mta-sts.txt 5\n',
    ],
    [
      'a chunked body',
      `Transfer-Encoding: chunked\r\n`,
      '5\r\nhello\r\n0\r\n\r\n',
      'node GET /.well-known/mta-sts.txt 5\n',
    ],
  ])(
    'when a policy GET carries %s, then node reads the body and answers once (nothing smuggled)',
    async (_, field, body) => {
      await start()
      const c = await client()
      // The "body" would be a second request to a parser that ignored the framing.
      c.socket.write(get(HOST, field) + body)
      await until(() => responses(c.received()).length >= 1, 'an answer')
      await new Promise((r) => setTimeout(r, 100))
      const r = responses(c.received())
      expect(r).toHaveLength(1)
      // Node's parser read the framing; the fast path answered the GET behind it.
      expect(r[0]!.status).toBe(200)
      expect(front.size).toBe(0)
      c.socket.destroy()
    },
  )

  it('when Host is not the SNI name or is sent twice, then node answers (the front does not serve it)', async () => {
    await start()
    const other = await client()
    other.socket.write(get('mta-sts.bravo.example'))
    await until(() => responses(other.received()).length === 1, 'the answer')
    expect(responses(other.received())[0]!.status).toBe(404)

    const twice = await client()
    twice.socket.write(`GET ${P} HTTP/1.1\r\nHost: ${HOST}\r\nHost: ${HOST}\r\n\r\n`)
    await until(() => twice.received().length > 0, 'the answer')
    expect(twice.received()).toMatch(/^HTTP\/1\.1 (400|404) /)
    expect(front.size).toBe(0)
    other.socket.destroy()
    twice.socket.destroy()
  })

  it('when a request says Connection: close, then it is answered and the connection closed, nothing after it read', async () => {
    await start()
    const c = await client()
    c.socket.write(get(HOST, 'Connection: close\r\n') + get())
    await c.closed
    const r = responses(c.received())
    expect(r).toHaveLength(1)
    expect(r[0]!.head).toContain('\r\nConnection: close')
    expect(r[0]!.head).not.toContain('Keep-Alive')
    expect(front.size).toBe(0)
  })

  it('when a kept-alive connection stays idle past the keep-alive time, then it is closed', async () => {
    await start()
    const c = await client()
    c.socket.write(get())
    await until(() => responses(c.received()).length === 1, 'the answer')
    expect(responses(c.received())[0]!.head).toContain('\r\nKeep-Alive: timeout=0')
    const began = Date.now()
    await c.closed
    expect(Date.now() - began).toBeGreaterThanOrEqual(KEEP_ALIVE_MS - 50)
    await until(() => front.size === 0, 'the front to let go')
  })

  it('when a client resets a connection the front holds, then the front lets go of it and the server goes on serving', async () => {
    await start()
    const c = await client()
    c.socket.write(get())
    await until(() => responses(c.received()).length === 1, 'the answer')
    c.tcp.resetAndDestroy()
    await until(() => front.size === 0, 'the reset connection to go')
    const next = await client()
    next.socket.write(get())
    await until(() => responses(next.received()).length === 1, 'the next answer')
    next.socket.destroy()
  })

  it('when a client pipelines without reading, then the front stops reading (bounded memory) and loses nothing', async () => {
    // Longer than the client stays away: an idle deadline would (rightly) end it.
    await start(20_000)
    const accepted: TLSSocket[] = []
    server.on('secureConnection', (socket: TLSSocket) => accepted.push(socket))
    const c = await client()
    c.socket.pause()
    // 128 bytes each, so however TLS records and reads cut the stream (at multiples of 16 KiB or
    // of a write), each read the front makes is whole requests and it never hands over.
    const request = get(HOST, `X-Pad: ${'p'.repeat(128 - get().length - 9)}\r\n`)
    expect(request.length).toBe(128)
    const n = 128 * 312
    // ~5 MB asking for ~13 MB of answers: more than loopback's socket buffers hold.
    for (let i = 0; i < n / 128; i++) c.socket.write(request.repeat(128))
    await until(() => accepted[0]?.isPaused() === true, 'the front to pause reading', 10_000)
    const held = accepted[0]!
    await new Promise((r) => setTimeout(r, 200))
    expect(held.writableLength).toBeLessThan(1_000_000)
    // Paused by the front, not by node's server after a hand-over.
    expect(front.size).toBe(1)
    const marker = 'HTTP/1.1 200 OK\r\n'
    let answers = 0
    let tail = ''
    c.socket.removeAllListeners('data')
    c.socket.on('data', (d: Buffer) => {
      const text = tail + d.toString('latin1')
      answers += text.split(marker).length - 1
      // Shorter than the marker: a marker split across reads is counted once, in the next.
      tail = text.slice(-(marker.length - 1))
    })
    c.socket.resume()
    await until(() => answers >= n, `${n} answers`, 20_000)
    expect(answers).toBe(n)
    c.socket.destroy()
  })

  it('when closeIdle is called (shutdown), then every connection the front holds is closed', async () => {
    await start()
    const a = await client()
    const b = await client()
    for (const c of [a, b]) c.socket.write(get())
    await until(
      () => responses(a.received()).length + responses(b.received()).length === 2,
      'answers',
    )
    expect(front.size).toBe(2)
    front.closeIdle()
    await Promise.all([a.closed, b.closed])
    expect(front.size).toBe(0)
  })
})
