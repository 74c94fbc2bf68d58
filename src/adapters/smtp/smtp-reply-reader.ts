/**
 * adapters/smtp: reads SMTP replies (RFC 5321 §4.2) from a plaintext socket with hard bounds, so
 * a hostile server costs at most one socket chunk of memory: a too-long line, too many lines or
 * too many bytes in one reply fail at once, and the socket is paused as soon as a reply is
 * complete (nothing is read ahead of the next command).
 */
import type { Socket } from 'node:net'

/** One complete reply: its code and the text after `ddd-` / `ddd ` on each line. */
export interface SmtpReply {
  code: number
  lines: string[]
}

/** Why a reply could not be read; `detail` is already safe to show (see safeText). */
export class ReplyError extends Error {
  constructor(
    readonly kind: 'bounds' | 'malformed' | 'closed',
    readonly detail: string,
  ) {
    super(detail)
    this.name = 'ReplyError'
  }
}

// RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets including the CRLF.
const MAX_LINE_OCTETS = 512
// No real reply comes close: an EHLO reply lists ~10–20 extensions.
const MAX_LINES = 100
// A second ceiling for the whole reply, independent of how the server splits its lines.
const MAX_REPLY_OCTETS = 64 * 1024
// User-visible text from the server is cut here (after escaping).
const MAX_DETAIL_CHARS = 200

/** Server bytes (decoded latin1) as printable ASCII: other bytes as `\xNN`, cut at 200 chars. */
export function safeText(s: string): string {
  const escaped = s.replace(/[^\x20-\x5b\x5d-\x7e]/g, (ch) =>
    ch === '\\' ? '\\\\' : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
  )
  return escaped.length > MAX_DETAIL_CHARS ? `${escaped.slice(0, MAX_DETAIL_CHARS)}…` : escaped
}

/** Reads replies one at a time from `socket`; call detach() before handing the socket on. */
export class ReplyReader {
  /** Bytes received but not yet part of a returned reply. */
  private pending: Buffer = Buffer.alloc(0)
  private lines: string[] = []
  private code = 0
  private octets = 0
  private waiter: { resolve: (r: SmtpReply) => void; reject: (e: ReplyError) => void } | null = null
  private failure: ReplyError | null = null

  constructor(private readonly socket: Socket) {
    socket.pause()
    socket.on('data', this.onData)
    socket.on('end', this.onEnd)
    socket.on('close', this.onEnd)
  }

  /** Bytes the server sent past the last reply (must be 0 before a TLS upgrade, RFC 3207 §4.2). */
  get unread(): number {
    return this.pending.length + this.socket.readableLength
  }

  /** The next complete reply; rejects with ReplyError (the socket is then destroyed). */
  read(): Promise<SmtpReply> {
    if (this.failure !== null) return Promise.reject(this.failure)
    return new Promise<SmtpReply>((resolve, reject) => {
      this.waiter = { resolve, reject }
      const buffered = this.pending
      this.pending = Buffer.alloc(0)
      if (buffered.length > 0) this.consume(buffered)
      if (this.waiter !== null && this.failure === null) this.socket.resume()
    })
  }

  detach(): void {
    this.socket.off('data', this.onData)
    this.socket.off('end', this.onEnd)
    this.socket.off('close', this.onEnd)
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.waiter === null) {
      // Paused between replies, so this is at most one chunk that was already on its way.
      this.pending = Buffer.concat([this.pending, chunk])
      this.socket.pause()
      return
    }
    this.consume(chunk)
  }

  private readonly onEnd = (): void => {
    this.fail(new ReplyError('closed', 'connection closed by the server'))
  }

  private consume(chunk: Buffer): void {
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk
    this.pending = Buffer.alloc(0)
    while (this.waiter !== null) {
      const eol = data.indexOf(0x0a)
      const lineOctets = eol === -1 ? data.length : eol + 1
      if (lineOctets > MAX_LINE_OCTETS) {
        return this.fail(
          new ReplyError('bounds', `reply line longer than ${MAX_LINE_OCTETS} octets`),
        )
      }
      if (this.octets + lineOctets > MAX_REPLY_OCTETS) {
        return this.fail(new ReplyError('bounds', `reply longer than ${MAX_REPLY_OCTETS} octets`))
      }
      if (eol === -1) {
        this.pending = data
        return
      }
      this.octets += lineOctets
      // RFC 5321 §2.3.8 wants CRLF; a bare LF is accepted as many MTAs do.
      const line = data.subarray(0, eol).toString('latin1').replace(/\r$/, '')
      data = data.subarray(eol + 1)
      this.takeLine(line)
    }
    this.pending = data
  }

  private takeLine(line: string): void {
    // RFC 5321 §4.2: "ddd-text" continues the reply, "ddd text" or "ddd" ends it; every line of
    // one reply carries the same code (§4.2.1).
    const match = /^([2-5][0-9][0-9])([- ]|$)/.exec(line)
    const code = match === null ? NaN : Number(match[1])
    if (match === null || (this.lines.length > 0 && code !== this.code)) {
      return this.fail(new ReplyError('malformed', `malformed reply: ${safeText(line)}`))
    }
    if (this.lines.length >= MAX_LINES) {
      return this.fail(new ReplyError('bounds', `reply with more than ${MAX_LINES} lines`))
    }
    this.code = code
    this.lines.push(line.slice(4))
    if (match[2] === '-') return
    const reply = { code: this.code, lines: this.lines }
    const waiter = this.waiter
    this.waiter = null
    this.lines = []
    this.octets = 0
    // Stop reading: the server speaks again only after our next command.
    this.socket.pause()
    waiter?.resolve(reply)
  }

  private fail(error: ReplyError): void {
    if (this.failure !== null) return
    this.failure = error
    this.pending = Buffer.alloc(0)
    this.socket.destroy()
    const waiter = this.waiter
    this.waiter = null
    waiter?.reject(error)
  }
}
