/**
 * The scrape endpoint: a bare node:http listener apart from the public ones, so metrics can be
 * bound to a private address and never share a port (or a Host-routed app) with tenants.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'

export interface MetricsListenOptions {
  address: string
  /** 0 picks a free port (tests). */
  port: number
  /** Told when collecting fails; the scraper gets a plain 500 without the cause. */
  onError?: (err: unknown) => void
}

export interface MetricsListener {
  port: number
  close(): Promise<void>
}

// A scraper needs a few seconds at most; slow or idle clients must not hold sockets open.
const REQUEST_TIMEOUT_MS = 10_000
// Prometheus keeps one connection per target; a handful covers several scrapers and humans.
const MAX_CONNECTIONS = 32

function plain(res: ServerResponse, status: number, body: string, headers = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers })
  res.end(body)
}

async function answer(
  registry: Registry,
  req: IncomingMessage,
  res: ServerResponse,
  onError: (err: unknown) => void,
): Promise<void> {
  // Scrapers may add query parameters (e.g. `?name[]=`); only the path selects the resource.
  const path = (req.url ?? '/').split('?', 1)[0]
  if (path !== '/metrics') return plain(res, 404, 'not found\n')
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return plain(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' })
  }
  let text: string
  try {
    text = await registry.metrics()
  } catch (err) {
    onError(err)
    return plain(res, 500, 'collecting metrics failed\n')
  }
  res.writeHead(200, { 'content-type': registry.contentType })
  res.end(req.method === 'HEAD' ? undefined : text)
}

/** Serves `GET /metrics` from `registry` on `address:port`; 404 for every other path. */
export function listenMetrics(
  registry: Registry,
  opts: MetricsListenOptions,
): Promise<MetricsListener> {
  const onError = opts.onError ?? (() => {})
  const server = createServer((req, res) => {
    void answer(registry, req, res, onError)
  })
  server.requestTimeout = REQUEST_TIMEOUT_MS
  server.headersTimeout = REQUEST_TIMEOUT_MS
  server.keepAliveTimeout = REQUEST_TIMEOUT_MS
  server.maxConnections = MAX_CONNECTIONS

  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.address, () => {
      server.off('error', reject)
      const { port } = server.address() as AddressInfo
      resolve({
        port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()))
            // A scraper's keep-alive socket would otherwise hold close() open until it times out.
            server.closeAllConnections()
          }),
      })
    })
  })
}
