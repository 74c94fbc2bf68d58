/**
 * Sockets for the hono apps: the plain HTTP listener and the HTTPS listener whose certificate
 * is chosen per handshake by SNI. Also the graceful close both share.
 */
import type { Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import type { SniCache } from './adapters/tls/sni-cache.js'

type Fetch = Parameters<typeof serve>[0]['fetch']

function started(server: ServerType): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('listening', () => resolve(server as Server))
    server.once('error', reject)
  })
}

/** The HTTP listener. */
export function listenHttp(fetch: Fetch, port: number, hostname: string): Promise<Server> {
  return started(serve({ fetch, port, hostname }))
}

/** The HTTPS listener: no default certificate, so a client without a known SNI name fails. */
export function listenHttps(
  fetch: Fetch,
  port: number,
  hostname: string,
  sni: SniCache,
): Promise<Server> {
  return started(
    serve({
      fetch,
      port,
      hostname,
      createServer: createHttpsServer,
      serverOptions: {
        SNICallback: sni.callback,
        minVersion: 'TLSv1.2', // RFC 8461 §7.2
        // Slow or silent clients must not hold sockets: MTA-STS fetchers give up after seconds.
        requestTimeout: 30_000,
        headersTimeout: 10_000,
      },
    }),
  )
}

export const portOf = (server: Server): number => (server.address() as AddressInfo).port

/** Stops accepting; in-flight requests finish (idle keep-alive sockets close at once). */
export async function closeGracefully(server: Server, graceMs = 10_000): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs)
    timer.unref()
    server.close(() => {
      clearTimeout(timer)
      resolve()
    })
    server.closeIdleConnections()
  })
}
