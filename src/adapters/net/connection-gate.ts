/**
 * adapters/net: caps on open connections, in total and per source address, shared by both
 * listeners and applied at accept — before TLS or HTTP spend anything on the socket. Without
 * them ~20,000 idle sockets from one address took every file descriptor and no policy could be
 * fetched (issue 9, finding 5).
 */
import type { Server, Socket } from 'node:net'
import type { Logger } from '../../core/ports.js'
import { sourceKey } from '../../core/source-key.js'

export interface ConnectionCaps {
  /** Open connections across every guarded server. */
  total: number
  /** Open connections from one source (an IPv4 address or an IPv6 /64, core/source-key.ts). */
  perSource: number
}

/** Refusals are summed and logged once per window, so a flood cannot flood the log as well. */
const REPORT_WINDOW_MS = 10_000

export class ConnectionGate {
  private open = 0
  private readonly bySource = new Map<string, number>()
  private window: { total: number; perSource: number; lastSource: string } | null = null

  constructor(
    private readonly caps: ConnectionCaps,
    private readonly log: Logger,
  ) {}

  /** Open connections now (for tests and metrics). */
  get size(): number {
    return this.open
  }

  /**
   * Puts the gate in front of every `connection` listener `server` has now (node's own HTTP or
   * TLS handling): a refused socket is closed before any of them sees it. Call before listen().
   */
  guard(server: Server): void {
    const handlers = server.listeners('connection') as Array<(socket: Socket) => void>
    server.removeAllListeners('connection')
    server.on('connection', (socket: Socket) => {
      if (!this.admit(socket)) return
      for (const handler of handlers) handler.call(server, socket)
    })
  }

  /** Counts `socket` in, or closes it and returns false when a cap is reached. */
  admit(socket: Socket): boolean {
    // An IPv4 address, or an IPv6 /64: the same sources as the per-source rate limits.
    const address = socket.remoteAddress
    const source = address === undefined ? '' : sourceKey(address)
    if (source === '') {
      // Reset before it was accepted: nothing to serve, nothing to count.
      socket.destroy()
      return false
    }
    const fromSource = this.bySource.get(source) ?? 0
    const full =
      this.open >= this.caps.total
        ? 'total'
        : fromSource >= this.caps.perSource
          ? 'perSource'
          : null
    if (full !== null) {
      this.refuse(full, source)
      socket.destroy()
      return false
    }
    this.open++
    this.bySource.set(source, fromSource + 1)
    socket.once('close', () => {
      this.open--
      const left = (this.bySource.get(source) ?? 1) - 1
      if (left === 0) this.bySource.delete(source)
      else this.bySource.set(source, left)
    })
    return true
  }

  /**
   * The first refusal of a window is logged at once (with its source, for the operator to act
   * on); the rest are summed into one line when the window ends.
   */
  private refuse(cap: 'total' | 'perSource', source: string): void {
    const caps = { maxConnections: this.caps.total, maxPerSource: this.caps.perSource }
    if (this.window !== null) {
      this.window[cap]++
      this.window.lastSource = source
      return
    }
    this.log.warn('connections_refused', { cap, source, ...caps })
    const window = { total: 0, perSource: 0, lastSource: source }
    this.window = window
    setTimeout(() => {
      this.window = null
      if (window.total + window.perSource === 0) return
      this.log.warn('connections_refused', {
        ...window,
        ...caps,
        windowSeconds: REPORT_WINDOW_MS / 1000,
      })
    }, REPORT_WINDOW_MS).unref()
  }
}
