import { createHmac } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { alertApp } from './helpers/alert-app.js'
import type { TestApp } from './helpers/app.js'
import { ADMIN_TOKEN, createTenant } from './helpers/test-server.js'

const DOMAIN = 'hooks.example.org'
let s: TestApp
let receiver: Server | undefined
afterEach(async () => {
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)))
  receiver = undefined
  await s.close()
})

interface Received {
  headers: IncomingHttpHeaders
  body: string
}

/** A webhook receiver on loopback that records what it gets and answers 204. */
async function listen(): Promise<{ url: string; got: Received[] }> {
  const got: Received[] = []
  receiver = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString('utf8')))
    req.on('end', () => {
      got.push({ headers: req.headers, body })
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r))
  const { port } = receiver.address() as { port: number }
  return { url: `http://127.0.0.1:${port}/policyhost`, got }
}

/** The app with WEBHOOK_ALLOW_PRIVATE: the receiver is on loopback. */
async function server() {
  const world = await alertApp(DOMAIN, { WEBHOOK_ALLOW_PRIVATE: 'true' })
  s = world.app
  return world
}

describe('alert webhooks over the API (issue 13)', () => {
  it('when a check opens problems, then the webhook receives each once, signed so that the secret shown at creation verifies it', async () => {
    const { token, alerts } = await server()
    const { url, got } = await listen()
    const created = await s.request('POST', '/api/v1/webhooks', { token, json: { url } })
    expect(created.status).toBe(201)
    const { id, secret } = created.json() as { id: string; secret: string }

    await s.request('POST', `/api/v1/domains/${DOMAIN}/checks`, { token })
    await alerts.settled()

    const keys = got.map((g) => JSON.parse(g.body).key as string).sort()
    expect(keys).toEqual(['mx:uncovered:mx9.elsewhere.example', 'sts-record:missing'])
    for (const g of got) {
      const stamp = g.headers['x-policyhost-timestamp'] as string
      const mac = createHmac('sha256', secret).update(`${stamp}.${g.body}`).digest('hex')
      expect(g.headers['x-policyhost-signature']).toBe(`sha256=${mac}`)
      expect(g.headers['content-type']).toContain('application/json')
    }
    const log = (await s.request('GET', `/api/v1/webhooks/${id}/deliveries`, { token })).json()
    expect(log.deliveries.map((d: { status: string }) => d.status)).toEqual([
      'delivered',
      'delivered',
    ])
    const listed = (await s.request('GET', '/api/v1/webhooks', { token })).json()
    expect(listed.webhooks).toEqual([{ id, url, createdAt: expect.any(String) }])
    expect(JSON.stringify(listed)).not.toContain(secret)
  })

  it('when the same check runs again with nothing changed, then nothing more is sent', async () => {
    const { token, alerts, clock } = await server()
    const { url, got } = await listen()
    await s.request('POST', '/api/v1/webhooks', { token, json: { url } })
    await s.request('POST', `/api/v1/domains/${DOMAIN}/checks`, { token })
    await alerts.settled()
    const first = got.length

    clock.advance(11)
    await s.request('POST', `/api/v1/domains/${DOMAIN}/checks`, { token })
    await alerts.settled()

    expect(first).toBe(2)
    expect(got).toHaveLength(first)
  })

  it('when another tenant lists, reads or removes this webhook, then it sees nothing and 404', async () => {
    const { token } = await server()
    const { url } = await listen()
    const { id } = (await s.request('POST', '/api/v1/webhooks', { token, json: { url } })).json()
    const other = await createTenant(s, 'other')

    const listed = (await s.request('GET', '/api/v1/webhooks', { token: other.token })).json()
    const read = await s.request('GET', `/api/v1/webhooks/${id}/deliveries`, { token: other.token })
    const removed = await s.request('DELETE', `/api/v1/webhooks/${id}`, { token: other.token })

    expect(listed.webhooks).toEqual([])
    expect(read.status).toBe(404)
    expect(removed.status).toBe(404)
    expect((await s.request('DELETE', `/api/v1/webhooks/${id}`, { token })).status).toBe(204)
  })

  it.for([
    [{ url: 'not a url' }, 'url'],
    [{ url: 'ftp://hooks.example/x' }, 'url'],
    [{ url: 'https://user:pw@hooks.example/x' }, 'url'],
    [{}, 'url'],
  ] as const)('when the body is %j, then 422 naming %s', async ([body, path]) => {
    const { token } = await server()

    const res = await s.request('POST', '/api/v1/webhooks', { token, json: body })

    expect(res.status).toBe(422)
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path)
  })

  it('when the operator adds a webhook without naming the tenant, then 422 naming tenantId', async () => {
    await server()
    const res = await s.request('POST', '/api/v1/webhooks', {
      token: ADMIN_TOKEN,
      json: { url: 'https://hooks.example/x' },
    })
    expect(res.status).toBe(422)
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('tenantId')
  })
})
