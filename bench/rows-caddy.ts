/** bench: the table rows of setup S against caddy, with the target from issue 15 (a). */
import type { Ctx } from './ctx.js'
import { f0, f2, f3 } from './report.js'
import type { Run } from './wrk.js'

export interface CaddyFigures {
  oursKa: Run
  nginxKa: Run
  caddyKa: Run
  oursHs: Run
  nginxHs: Run
  caddyHs: Run
  /** The bare node:https server (floor-server.ts) in the same interleaved handshake rounds. */
  floorHs: Run
}

export function caddyRows(ctx: Ctx, f: CaddyFigures): void {
  const t = ctx.table
  const S = 'S+caddy: 10 domains'
  const { oursKa: ka, caddyKa: cka, nginxKa: nka, oursHs: hs, caddyHs: chs, nginxHs: nhs } = f
  const fhs = f.floorHs
  // The caddy-to-nginx ratio places both references on one scale (1 = nginx).
  const vsNginx = (c: number, n: number, what: string) =>
    `caddy; nginx ${what}, caddy = ${f2(c / n)}x nginx`
  t.add({
    n: '1g',
    figure: 'keep-alive HTTPS requests/s vs caddy',
    setup: S,
    ours: f0(ka.rps),
    ref: `${f0(cka.rps)} ${vsNginx(cka.rps, nka.rps, f0(nka.rps))}`,
    ratio: ka.rps / cka.rps,
    from: [ka, cka, nka],
  })
  t.add({
    n: '1h',
    figure: 'keep-alive server CPU ms per request vs caddy',
    setup: S,
    ours: f3(ka.cpuPerReqMs),
    ref: `${f3(cka.cpuPerReqMs)} ${vsNginx(cka.cpuPerReqMs, nka.cpuPerReqMs, f3(nka.cpuPerReqMs))}`,
    ratio: ka.cpuPerReqMs / cka.cpuPerReqMs,
    target: "CPU/request <= caddy's",
    ok: ka.cpuPerReqMs <= cka.cpuPerReqMs,
    from: [ka, cka, nka],
  })
  t.add({
    n: '2h',
    figure: 'full TLS handshakes/s, one request each, vs caddy',
    setup: `${S}; tlsload`,
    ours: f0(hs.rps),
    ref: `${f0(chs.rps)} ${vsNginx(chs.rps, nhs.rps, f0(nhs.rps))}`,
    ratio: hs.rps / chs.rps,
    from: [hs, chs, nhs],
  })
  t.add({
    n: '2i',
    figure: 'server CPU ms per full handshake vs caddy',
    setup: `${S}; tlsload`,
    ours: f3(hs.cpuPerReqMs),
    ref: `${f3(chs.cpuPerReqMs)} ${vsNginx(chs.cpuPerReqMs, nhs.cpuPerReqMs, f3(nhs.cpuPerReqMs))}`,
    ratio: hs.cpuPerReqMs / chs.cpuPerReqMs,
    target: "CPU/request <= caddy's",
    ok: hs.cpuPerReqMs <= chs.cpuPerReqMs,
    from: [hs, chs, nhs],
  })
  // Where 2i's gap lies: in Node's own TLS stack (this row) or in our code on top of it.
  t.add({
    n: '2j',
    figure: 'Node floor (bare node:https, one certificate) CPU ms per full handshake vs caddy',
    setup: `${S}; tlsload`,
    ours: f3(fhs.cpuPerReqMs),
    ref: `${f3(chs.cpuPerReqMs)} caddy; ours = ${f2(hs.cpuPerReqMs / fhs.cpuPerReqMs)}x the floor`,
    ratio: fhs.cpuPerReqMs / chs.cpuPerReqMs,
    from: [fhs, chs, hs],
  })
}
