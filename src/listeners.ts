/**
 * Sockets for the hono apps: the plain HTTP listener and the HTTPS listener whose certificate
 * is chosen per handshake by SNI. Also the graceful close both share.
 */
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import type { SniCache } from './adapters/tls/sni-cache.js'
import type { NodeHandler } from './http/policy-fast-path.js'

type Fetch = Parameters<typeof getRequestListener>[0]

/** Requests in flight per server, so shutdown waits for them and for nothing else. */
const inFlight = new WeakMap<Server, { count: number; drained: Array<() => void> }>()

/** Tracks the server's requests in flight and starts listening; resolves once it listens. */
function listen(server: Server, port: number, hostname: string): Promise<Server> {
  const state = { count: 0, drained: [] as Array<() => void> }
  inFlight.set(server, state)
  server.on('request', (_req, res) => {
    // Answered synchronously (the policy fast path): nothing left in flight to wait for.
    if (res.writableEnded) return
    state.count++
    res.once('close', () => {
      if (--state.count === 0) for (const done of state.drained.splice(0)) done()
    })
  })
  const listening = new Promise<Server>((resolve, reject) => {
    server.once('listening', () => resolve(server))
    server.once('error', reject)
  })
  server.listen(port, hostname)
  return listening
}

/** The HTTP listener. */
export function listenHttp(fetch: Fetch, port: number, hostname: string): Promise<Server> {
  return listen(createHttpServer(getRequestListener(fetch, { hostname })), port, hostname)
}

/**
 * The HTTPS listener: no default certificate, so a client without a known SNI name fails.
 * `wrap` may answer some requests itself before the hono adapter sees them (the policy path).
 */
export function listenHttps(
  fetch: Fetch,
  port: number,
  hostname: string,
  sni: SniCache,
  wrap: (next: NodeHandler) => NodeHandler = (next) => next,
): Promise<Server> {
  const server = createHttpsServer(
    {
      SNICallback: sni.callback,
      minVersion: 'TLSv1.2', // RFC 8461 §7.2
      // Slow or silent clients must not hold sockets: MTA-STS fetchers give up after seconds.
      requestTimeout: 30_000,
      headersTimeout: 10_000,
    },
    wrap(getRequestListener(fetch, { hostname })),
  )
  return listen(server, port, hostname)
}

export const portOf = (server: Server): number => (server.address() as AddressInfo).port

/**
 * Stops accepting; requests in flight finish (up to `graceMs`), then every remaining
 * connection — idle keep-alive, mid-handshake, or connected but silent — is closed, so a port
 * scan cannot hold shutdown past the platform's kill timeout.
 */
export async function closeGracefully(server: Server, graceMs = 10_000): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  const state = inFlight.get(server)
  if (state && state.count > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs)
      timer.unref()
      state.drained.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }
  server.closeAllConnections()
  await closed
}
