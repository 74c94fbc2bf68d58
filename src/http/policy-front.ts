/**
 * The policy front: the hot request — GET or HEAD of a policy we serve, HTTP/1.1, its head
 * whole in one read — answered on the TLS socket before node's HTTP server sees the
 * connection. Node's server costs more per request than the TLS under it (a parser, an
 * IncomingMessage, a ServerResponse and their events per request): with a bare node:https
 * server at ~0.023 ms CPU per keep-alive request, answering on the socket took ~0.015.
 *
 * A connection stays with the front while each request it reads is that one request (pipelined
 * ones are answered in order, each with the same bytes, headers and log line as the hono route).
 * On the first read that is anything else — another path or method, a head split across reads,
 * a body, anything request-head.ts does not accept, a Host that is not the SNI name — the
 * connection is handed to node's HTTP server with the unread bytes put back, and from then on
 * node (the fast path, then hono) answers everything on it, its deadlines included. The front
 * keeps only the idle keep-alive deadline; the silent-connection one is the listener's.
 */
import type { Server } from 'node:https'
import type { TLSSocket } from 'node:tls'
import type { FastPathDeps } from './policy-answer.js'
import { PolicyAnswers } from './policy-answer.js'
import { scanHead } from './request-head.js'

export interface FrontOptions {
  /** Idle time allowed between requests on a kept-alive connection (node's keepAliveTimeout). */
  keepAliveMs: number
  /** Called once a socket has sent its first request (the listener's silent deadline ends). */
  requested: (socket: TLSSocket) => void
}

type Listener = (socket: TLSSocket) => void

export class PolicyFront {
  private readonly answers: PolicyAnswers
  /** Each socket the front holds, with how it lets go of it. */
  private readonly owned = new Map<TLSSocket, () => void>()
  private readonly keepAlive: string
  private dateSecond = -1
  private date = ''

  constructor(
    deps: FastPathDeps,
    private readonly opts: FrontOptions,
  ) {
    this.answers = new PolicyAnswers(deps)
    // The bytes node writes after the fields it is given (RFC 9112 §9.3 persistence).
    const seconds = Math.floor(opts.keepAliveMs / 1000)
    this.keepAlive =
      opts.keepAliveMs > 0
        ? `Connection: keep-alive\r\nKeep-Alive: timeout=${seconds}\r\n`
        : 'Connection: keep-alive\r\n'
  }

  /**
   * Puts the front before node's HTTP handling of `server`'s connections: node's own
   * `secureConnection` listener gets a connection only when the front hands it over; other
   * listeners still get each one, after the front. Call before listen().
   */
  attach(server: Server): void {
    // https.Server registers node's HTTP connection listener in its constructor.
    const http = (server.listeners('secureConnection') as Listener[]).find(
      (l) => l.name === 'connectionListener',
    )
    if (http === undefined) throw new Error("node's HTTP connection listener was not found")
    server.removeListener('secureConnection', http)
    server.prependListener('secureConnection', (socket: TLSSocket) =>
      this.own(socket, (s) => {
        http.call(server, s)
        // Node's server then reads the TLS stream natively, bypassing the JS stream; with bytes
        // the front already read, a pipelining client could then reach its parser while it was
        // paused for backpressure ("Parse Error: Paused", the connection dropped). A 'data'
        // listener makes node read through the JS stream instead, which honours the pause.
        s.on('data', ignore)
      }),
    )
  }

  /** Connections the front holds now (for tests). */
  get size(): number {
    return this.owned.size
  }

  /**
   * Closes the connections the front holds (shutdown). They are idle by construction — the
   * front answers synchronously — so a socket whose last response has left is destroyed, and
   * one still sending it is ended after it.
   */
  closeIdle(): void {
    for (const [socket, release] of this.owned) {
      release()
      if (socket.writableLength === 0) socket.destroy()
      else socket.end()
    }
  }

  private own(socket: TLSSocket, handOver: Listener): void {
    let requested = false
    const idle = () => socket.destroy()
    const release = () => {
      this.owned.delete(socket)
      socket.removeListener('data', onData)
      socket.removeListener('close', release)
      socket.removeListener('drain', drained)
      if (requested) {
        socket.removeListener('timeout', idle)
        socket.setTimeout(0)
      }
    }
    const drained = () => socket.resume()
    const onData = (chunk: Buffer) => {
      let at = 0
      while (at < chunk.length) {
        const head = scanHead(chunk, at)
        const timing = this.answers.start()
        const found = head.kind === 'policy' ? this.answers.find(head.host, socket) : undefined
        if (head.kind !== 'policy' || found === undefined) {
          release()
          handOver(socket)
          // Node's listener is attached and reading; the bytes the front read go first.
          socket.unshift(chunk.subarray(at))
          return
        }
        if (!requested) {
          requested = true
          this.opts.requested(socket)
          socket.on('timeout', idle)
        }
        const requestId = this.answers.requestId(head.requestId)
        const bytes = found.body.bytes
        const text =
          `HTTP/1.1 200 OK\r\n${this.answers.headerText(bytes.byteLength)}` +
          `x-request-id: ${requestId}\r\nDate: ${this.utcDate()}\r\n` +
          `${head.close ? 'Connection: close\r\n' : this.keepAlive}\r\n`
        const out = head.method === 'HEAD' ? Buffer.from(text, 'latin1') : withBody(text, bytes)
        this.answers.answered(
          timing,
          found,
          head.host,
          head.method,
          requestId,
          socket.remoteAddress,
        )
        if (head.close) {
          // RFC 9112 §9.6: nothing after a request with `close` is read.
          release()
          socket.end(out)
          return
        }
        socket.write(out)
        at = head.end
      }
      if (requested) socket.setTimeout(this.opts.keepAliveMs)
      // A client that pipelines without reading gets no more read than its answers can leave
      // (node's HTTP server pauses its parser the same way): answers are ~8x their requests.
      if (socket.writableNeedDrain) {
        socket.pause()
        socket.once('drain', drained)
      }
    }
    // No 'error' listener of its own: tls.Server keeps one on every socket it accepts.
    socket.on('data', onData)
    socket.on('close', release)
    this.owned.set(socket, release)
  }

  /** The Date field as node writes it (RFC 9110 §6.6.1), built once a second. */
  private utcDate(): string {
    const now = Date.now()
    const second = Math.floor(now / 1000)
    if (second !== this.dateSecond) {
      this.dateSecond = second
      this.date = new Date(now).toUTCString()
    }
    return this.date
  }
}

/** The bytes reach node's parser through its own 'data' listener. */
const ignore = (): void => {}

function withBody(text: string, body: Uint8Array): Buffer {
  const head = Buffer.byteLength(text, 'latin1')
  const out = Buffer.allocUnsafe(head + body.byteLength)
  out.write(text, 0, 'latin1')
  out.set(body, head)
  return out
}
