/** bench: the table rows of the large setup, against the small one and nginx (issue 6 targets). */
import type { Ctx } from './ctx.js'
import { f0, f1, f2, f3 } from './report.js'
import { cost, lat, type SmallFigures } from './rows.js'
import type { Run } from './wrk.js'

export interface LargeFigures {
  n: number
  ka: Run
  hs: Run
  write: Run
  writes: number
  writeMs: number
  startMs: number
  rssStart: number
  rssIdle: number
  rssAfter: number
  idleMs: number
  cpuStart: number
}

export function largeRows(ctx: Ctx, s: SmallFigures, l: LargeFigures): void {
  const t = ctx.table
  const L = `L: ${f0(l.n)} domains, zone loaded`
  const { ka, hs } = l
  const vsNginx = (x: number, y: number) => `nginx ${f2(x / y)}x`
  t.add({
    n: '3a',
    figure: `keep-alive req/s, one random host of ${f0(l.n)}`,
    setup: L,
    ours: f0(ka.rps),
    ref: `${f0(s.oursKa.rps)} ours S; ${vsNginx(ka.rps, s.nginxKa.rps)}`,
    ratio: ka.rps / s.oursKa.rps,
    target: '>= 0.8x S',
    ok: ka.rps >= 0.8 * s.oursKa.rps,
    from: [ka, s.oursKa, s.nginxKa],
  })
  t.add({
    n: '3b',
    figure: 'keep-alive p50 / p99 ms, one random host',
    setup: L,
    ours: lat(ka),
    ref: `${lat(s.oursKa)} ours S`,
    ratio: ka.p99ms / s.oursKa.p99ms,
    target: 'p99 <= 1.2x S',
    ok: ka.p99ms <= 1.2 * s.oursKa.p99ms,
    from: [ka, s.oursKa],
  })
  t.add({
    n: '3c',
    figure: `full handshakes/s, random SNI of ${f0(l.n)}`,
    setup: `${L}; tlsload`,
    ours: f0(hs.rps),
    ref: `${f0(s.oursHs.rps)} ours S; ${vsNginx(hs.rps, s.nginxHs.rps)}`,
    ratio: hs.rps / s.oursHs.rps,
    target: '>= 0.8x S',
    ok: hs.rps >= 0.8 * s.oursHs.rps,
    from: [hs, s.oursHs, s.nginxHs],
  })
  t.add({
    n: '3d',
    figure: 'server CPU ms per full handshake, random SNI',
    setup: `${L}; tlsload`,
    ours: f3(hs.cpuPerReqMs),
    ref: `${f3(s.oursHs.cpuPerReqMs)} ours S; ${vsNginx(hs.cpuPerReqMs, s.nginxHs.cpuPerReqMs)}`,
    ratio: hs.cpuPerReqMs / s.oursHs.cpuPerReqMs,
    target: '<= 1.2x S; <= 1.5x nginx',
    ok:
      hs.cpuPerReqMs <= 1.2 * s.oursHs.cpuPerReqMs && hs.cpuPerReqMs <= 1.5 * s.nginxHs.cpuPerReqMs,
    from: [hs, s.oursHs, s.nginxHs],
  })
  t.add({
    n: '3f',
    figure: 'handshake user + sys ms/req; read + write syscalls/req',
    setup: `${L}; tlsload`,
    ours: cost(hs),
    ref: `${cost(s.oursHs)} ours S`,
    from: [hs, s.oursHs],
  })
  t.add({
    n: '3e',
    figure: 'full handshake p50 / p99 ms',
    setup: `${L}; tlsload`,
    ours: lat(hs),
    ref: `${lat(s.oursHs)} ours S`,
    from: [hs, s.oursHs],
  })
  const mb = (x: number) => `${f0(x)} MB`
  const rss = (n: string, figure: string, x: number, ref?: string) =>
    t.add({ n, figure, setup: L, ours: mb(x), ref, target: '<= 300 MB', ok: x <= 300 })
  rss('4a', 'RSS when the first policy is served', l.rssStart)
  rss(
    '4b',
    'RSS once start-up work is done',
    l.rssIdle,
    `${f1(l.idleMs / 1000)} s after 4d; ${f1(l.cpuStart)} s CPU since spawn`,
  )
  rss('4c', 'RSS after the load runs', l.rssAfter)
  t.add({
    n: '4d',
    figure: 'start-up: spawn to first policy served (HTTPS 200)',
    setup: L,
    ours: `${f2(l.startMs / 1000)} s`,
    target: '<= 3 s',
    ok: l.startMs <= 3000,
  })
  t.add({
    n: '6b',
    figure: `keep-alive req/s while the API writes (${f0(l.writes)} writes/run, ${f0(l.writeMs)} ms each) vs not`,
    setup: L,
    ours: f0(l.write.rps),
    ref: `${f0(ka.rps)} ours, alternating runs`,
    ratio: l.write.rps / ka.rps,
    target: '>= 0.9x',
    ok: l.write.rps >= 0.9 * ka.rps,
    from: [l.write, ka],
  })
}
