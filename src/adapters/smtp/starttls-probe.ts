/**
 * adapters/smtp: probes an MX host's STARTTLS the way a sending MTA would (RFC 5321, RFC 3207,
 * RFC 8461 §4.2) and reports the outcome as an RFC 8460 §4.3 result type (issue 13). It speaks
 * only EHLO, STARTTLS and QUIT — never MAIL, RCPT or DATA — and every step is bounded in time and
 * memory, so a hostile or broken server costs little.
 */
import { connect as netConnect, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import type { ProbeResultType } from '../../core/checks/check-ports.js'
import { DomainError } from '../../core/errors.js'
import { type ProbeCertificate, judgePeerCertificate } from './peer-certificate.js'
import { ReplyError, ReplyReader, type SmtpReply, safeText } from './smtp-reply-reader.js'

export type { ProbeCertificate } from './peer-certificate.js'

/** Where a probe stopped. */
export type ProbeStage = 'connect' | 'banner' | 'ehlo' | 'starttls' | 'tls' | 'verify'

/** RFC 8460 §4.3.2 result types a probe can report: the checker port's (core/checks). */
export type { ProbeResultType } from '../../core/checks/check-ports.js'

/**
 * `ms` is the probe's duration; `bytesRead` what it took from the connection (TCP payload,
 * TLS records included), so bounds on hostile servers can be checked from outside.
 */
export type ProbeResult = (
  | { ok: true; tlsVersion: string; cipher: string; certificate: ProbeCertificate }
  | { ok: false; resultType: ProbeResultType; detail: string; stage: ProbeStage }
) & { ms: number; bytesRead: number }

export interface ProbeTimeouts {
  /** TCP connect. */
  connectMs: number
  /** The 220 greeting (RFC 5321 §4.5.3.2.1 allows 5 minutes; a prober need not wait that long). */
  bannerMs: number
  /** Each later reply, and the TLS handshake. */
  stepMs: number
  /** The whole probe, whatever each step does. */
  totalMs: number
}

// Shorter than RFC 5321 §4.5.3.2's client timeouts: a probe is a check shown to a user, and a
// server that needs minutes to greet is worth reporting as failing.
export const DEFAULT_PROBE_TIMEOUTS: ProbeTimeouts = {
  connectMs: 10_000,
  bannerMs: 30_000,
  stepMs: 30_000,
  totalMs: 60_000,
}

export interface ProbeOptions {
  /** The MX name: used for SNI and the certificate check. */
  mxHost: string
  /** Where to connect instead of resolving mxHost (an IP address, or another name). */
  address?: string
  /** Default 25. */
  port?: number
  /** Our own name, sent in EHLO (RFC 5321 §4.1.1.1). */
  ehloName: string
  /** Trust these CAs instead of the system roots. */
  ca?: string | Buffer
  /** The moment certificate validity is judged at. */
  now: Date
  timeouts?: Partial<ProbeTimeouts>
}

class ProbeFailure extends Error {
  constructor(
    readonly resultType: ProbeResultType,
    readonly stage: ProbeStage,
    readonly detail: string,
  ) {
    super(detail)
  }
}

// RFC 5321 §4.1.3 / §4.1.2: a domain or an address literal; nothing that could end the command.
const EHLO_NAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?)+$|^\[[0-9A-Fa-f:.]+\]$/
const HOST_NAME = /^[A-Za-z0-9_.-]{1,253}$/

/**
 * Probes `mxHost`; resolves with a result for every server behaviour (never rejects because of
 * the server). Rejects with DomainError('VALIDATION') only for a bad `ehloName` or `mxHost`.
 */
export async function probeStartTls(opts: ProbeOptions): Promise<ProbeResult> {
  if (!EHLO_NAME.test(opts.ehloName) || opts.ehloName.length > 255) {
    throw new DomainError('VALIDATION', 'ehloName must be a domain name or an address literal')
  }
  if (!HOST_NAME.test(opts.mxHost)) throw new DomainError('VALIDATION', 'mxHost is not a host name')
  const timeouts = { ...DEFAULT_PROBE_TIMEOUTS, ...opts.timeouts }
  const started = performance.now()
  const ms = () => Math.round(performance.now() - started)
  const session = new Session(opts, timeouts)
  try {
    const done = await session.run()
    return { ...done, ms: ms(), bytesRead: session.bytesRead }
  } catch (error) {
    const failure =
      error instanceof ProbeFailure
        ? error
        : new ProbeFailure('validation-failure', session.stage, 'internal error')
    return { ok: false, ...pick(failure), ms: ms(), bytesRead: session.bytesRead }
  } finally {
    session.close()
  }
}

const pick = ({ resultType, stage, detail }: ProbeFailure) => ({ resultType, stage, detail })

/** One connection's worth of state; `stage` is where it is now. */
class Session {
  stage: ProbeStage = 'connect'
  private socket: Socket | null = null
  private tls: TLSSocket | null = null
  private deadline: NodeJS.Timeout | undefined
  private readonly expired: Promise<never>

  constructor(
    private readonly opts: ProbeOptions,
    private readonly timeouts: ProbeTimeouts,
  ) {
    this.expired = new Promise<never>((_, reject) => {
      this.deadline = setTimeout(
        () => reject(this.failure(`no result within ${timeouts.totalMs} ms`)),
        timeouts.totalMs,
      )
    })
    this.expired.catch(() => undefined)
  }

  get bytesRead(): number {
    return Math.max(this.socket?.bytesRead ?? 0, this.tls?.bytesRead ?? 0)
  }

  async run(): Promise<Omit<Extract<ProbeResult, { ok: true }>, 'ms' | 'bytesRead'>> {
    const { opts, timeouts } = this
    const socket = await this.step<Socket>(timeouts.connectMs, 'connect', (resolve, reject) => {
      const s = netConnect({ host: opts.address ?? opts.mxHost, port: opts.port ?? 25 })
      this.socket = s
      s.once('connect', () => resolve(s))
      s.once('error', (e) => reject(this.failure(errorText(e))))
    })
    socket.on('error', () => undefined) // reported through the reader's 'close'
    const reader = new ReplyReader(socket)

    this.stage = 'banner'
    // RFC 5321 §4.2: 220 is the greeting; 554 (or anything else) means no service here.
    const banner = await this.reply(reader, timeouts.bannerMs)
    if (banner.code !== 220) throw this.failure(`greeting refused: ${describe(banner)}`)

    this.stage = 'ehlo'
    socket.write(`EHLO ${opts.ehloName}\r\n`)
    const ehlo = await this.reply(reader, timeouts.stepMs)
    // RFC 5321 §4.1.4: 500/502 means an old server without EHLO, hence without extensions.
    if (ehlo.code === 500 || ehlo.code === 502) {
      throw this.notSupported(`EHLO not recognised: ${describe(ehlo)}`)
    }
    if (ehlo.code !== 250) throw this.failure(`EHLO refused: ${describe(ehlo)}`)
    // RFC 5321 §4.1.1.1: the first line is the server's name; each later one is a keyword.
    const keywords = ehlo.lines.slice(1).map((l) => l.trim().split(/\s+/)[0]?.toUpperCase())
    if (!keywords.includes('STARTTLS')) throw this.notSupported('STARTTLS not offered in EHLO')

    this.stage = 'starttls'
    socket.write('STARTTLS\r\n')
    const go = await this.reply(reader, timeouts.stepMs)
    // RFC 3207 §4: 220 means go ahead; 454 (TLS not available) or any other code is a refusal.
    if (go.code !== 220) throw this.notSupported(`STARTTLS refused: ${describe(go)}`)
    reader.detach()
    // RFC 3207 §4.2: nothing from before TLS may carry over; bytes sent ahead of the handshake
    // are an injection attempt (or a confused server), not something to interpret.
    if (reader.unread > 0) throw this.failure('data sent after the STARTTLS reply')

    this.stage = 'tls'
    const tls = await this.step<TLSSocket>(timeouts.stepMs, 'tls', (resolve, reject) => {
      const t = tlsConnect({
        socket,
        servername: opts.mxHost,
        // RFC 8461 §4.2 / RFC 8996: nothing older than TLS 1.2.
        minVersion: 'TLSv1.2',
        ca: opts.ca,
        // Verified below, so an untrusted chain is classified rather than just refused.
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
      })
      this.tls = t
      t.once('secureConnect', () => resolve(t))
      t.once('error', (e) => reject(this.failure(errorText(e))))
      t.once('close', () => reject(this.failure('connection closed during the TLS handshake')))
    })
    tls.on('error', () => undefined)

    this.stage = 'verify'
    const verdict = judgePeerCertificate(tls, opts.mxHost, opts.now)
    if (!verdict.ok) throw new ProbeFailure(verdict.resultType, 'verify', verdict.detail)
    return {
      ok: true,
      tlsVersion: tls.getProtocol() ?? 'unknown',
      cipher: tls.getCipher()?.name ?? 'unknown',
      certificate: verdict.certificate,
    }
  }

  /** Says goodbye where the session is still in a sane state, then lets go of everything. */
  close(): void {
    clearTimeout(this.deadline)
    const last = this.tls ?? this.socket
    if (last === null || last.destroyed) return
    // RFC 5321 §4.1.1.10: QUIT; the 221 is not awaited, nothing depends on it.
    last.end('QUIT\r\n', () => last.destroy())
    setTimeout(() => last.destroy(), 1_000).unref()
  }

  private reply(reader: ReplyReader, ms: number): Promise<SmtpReply> {
    return this.step(ms, this.stage, (resolve, reject) => {
      reader.read().then(resolve, (e: unknown) => {
        reject(this.failure(e instanceof ReplyError ? e.detail : 'unreadable reply'))
      })
    })
  }

  /** Runs one step against its own timeout and the overall deadline. */
  private async step<T>(
    ms: number,
    stage: ProbeStage,
    start: (resolve: (v: T) => void, reject: (e: ProbeFailure) => void) => void,
  ): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.failure(`no answer within ${ms} ms`)), ms)
    })
    try {
      return await Promise.race([new Promise<T>(start), timedOut, this.expired])
    } catch (error) {
      // A step that failed leaves the connection in no state worth a QUIT.
      this.tls?.destroy()
      this.socket?.destroy()
      throw error instanceof ProbeFailure
        ? error
        : new ProbeFailure('validation-failure', stage, 'internal error')
    } finally {
      clearTimeout(timer)
    }
  }

  private failure(detail: string): ProbeFailure {
    return new ProbeFailure('validation-failure', this.stage, detail)
  }

  private notSupported(detail: string): ProbeFailure {
    return new ProbeFailure('starttls-not-supported', this.stage, detail)
  }
}

function describe(reply: SmtpReply): string {
  return safeText(`${reply.code} ${reply.lines[0] ?? ''}`)
}

function errorText(error: Error): string {
  const code = (error as { code?: string }).code
  return safeText(code === undefined ? error.message : code)
}
