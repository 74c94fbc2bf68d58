/** bench: the table rows of the small setup against nginx, with the targets from issue 6. */
import type { Bulk } from './admin.js'
import type { Ctx } from './ctx.js'
import { f0, f1, f2, f3 } from './report.js'
import type { Run } from './wrk.js'

export interface SmallFigures {
  oursKa: Run
  nginxKa: Run
  /** Bare node:https with one static certificate (floor-server.ts). */
  floorKa: Run
  floorHs: Run
  oursHalf: Run
  nginxHalf: Run
  oursHs: Run
  nginxHs: Run
  oursClose: Run
  nginxClose: Run
  oursWrite: Run
  /** Keep-alive runs alternating with the writer runs (same process state). */
  oursWriteBase: Run
  writes: number
  info: Run
  logBytes: number
  resumeOurs: string
  resumeNginx: string
  bulk: Bulk
  certsIssued: number
  /** Certificates issued 15 s after the last API call. */
  certsLater: number
}

export const lat = (r: Run) => `${f2(r.p50ms)} / ${f2(r.p99ms)}`
/** Server user + sys ms per request, and read + write system calls per request. */
export const cost = (r: Run) => {
  const per = (s: number) => f3((1000 * s) / Math.max(1, r.requests))
  return `${per(r.userS)} + ${per(r.sysS)}; ${f1(r.readsPerReq)} + ${f1(r.writesPerReq)}`
}

export function smallRows(ctx: Ctx, f: SmallFigures): void {
  const t = ctx.table
  const S = 'S: 10 domains'
  const { oursKa: ka, nginxKa: nka, oursHs: hs, nginxHs: nhs } = f
  t.add({
    n: '1a',
    figure: 'keep-alive HTTPS requests/s',
    setup: S,
    ours: f0(ka.rps),
    ref: f0(nka.rps),
    ratio: ka.rps / nka.rps,
    target: '>= 0.5x nginx',
    ok: ka.rps >= 0.5 * nka.rps,
    from: [ka, nka],
  })
  t.add({
    n: '1b',
    figure: 'keep-alive p50 / p99 ms',
    setup: S,
    ours: lat(ka),
    ref: lat(nka),
    from: [ka, nka],
  })
  t.add({
    n: '1c',
    figure: 'keep-alive server CPU ms per request',
    setup: S,
    ours: f3(ka.cpuPerReqMs),
    ref: f3(nka.cpuPerReqMs),
    ratio: ka.cpuPerReqMs / nka.cpuPerReqMs,
    from: [ka, nka],
  })
  t.add({
    n: '1e',
    figure: 'keep-alive user + sys ms/req; read + write syscalls/req',
    setup: S,
    ours: cost(ka),
    ref: cost(nka),
    from: [ka, nka],
  })
  t.add({
    n: '1f',
    figure: 'keep-alive req/s vs bare node:https (Node floor, same bytes)',
    setup: S,
    ours: f0(ka.rps),
    ref: `${f0(f.floorKa.rps)} floor; floor = ${f2(f.floorKa.rps / nka.rps)}x nginx`,
    ratio: ka.rps / f.floorKa.rps,
    from: [ka, f.floorKa],
  })
  t.add({
    n: '1d',
    figure: `p99 ms at half our peak (paced; ours ${f0(f.oursHalf.rps)}/s, nginx ${f0(f.nginxHalf.rps)}/s)`,
    setup: S,
    ours: f2(f.oursHalf.p99ms),
    ref: f2(f.nginxHalf.p99ms),
    ratio: f.oursHalf.p99ms / f.nginxHalf.p99ms,
    target: '<= 5 ms',
    ok: f.oursHalf.p99ms <= 5,
    from: [f.oursHalf, f.nginxHalf],
  })
  t.add({
    n: '2a',
    figure: 'full TLS handshakes/s, one request each',
    setup: `${S}; tlsload`,
    ours: f0(hs.rps),
    ref: f0(nhs.rps),
    ratio: hs.rps / nhs.rps,
    from: [hs, nhs],
  })
  t.add({
    n: '2b',
    figure: 'server CPU ms per full handshake',
    setup: `${S}; tlsload`,
    ours: f3(hs.cpuPerReqMs),
    ref: f3(nhs.cpuPerReqMs),
    ratio: hs.cpuPerReqMs / nhs.cpuPerReqMs,
    target: '<= 1.5x nginx',
    ok: hs.cpuPerReqMs <= 1.5 * nhs.cpuPerReqMs,
    from: [hs, nhs],
  })
  t.add({
    n: '2c',
    figure: 'full handshake p50 / p99 ms',
    setup: `${S}; tlsload`,
    ours: lat(hs),
    ref: lat(nhs),
    from: [hs, nhs],
  })
  t.add({
    n: '2f',
    figure: 'handshake user + sys ms/req; read + write syscalls/req',
    setup: `${S}; tlsload`,
    ours: cost(hs),
    ref: cost(nhs),
    from: [hs, nhs],
  })
  t.add({
    n: '2g',
    figure: 'server CPU ms per full handshake vs bare node:https (Node floor)',
    setup: `${S}; tlsload`,
    ours: f3(hs.cpuPerReqMs),
    ref: `${f3(f.floorHs.cpuPerReqMs)} floor; floor = ${f2(f.floorHs.cpuPerReqMs / nhs.cpuPerReqMs)}x nginx`,
    ratio: hs.cpuPerReqMs / f.floorHs.cpuPerReqMs,
    from: [hs, f.floorHs],
  })
  t.add({
    n: '2d',
    figure: 'resumes an offered session? / resumptions in 2a',
    setup: `${S}; s_client-style probe`,
    ours: `${f.resumeOurs} / ${hs.resumed}`,
    ref: `${f.resumeNginx} / ${nhs.resumed}`,
    from: [hs, nhs],
  })
  t.add({
    n: '2e',
    figure: 'wrk Connection: close req/s (server CPU ms/req)',
    setup: `${S}; wrk, 1 run`,
    ours: `${f0(f.oursClose.rps)} (${f3(f.oursClose.cpuPerReqMs)})`,
    ref: `${f0(f.nginxClose.rps)} (${f3(f.nginxClose.cpuPerReqMs)})`,
    ratio: f.oursClose.cpuPerReqMs / f.nginxClose.cpuPerReqMs,
    from: [f.oursClose, f.nginxClose],
  })
  t.add({
    n: '6a',
    figure: `keep-alive req/s while the API writes (${f0(f.writes)} writes/run) vs not`,
    setup: S,
    ours: f0(f.oursWrite.rps),
    ref: `${f0(f.oursWriteBase.rps)} ours, alternating runs`,
    ratio: f.oursWrite.rps / f.oursWriteBase.rps,
    target: '>= 0.9x',
    ok: f.oursWrite.rps >= 0.9 * f.oursWriteBase.rps,
    from: [f.oursWrite, f.oursWriteBase],
  })
  t.add({
    n: '7',
    figure: `keep-alive req/s at LOG_LEVEL=info (${f0(f.logBytes)} log bytes/req) vs warn`,
    setup: `${S}; 1 run`,
    ours: f0(f.info.rps),
    ref: `${f0(ka.rps)} ours`,
    ratio: f.info.rps / ka.rps,
    from: [f.info, ka],
  })
  const b = f.bulk
  t.add({
    n: '5a',
    figure: `create 10,000 domains + policies via API (${f0((1000 * b.done) / b.ms)}/s)`,
    setup: 'S data; HTTP API, 16 clients',
    ours: b.finished ? `${f1(b.ms / 1000)} s` : `${b.done} in ${f0(b.ms / 1000)} s (cap)`,
    ref: `${f0(f.certsIssued)} of ${f0(10 + b.done)} certs issued by then, +${f0(f.certsLater - f.certsIssued)} in the next 15 s`,
  })
}
