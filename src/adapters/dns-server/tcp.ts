/**
 * adapters/dns-server: the TCP listener (RFC 7766). Each message is framed by a 2-octet length
 * (RFC 1035 §4.2.2); a connection carries any number of queries, answered one after the other
 * in the order they came (RFC 7766 §6.2.1.1 allows that), zone transfers included. No rate
 * limit and no truncation here: TCP proves the source address, and a message can be 64 KB.
 *
 * Resource bounds (RFC 7766 §6.2.3, §10): connection caps in total and per source (extra
 * connections are closed at accept); an idle timer that only complete queries and our own
 * progress in writing re-arm, so a client dribbling a partial frame (slowloris) or not reading
 * our replies is closed after `idleMs`; at most MAX_QUEUED parsed queries wait per connection
 * before we stop reading from it.
 */
import { createServer, type Server, type Socket } from 'node:net'
import type { Logger } from '../../core/ports.js'
import { ConnectionGate } from '../net/connection-gate.js'
import type { AddressAcl } from './address-acl.js'
import { handleMessage, type Handled, type QueryContext } from './handle-query.js'

export interface TcpLimits {
  /** Open connections in total (RFC 7766 §6.2.3: bound them). */
  maxConnections: number
  /** Open connections from one source (IPv4 address or IPv6 /64). */
  maxPerSource: number
  /** Close a connection after this long without a complete query or write progress. */
  idleMs: number
}

/**
 * Defaults: 256 connections is far above what a handful of secondaries and the occasional
 * truncated-retry resolver need; 16 per source lets one resolver pipeline over several; 10 s
 * matches common authoritative servers (RFC 7766 §6.2.3 suggests seconds, not minutes).
 */
export const DEFAULT_TCP_LIMITS: TcpLimits = {
  maxConnections: 256,
  maxPerSource: 16,
  idleMs: 10_000,
}

/** Parsed queries waiting per connection before we stop reading (pause) from it. */
const MAX_QUEUED = 32

/**
 * Queries answered back to back before the connection yields the event loop: one 64 KB chunk
 * can hold ~4,000 minimal queries, and UDP and other connections must not wait for all of them.
 */
const BATCH = 64

export interface TcpDeps extends Omit<QueryContext, 'transport' | 'mayTransfer' | 'source'> {
  acl: AddressAcl
  limits: TcpLimits
}

export interface TcpListener {
  server: Server
  close(): Promise<void>
}

/** Listens on TCP and answers framed queries; rejects with the listen error. */
export function listenTcp(address: string, port: number, deps: TcpDeps): Promise<TcpListener> {
  const sockets = new Set<Socket>()
  const gate = new ConnectionGate(
    { total: deps.limits.maxConnections, perSource: deps.limits.maxPerSource },
    deps.log,
  )
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    if (!gate.admit(socket)) return
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    serve(socket, deps)
  })
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => resolve())
      for (const socket of sockets) socket.destroy()
    })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: address, port }, () => {
      server.off('error', reject)
      server.on('error', (err) => deps.log.warn('dns_tcp_error', { error: err.message }))
      resolve({ server, close })
    })
  })
}

function serve(socket: Socket, deps: TcpDeps): void {
  const source = socket.remoteAddress ?? ''
  const log: Logger = deps.log
  const ctx: QueryContext = {
    ...deps,
    transport: 'tcp',
    source,
    mayTransfer: () => deps.acl.allows(source),
  }
  const idle = setTimeout(() => socket.destroy(), deps.limits.idleMs)
  const touch = () => idle.refresh()
  const frames = new FrameReader()
  const queue: Buffer[] = []
  let pumping = false
  let ended = false

  socket.on('error', () => {}) // resets and the like: 'close' follows and cleans up
  socket.once('close', () => clearTimeout(idle))
  socket.once('end', () => {
    ended = true
    if (!pumping && queue.length === 0) socket.end()
  })
  socket.on('data', (data: Buffer) => {
    for (const frame of frames.push(data)) queue.push(frame)
    if (queue.length >= MAX_QUEUED) socket.pause()
    if (!pumping) void pump()
  })

  async function pump(): Promise<void> {
    pumping = true
    let answered = 0
    try {
      for (let frame = queue.shift(); frame !== undefined; frame = queue.shift()) {
        if (queue.length < MAX_QUEUED / 2 && socket.isPaused()) socket.resume()
        if (++answered % BATCH === 0) await new Promise((resolve) => setImmediate(resolve))
        if (socket.destroyed) return
        const handled: Handled = handleMessage(frame, ctx)
        if (handled.kind === 'drop') continue
        touch()
        const messages = handled.kind === 'reply' ? [handled.message] : handled.messages
        for (const message of messages) {
          if (socket.destroyed) return
          if (!socket.write(framed(message))) await drained(socket)
          touch()
        }
      }
      if (ended && !socket.destroyed) socket.end()
    } catch (err) {
      // handleMessage never throws; encoding a transfer's later messages can (a record the
      // zone should never hold). The secondary sees the connection drop and retries later.
      log.warn('dns_transfer_failed', { source, error: String(err).slice(0, 120) })
      socket.destroy()
    } finally {
      pumping = false
    }
  }
}

/** Resolves when the socket can take more, or when it closes. */
function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done)
      socket.off('close', done)
      resolve()
    }
    socket.on('drain', done)
    socket.on('close', done)
  })
}

/** RFC 1035 §4.2.2: the message prefixed by its length as two octets. */
export function framed(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(2 + message.length)
  out.writeUInt16BE(message.length, 0)
  message.copy(out, 2)
  return out
}

/**
 * Splits a byte stream into length-prefixed messages. Chunks are joined once per complete
 * message, not once per arrival, so a client sending one byte at a time costs linear work.
 */
export class FrameReader {
  private chunks: Buffer[] = []
  private buffered = 0
  private need: number | null = null

  /** The messages completed by `data`, in order. */
  push(data: Buffer): Buffer[] {
    this.chunks.push(data)
    this.buffered += data.length
    const out: Buffer[] = []
    for (;;) {
      if (this.need === null) {
        if (this.buffered < 2) break
        const head = this.join()
        this.need = head.readUInt16BE(0)
      }
      if (this.buffered < 2 + this.need) break
      const all = this.join()
      out.push(all.subarray(2, 2 + this.need))
      const rest = all.subarray(2 + this.need)
      this.chunks = rest.length > 0 ? [rest] : []
      this.buffered = rest.length
      this.need = null
    }
    return out
  }

  private join(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)]
    return this.chunks[0]!
  }
}
