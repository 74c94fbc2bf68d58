import { Agent, request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { listenMetrics, type MetricsListener } from './metrics-server.js'
import { createMetrics } from './registry.js'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function get(port: number, path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

let listener: MetricsListener | undefined
afterEach(async () => {
  await listener?.close()
  listener = undefined
})

describe('listenMetrics', () => {
  it('when /metrics is fetched, then it answers 200 in the Prometheus 0.0.4 text format with the recorded values', async () => {
    const m = createMetrics({ perDomain: false })
    m.countSniCache(true)
    listener = await listenMetrics(m.registry, { address: '127.0.0.1', port: 0 })

    const reply = await get(listener.port, '/metrics')

    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(reply.body).toContain('policyhost_sni_cache_hits_total 1')
    expect(reply.body).toContain('# TYPE policyhost_http_requests_total counter')
  })

  it('when the scraper adds a query string, then it still gets the metrics', async () => {
    const m = createMetrics({ perDomain: false, defaultMetrics: false })
    listener = await listenMetrics(m.registry, { address: '127.0.0.1', port: 0 })

    const reply = await get(listener.port, '/metrics?name[]=x')

    expect(reply.status).toBe(200)
    expect(reply.body).toContain('policyhost_sni_cache_misses_total 0')
  })

  it.each(['/', '/metrics/', '/metricsx', '/healthz', '/../metrics', '/METRICS'])(
    'when %s is fetched, then it answers 404 without metrics',
    async (path) => {
      const m = createMetrics({ perDomain: false, defaultMetrics: false })
      listener = await listenMetrics(m.registry, { address: '127.0.0.1', port: 0 })

      const reply = await get(listener.port, path)

      expect(reply.status).toBe(404)
      expect(reply.body).not.toContain('policyhost_')
    },
  )

  it('when /metrics is posted to, then it answers 405 with the allowed methods', async () => {
    const m = createMetrics({ perDomain: false, defaultMetrics: false })
    listener = await listenMetrics(m.registry, { address: '127.0.0.1', port: 0 })

    const reply = await get(listener.port, '/metrics', 'POST')

    expect(reply.status).toBe(405)
    expect(reply.headers.allow).toBe('GET, HEAD')
  })

  it('when collecting fails, then it answers 500 without the cause and reports the error', async () => {
    const m = createMetrics({ perDomain: true, defaultMetrics: false })
    m.setCertificateSource(() => Promise.reject(new Error('database is locked: secret detail')))
    const errors: unknown[] = []
    listener = await listenMetrics(m.registry, {
      address: '127.0.0.1',
      port: 0,
      onError: (err) => errors.push(err),
    })

    const reply = await get(listener.port, '/metrics')

    expect(reply.status).toBe(500)
    expect(reply.body).not.toContain('secret')
    expect(errors).toHaveLength(1)
  })

  it('when the port is taken, then listening rejects', async () => {
    const m = createMetrics({ perDomain: false, defaultMetrics: false })
    listener = await listenMetrics(m.registry, { address: '127.0.0.1', port: 0 })

    await expect(
      listenMetrics(m.registry, { address: '127.0.0.1', port: listener.port }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' })
  })

  it('when closed while a scraper keeps its connection alive, then close finishes and the port stops answering', async () => {
    const m = createMetrics({ perDomain: false, defaultMetrics: false })
    const l = await listenMetrics(m.registry, { address: '127.0.0.1', port: 0 })
    const agent = new Agent({ keepAlive: true })
    await new Promise<void>((resolve, reject) => {
      request({ host: '127.0.0.1', port: l.port, path: '/metrics', agent }, (res) => {
        res.resume()
        res.on('end', resolve)
      })
        .on('error', reject)
        .end()
    })

    await l.close()

    await expect(get(l.port, '/metrics')).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    agent.destroy()
  })
})
