/**
 * adapters/smtp: the MxProber port over probeStartTls, with the process-wide cap on probes in
 * flight (MX_PROBE_CONCURRENCY): each probe holds a socket and up to a minute, and a check run
 * over many domains must not open hundreds of outgoing SMTP connections at once.
 */
import type { MxProber } from '../../core/checks/check-ports.js'
import { probeStartTls, type ProbeTimeouts } from './starttls-probe.js'

export interface MxProberOptions {
  /** The port probes connect to (25; tests and labs use others). */
  port: number
  /** PEM roots to trust instead of the system's. */
  ca?: string
  /** Our name in EHLO (SERVICE_HOST). */
  ehloName: string
  /** Probes in flight at once; the rest wait their turn. */
  concurrency: number
  timeouts?: Partial<ProbeTimeouts>
}

export function mxProber(opts: MxProberOptions): MxProber {
  let running = 0
  const waiting: (() => void)[] = []
  const turn = () =>
    running < opts.concurrency
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiting.push(resolve))
  return {
    async probe(mxHost, address, now) {
      await turn()
      running++
      try {
        const r = await probeStartTls({
          mxHost,
          address,
          port: opts.port,
          ehloName: opts.ehloName,
          ca: opts.ca,
          now,
          timeouts: opts.timeouts,
        })
        return r.ok
          ? { ok: true, tlsVersion: r.tlsVersion }
          : { ok: false, resultType: r.resultType, stage: r.stage, detail: r.detail }
      } catch {
        // probeStartTls rejects only for a name it will not put on the wire (an MX name with
        // characters no host name has): a sender could not use that MX either.
        return {
          ok: false,
          resultType: 'validation-failure',
          stage: 'connect',
          detail: 'not a host name',
        }
      } finally {
        running--
        waiting.shift()?.()
      }
    },
  }
}
