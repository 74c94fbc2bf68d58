/**
 * Sockets for the hono apps: the plain HTTP listener and the HTTPS listener whose certificate
 * is chosen per handshake by SNI. Both sit behind one connection gate (caps in total and per
 * source) and deadlines for every stage a client can stall: TLS handshake, first request,
 * headers, whole request, idle keep-alive. Also the graceful close both share.
 */
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import type { ConnectionGate } from '../adapters/net/connection-gate.js'
import type { SniCache } from '../adapters/tls/sni-cache.js'
import type { FastPathDeps } from '../http/policy-answer.js'
import { type NodeHandler, withPolicyFastPath } from '../http/policy-fast-path.js'
import { PolicyFront } from '../http/policy-front.js'

type Fetch = Parameters<typeof getRequestListener>[0]

export interface ListenerOptions {
  port: number
  hostname: string
  gate: ConnectionGate
  /** Deadlines in milliseconds. */
  handshakeMs: number
  /** From connection (or handshake) until the request head is complete. */
  headersMs: number
  requestMs: number
  keepAliveMs: number
}

/**
 * How often node checks open connections against headersMs and requestMs. Its default, 30 s,
 * would let a client trickling header bytes stay 30 s past the deadline.
 */
const DEADLINE_CHECK_MS = 1_000

/**
 * Work in flight per server, so shutdown waits for it and for nothing else: each request until
 * its response closes, and each run of the app's handler until it returns. Both count: a client
 * that half-closes after its body (or hangs up) closes the response while the handler still
 * uses the store, which shutdown must not close under it (found with PostgreSQL, issue 15).
 */
interface InFlight {
  count: number
  drained: Array<() => void>
}
const inFlight = new WeakMap<Server, InFlight>()

/** The policy front of an HTTPS server: its connections are closed with node's idle ones. */
const fronts = new WeakMap<Server, PolicyFront>()

const newInFlight = (): InFlight => ({ count: 0, drained: [] })

function settle(state: InFlight): void {
  if (--state.count === 0) for (const done of state.drained.splice(0)) done()
}

/** The app's handler, counted while it runs. */
function tracked(fetch: Fetch, state: InFlight): Fetch {
  return (async (...args: Parameters<Fetch>) => {
    state.count++
    try {
      return await fetch(...args)
    } finally {
      // After the adapter has written the response out (it does so once this resolves), so
      // closing the remaining connections does not cut it off.
      setImmediate(() => settle(state))
    }
  }) as Fetch
}

/**
 * Sockets that have not sent a request yet. node's headersTimeout starts with the first byte,
 * so a socket that connects (or completes TLS) and stays silent would be held forever.
 */
const silent = new WeakMap<Socket, () => void>()

function armSilent(socket: Socket, ms: number): void {
  const close = () => socket.destroy()
  silent.set(socket, close)
  socket.setTimeout(ms, close)
}

function disarmSilent(socket: Socket): void {
  const close = silent.get(socket)
  if (close === undefined) return
  silent.delete(socket)
  socket.removeListener('timeout', close)
  socket.setTimeout(0)
}

/**
 * The server's one request listener: `handler`, then the request counted until its response
 * closes. One listener rather than a second `request` one: node's emit takes its cheaper path
 * for a single listener, on every request.
 */
function counted(handler: NodeHandler, state: InFlight): NodeHandler {
  return (req, res) => {
    disarmSilent(req.socket)
    handler(req, res)
    // Answered synchronously (the policy fast path): nothing left in flight to wait for.
    if (res.writableEnded) return
    state.count++
    res.once('close', () => settle(state))
  }
}

/** Gates the server, keeps its in-flight state and starts listening; resolves once it listens. */
function listen(server: Server, o: ListenerOptions, state: InFlight): Promise<Server> {
  server.keepAliveTimeout = o.keepAliveMs
  o.gate.guard(server)
  inFlight.set(server, state)
  const listening = new Promise<Server>((resolve, reject) => {
    server.once('listening', () => resolve(server))
    server.once('error', reject)
  })
  server.listen(o.port, o.hostname)
  return listening
}

const httpOptions = (o: ListenerOptions) => ({
  headersTimeout: o.headersMs,
  requestTimeout: o.requestMs,
  connectionsCheckingInterval: DEADLINE_CHECK_MS,
})

/** The HTTP listener. */
export function listenHttp(fetch: Fetch, o: ListenerOptions): Promise<Server> {
  const state = newInFlight()
  const server = createHttpServer(
    httpOptions(o),
    counted(getRequestListener(tracked(fetch, state), { hostname: o.hostname }), state),
  )
  // Added before listen() gates the listeners, so a refused socket never gets a timer.
  server.on('connection', (socket: Socket) => armSilent(socket, o.headersMs))
  return listen(server, o, state)
}

/**
 * The HTTPS listener: no default certificate, so a client without a known SNI name fails.
 * With `hot`, the policy request is answered before the hono adapter sees it: on the TLS socket
 * by the policy front while a connection sends only that, else by the fast path on node's
 * request.
 */
export function listenHttps(
  fetch: Fetch,
  o: ListenerOptions,
  sni: SniCache,
  hot?: FastPathDeps,
): Promise<Server> {
  const state = newInFlight()
  const app: NodeHandler = getRequestListener(tracked(fetch, state), { hostname: o.hostname })
  const server = createHttpsServer(
    {
      SNICallback: sni.callback,
      minVersion: 'TLSv1.2', // RFC 8461 §7.2
      // Slow or silent clients must not hold sockets: MTA-STS fetchers give up after seconds.
      handshakeTimeout: o.handshakeMs,
      ...httpOptions(o),
    },
    counted(hot ? withPolicyFastPath(hot, app) : app, state),
  )
  server.on('secureConnection', (socket: Socket) => armSilent(socket, o.headersMs))
  if (hot) {
    const front = new PolicyFront(hot, { keepAliveMs: o.keepAliveMs, requested: disarmSilent })
    front.attach(server)
    fronts.set(server, front)
  }
  return listen(server, o, state)
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
  fronts.get(server)?.closeIdle()
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

/** Readable causes for the bind errors an operator can fix. */
const BIND_CAUSES: Record<string, string> = {
  EADDRINUSE: 'address in use',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'address not available on this machine',
}

/**
 * Awaits a listener and turns a bind failure into one line naming the setting, so the operator
 * knows which variable to change rather than reading a raw `listen EADDRINUSE`.
 */
export async function listening(
  variable: string,
  hostname: string,
  port: number,
  server: Promise<Server>,
): Promise<Server> {
  try {
    return await server
  } catch (err) {
    throw bindError(variable, hostname, port, err)
  }
}

/** One line naming the setting for a failed bind (`err` may wrap the system error as cause). */
export function bindError(variable: string, hostname: string, port: number, err: unknown): Error {
  const outer = err as Error & { cause?: unknown }
  const e = (outer.cause ?? outer) as NodeJS.ErrnoException
  const cause = BIND_CAUSES[e.code ?? ''] ?? e.message
  return new Error(`cannot listen on ${hostname}:${port} (${variable}): ${cause}`, { cause: err })
}
