/**
 * The socket under a request, as the node adapter hands it to hono (`c.env.incoming`): who the
 * peer is and, over TLS, which name the connection was made for. Absent when a test calls
 * app.request() with no socket at all.
 */
import type { Context } from 'hono'
import { canonicalHost } from '../core/canonical-host.js'
import type { AppEnv } from './env.js'

/** An address as logged and compared: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) shown as IPv4. */
export function plainAddress(address: string | undefined): string | undefined {
  return address?.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address
}

/** The peer address of the request's socket (undefined without one). */
export const peerOf = (c: Context<AppEnv>): string | undefined =>
  plainAddress(c.env?.incoming?.socket.remoteAddress)

/**
 * True for the loopback networks only: 127.0.0.0/8 and ::1 (mapped IPv4 arrives as plain
 * IPv4 from plainAddress). An unknown peer is not loopback.
 */
export const isLoopback = (address: string | undefined): boolean =>
  address !== undefined && (address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address))

/**
 * The SNI name the TLS connection was made for, lower case without a trailing dot; null on a
 * plain socket (or a TLS one without SNI, which our HTTPS listener never completes).
 */
export function serverNameOf(socket: unknown): string | null {
  const name = (socket as { servername?: string | false | null }).servername
  if (!name) return null
  return canonicalHost(name)
}

/** How many Host fields node saw (rawHeaders keeps repeats that req.headers drops). */
export function hostFieldCount(rawHeaders: string[]): number {
  let n = 0
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!
    if (name.length === 4 && name.toLowerCase() === 'host') n++
  }
  return n
}
