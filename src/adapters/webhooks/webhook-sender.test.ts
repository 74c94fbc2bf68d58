import { createHmac } from 'node:crypto'
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createNetServer, type Server, type Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestCa } from '../../../test/helpers/smtp-test-server.js'
import { signature, webhookSender, type ResolvedAddress } from './webhook-sender.js'

const AT = new Date('2026-12-01T12:00:00.750Z')
const BODY = '{"alert":"cert_failed","domain":"example.com"}'
const closers: (() => Promise<void>)[] = []

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

interface Listening {
  port: number
  /** TCP connections accepted so far. */
  connections: () => number
}

async function listen(server: Server): Promise<Listening> {
  const sockets = new Set<Socket>()
  let connections = 0
  server.on('connection', (socket: Socket) => {
    connections += 1
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  )
  return { port: address.port, connections: () => connections }
}

interface Received {
  req: IncomingMessage
  body: string
}

/** An HTTP receiver that reads each request whole, records it and lets `reply` answer. */
async function receiver(reply: (res: ServerResponse) => void = (res) => res.writeHead(204).end()) {
  const received: Received[] = []
  const server = createHttpServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (body += chunk))
    req.on('end', () => {
      received.push({ req, body })
      reply(res)
    })
  })
  return { ...(await listen(server)), received }
}

const fakeLookup = (addresses: string[]) => {
  const asked: string[] = []
  const lookup = async (host: string): Promise<ResolvedAddress[]> => {
    asked.push(host)
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
  }
  return { asked, lookup }
}

const delivery = (url: string) => ({
  url,
  secret: 'whsec_tenant_secret',
  body: BODY,
  deliveryId: 'dlv_01J9Z',
  at: AT,
})

const lab = (extra: Partial<Parameters<typeof webhookSender>[0]> = {}) =>
  webhookSender({
    allowPrivateAddresses: true,
    timeoutMs: 3000,
    userAgent: 'policyhost/1.0',
    ...extra,
  })

const settle = () => new Promise((resolve) => setTimeout(resolve, 100))

describe('signature', () => {
  it('when signing a known vector, then it matches an independent HMAC (openssl dgst -hmac)', () => {
    expect(signature('whsec_test', '1700000000', '{"a":1}')).toBe(
      'sha256=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789',
    )
  })

  it('when only the timestamp differs, then the signature differs (no replay)', () => {
    expect(signature('s', '1700000000', BODY)).not.toBe(signature('s', '1700000001', BODY))
  })
})

describe('webhookSender', () => {
  it('when the receiver answers 204, then it got the signed body and headers exactly', async () => {
    const hook = await receiver()
    const result = await lab().send(delivery(`http://127.0.0.1:${hook.port}/hooks/a?x=1`))

    expect(result).toMatchObject({ ok: true, status: 204 })
    expect(hook.received).toHaveLength(1)
    const { req, body } = hook.received[0]!
    expect(req.method).toBe('POST')
    expect(req.url).toBe('/hooks/a?x=1')
    expect(body).toBe(BODY)
    expect(req.headers['host']).toBe(`127.0.0.1:${hook.port}`)
    expect(req.headers['content-type']).toBe('application/json')
    expect(req.headers['user-agent']).toBe('policyhost/1.0')
    expect(req.headers['x-policyhost-delivery']).toBe('dlv_01J9Z')
    expect(req.headers['x-policyhost-timestamp']).toBe('1796126400')
    const mac = createHmac('sha256', 'whsec_tenant_secret').update(`1796126400.${body}`)
    expect(req.headers['x-policyhost-signature']).toBe(`sha256=${mac.digest('hex')}`)
  })

  it.each([
    [200, true, undefined],
    [500, false, true],
    [503, false, true],
    [429, false, true],
    [404, false, false],
    [400, false, false],
  ])('when the receiver answers %i, then ok is %s and retryable %s', async (status, ok, retry) => {
    const hook = await receiver((res) => res.writeHead(status).end('secret body text'))
    const result = await lab().send(delivery(`http://127.0.0.1:${hook.port}/`))

    expect(result.ok).toBe(ok)
    if (!result.ok) {
      expect(result).toMatchObject({ status, retryable: retry })
      expect(result.reason).not.toContain('secret body text')
    }
  })

  it('when the receiver redirects, then the target sees nothing and it is not retried', async () => {
    const target = await receiver()
    const hook = await receiver((res) =>
      res.writeHead(302, { location: `http://127.0.0.1:${target.port}/` }).end(),
    )
    const result = await lab().send(delivery(`http://127.0.0.1:${hook.port}/`))
    await settle()

    expect(result).toMatchObject({ ok: false, status: 302, retryable: false })
    expect(result.ok || result.reason).toBe('redirect not followed')
    expect(target.connections()).toBe(0)
  })

  it('when the server never answers, then it fails as retryable within timeoutMs', async () => {
    const silent = await listen(createNetServer(() => undefined))
    const started = Date.now()
    const result = await lab({ timeoutMs: 300 }).send(delivery(`http://127.0.0.1:${silent.port}/`))

    expect(Date.now() - started).toBeLessThan(1500)
    expect(result).toMatchObject({ ok: false, reason: 'timed out', retryable: true })
    expect(result.ms).toBeGreaterThanOrEqual(250)
    expect(silent.connections()).toBe(1)
  })

  it('when the response body is 10 MB, then it answers quickly without reading it all', async () => {
    const size = 10 * 1024 * 1024
    let sent: Promise<{ finished: boolean; written: number }> | undefined
    const hook = await receiver((res) => {
      res.writeHead(200, { 'content-length': String(size) })
      const chunk = Buffer.alloc(64 * 1024, 'x')
      let written = 0
      sent = new Promise((resolve) =>
        res.on('close', () => resolve({ finished: res.writableFinished, written })),
      )
      // Honours backpressure, so `written` counts only what the peer's buffers took.
      const pump = () => {
        while (!res.destroyed && written < size) {
          written += chunk.length
          if (!res.write(chunk)) return void res.once('drain', pump)
        }
        if (!res.destroyed) res.end()
      }
      pump()
    })
    const started = Date.now()
    const result = await lab({ timeoutMs: 5000 }).send(delivery(`http://127.0.0.1:${hook.port}/`))

    expect(result).toMatchObject({ ok: true, status: 200 })
    expect(Date.now() - started).toBeLessThan(2000)
    const { finished, written } = await sent!
    expect(finished).toBe(false)
    expect(written).toBeLessThan(size)
  })

  describe('when private addresses are not allowed', () => {
    const strict = (lookup?: (host: string) => Promise<ResolvedAddress[]>) =>
      webhookSender({ allowPrivateAddresses: false, timeoutMs: 3000, userAgent: 'ph', lookup })

    it.each([
      [['127.0.0.1']],
      [['10.0.0.1']],
      [['::1']],
      [['::ffff:127.0.0.1']],
      [['93.184.215.14', '127.0.0.1']],
    ])('when the name resolves to %j, then it is refused without connecting', async (answer) => {
      const server = await listen(createNetServer())
      const { asked, lookup } = fakeLookup(answer)
      const result = await strict(lookup).send(delivery(`https://hooks.example:${server.port}/`))
      await settle()

      expect(asked).toEqual(['hooks.example'])
      expect(result).toMatchObject({ ok: false, reason: 'address not allowed', retryable: false })
      expect(server.connections()).toBe(0)
    })

    it('when the URL is a loopback literal, then it is refused without a lookup', async () => {
      const server = await listen(createNetServer())
      const { asked, lookup } = fakeLookup(['93.184.215.14'])
      const result = await strict(lookup).send(delivery(`https://127.0.0.1:${server.port}/`))
      await settle()

      expect(result).toMatchObject({ ok: false, reason: 'address not allowed' })
      expect(asked).toEqual([])
      expect(server.connections()).toBe(0)
    })

    it('when the URL is http:, then it is refused', async () => {
      const hook = await receiver()
      const result = await strict().send(delivery(`http://127.0.0.1:${hook.port}/`))

      expect(result).toMatchObject({ ok: false, reason: 'scheme not allowed', retryable: false })
      expect(hook.connections()).toBe(0)
    })
  })

  it('when the URL carries credentials, then it is refused without connecting', async () => {
    const hook = await receiver()
    const result = await lab().send(delivery(`http://user:pw@127.0.0.1:${hook.port}/`))

    expect(result).toMatchObject({ ok: false, reason: 'credentials in url not allowed' })
    expect(hook.connections()).toBe(0)
  })

  it('when the lookup fails, then it is a retryable failure', async () => {
    const sender = lab({ lookup: () => Promise.reject(new Error('ENOTFOUND')) })
    const result = await sender.send(delivery('https://hooks.example/'))

    expect(result).toMatchObject({ ok: false, reason: 'dns lookup failed', retryable: true })
  })

  describe('over https with a throwaway CA', () => {
    async function tlsReceiver() {
      const ca = await createTestCa(new Date())
      const leaf = await ca.issue({
        names: ['hooks.test'],
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + 3_600_000),
      })
      const seen: { host?: string; servername?: string | false | null }[] = []
      const server = createHttpsServer(leaf, (req, res) => {
        seen.push({ host: req.headers.host, servername: (req.socket as TLSSocket).servername })
        req.resume()
        req.on('end', () => res.writeHead(202).end())
      })
      return { ...(await listen(server)), seen, caPem: ca.caPem }
    }

    it('when the name resolves once to loopback, then it connects there with SNI and Host', async () => {
      const hook = await tlsReceiver()
      const { asked, lookup } = fakeLookup(['127.0.0.1'])
      const sender = lab({ lookup, ca: hook.caPem })
      const result = await sender.send(delivery(`https://hooks.test:${hook.port}/in`))

      expect(result).toMatchObject({ ok: true, status: 202 })
      expect(asked).toEqual(['hooks.test'])
      expect(hook.seen).toEqual([{ host: `hooks.test:${hook.port}`, servername: 'hooks.test' }])
    })

    it('when the certificate is for another name, then it fails without a request', async () => {
      const hook = await tlsReceiver()
      const sender = lab({ lookup: fakeLookup(['127.0.0.1']).lookup, ca: hook.caPem })
      const result = await sender.send(delivery(`https://other.test:${hook.port}/in`))

      expect(result).toMatchObject({ ok: false, retryable: true })
      expect(result.ok || result.reason).toBe('connection failed (ERR_TLS_CERT_ALTNAME_INVALID)')
      expect(hook.seen).toEqual([])
    })

    it('when the CA is not trusted, then it fails without a request', async () => {
      const hook = await tlsReceiver()
      const sender = lab({ lookup: fakeLookup(['127.0.0.1']).lookup })
      const result = await sender.send(delivery(`https://hooks.test:${hook.port}/in`))

      expect(result).toMatchObject({ ok: false, retryable: true })
      expect(hook.seen).toEqual([])
    })
  })
})
