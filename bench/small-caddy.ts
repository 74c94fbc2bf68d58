/**
 * bench, setup S with caddy (issue 15 (a)): a fresh S (10 domains created through the API,
 * certificates from our local CA), then ours, nginx and caddy serving the same policy bytes
 * with the same certificate and key, each pinned to the server core, their keep-alive and
 * full-handshake series interleaved (ours, nginx, caddy, ours, …) so the ratios come from the
 * same minutes; the Node floor (floor-server.ts) joins the handshake series. Runs in the full
 * bench after setup S, and alone with BENCH_ONLY=caddy.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { addDomainWithPolicy, apiOf, createTenant, waitApi } from './admin.js'
import { startCaddy } from './caddy.js'
import { startFloor } from './floor.js'
import { interleaved, type Ctx } from './ctx.js'
import { negotiated, type Negotiated } from './negotiated.js'
import { startNginx } from './nginx.js'
import { caddyRows } from './rows-caddy.js'
import { hostOf } from './seed.js'
import { fetchPolicy, resumptionCheck, startOurs, waitPolicy } from './server.js'
import { caddyBin, log } from './tools.js'
import { runHandshakes, runWrk, type LoadSpec } from './wrk.js'

const HOST = hostOf(1)
const SMALL = 10

/** `caddy 2.6.2 (go1.19.8)` from the binary the bench runs. */
function caddyVersion(): string {
  const v = spawnSync(caddyBin(), ['version']).stdout?.toString().trim() ?? '?'
  const info = spawnSync(caddyBin(), ['build-info']).stdout?.toString() ?? ''
  const go = /^go\s+(\S+)/m.exec(info)?.[1]
  return `caddy ${v}${go ? ` (${go})` : ''}`
}

/** How a reference's handshake and response headers differ from ours, for the notes. */
function differences(name: string, ours: Negotiated, ref: Negotiated): string {
  const extra = ref.headers.filter((h) => !ours.headers.includes(h))
  const missing = ours.headers.filter((h) => !ref.headers.includes(h))
  const hdr =
    extra.length + missing.length === 0
      ? 'the same header names'
      : `headers ${[...extra.map((h) => `+${h}`), ...missing.map((h) => `-${h}`)].join(' ')}`
  const tls = ref.tls === ours.tls ? 'the same TLS parameters' : `${ref.tls} (DIFFERENT)`
  return `${name}: ${tls}, ${hdr}`
}

export async function caddySetup(ctx: Ctx, token: string): Promise<void> {
  const workDir = join(ctx.workDir, 'small-caddy')
  const opts = { entry: ctx.entry, dataDir: join(workDir, 'data'), workDir: ctx.workDir, token }
  const ours = await startOurs({ ...opts, label: 'small-caddy' })
  const api = apiOf(ours.httpPort, token)
  await waitApi(api)
  const tenantId = await createTenant(api, 'bench-caddy')
  for (let i = 1; i <= SMALL; i++) await addDomainWithPolicy(api, tenantId, i)
  for (let i = 1; i <= SMALL; i++) await waitPolicy(ours, hostOf(i), 60_000)
  const policy = (await fetchPolicy(ours.httpsPort, HOST)).body
  const current = join(workDir, 'data', 'certs', HOST, 'current')
  const same = {
    workDir,
    chainPem: join(current, 'chain.pem'),
    keyPem: join(current, 'key.pem'),
    policyText: policy,
    cacheSeconds: 60,
  }
  const nginx = await startNginx(same)
  const caddy = await startCaddy({ ...same, host: HOST })
  const bytes = async (port: number) =>
    (await fetchPolicy(port, HOST)).body === policy ? 'identical' : 'DIFFERENT'
  const [nOurs, nNginx, nCaddy] = [
    await negotiated(ours.httpsPort, HOST),
    await negotiated(nginx.port, HOST),
    await negotiated(caddy.port, HOST),
  ]
  const resumeCaddy = await resumptionCheck(caddy.port, HOST)
  log(`negotiated: ours ${nOurs.tls}, nginx ${nNginx.tls}, caddy ${nCaddy.tls}`)
  log(`resumption check: caddy ${resumeCaddy}`)
  const goCipher =
    nCaddy.tls.split(' ')[1] !== nOurs.tls.split(' ')[1]
      ? " (Go's crypto/tls picks the TLS 1.3 suite from its own order, AES-128-GCM first on CPUs with AES instructions; OpenSSL servers follow the client's order)"
      : ''
  ctx.notes.push(
    `S+caddy (rows 1g, 1h, 2h, 2i, 2j): a second S (fresh data, 10 domains via the API), ours, nginx and ${caddyVersion()} pinned to core 0; caddy from a JSON config (caddy run --adapter ''): admin off, autosave off, automatic HTTPS off, GOMAXPROCS=1, one TLS connection policy loading our certificate and key files, session tickets disabled (2d-style probe: ${resumeCaddy}; ours and the Node floor send OpenSSL's default two TLS 1.3 session tickets per full handshake, so sessions resume), HTTP/1.1 only, the policy as a static_response with the same three headers, access logs off. Policy bytes against ours (${Buffer.byteLength(policy)}): caddy ${await bytes(caddy.port)}, nginx ${await bytes(nginx.port)}.`,
    `S+caddy negotiated with a Node client like tlsload's: ours ${nOurs.tls}; ${differences('nginx', nOurs, nNginx)}; ${differences('caddy', nOurs, nCaddy)}${goCipher}.`,
  )

  const spec = (port: number): LoadSpec => ({
    port,
    sni: HOST,
    hosts: 1,
    conns: ctx.conns,
    seconds: ctx.seconds,
  })
  log('S+caddy: keep-alive')
  const [oursKa, nginxKa, caddyKa] = await interleaved(ctx, [
    ['ours keep-alive', () => runWrk(ours.pid, spec(ours.httpsPort), ctx.workDir)],
    ['nginx keep-alive', () => runWrk(nginx.pid, spec(nginx.port), ctx.workDir)],
    ['caddy keep-alive', () => runWrk(caddy.pid, spec(caddy.port), ctx.workDir)],
  ])
  log('S+caddy: full handshakes (tlsload, never offers a session)')
  // The Node floor beside them (row 2j): what node:https itself costs per handshake.
  const floor = await startFloor(same)
  const [oursHs, nginxHs, caddyHs, floorHs] = await interleaved(ctx, [
    ['ours handshakes', () => runHandshakes(ours.pid, spec(ours.httpsPort))],
    ['nginx handshakes', () => runHandshakes(nginx.pid, spec(nginx.port))],
    ['caddy handshakes', () => runHandshakes(caddy.pid, spec(caddy.port))],
    ['node floor handshakes', () => runHandshakes(floor.pid, spec(floor.port))],
  ])
  await floor.stop()
  await caddy.stop()
  await nginx.stop()
  await ours.stop()
  ctx.notes.push(
    `S+caddy resumptions during 2h (should be 0): ours ${oursHs.resumed}, nginx ${nginxHs.resumed}, caddy ${caddyHs.resumed}.`,
  )
  caddyRows(ctx, { oursKa, nginxKa, caddyKa, oursHs, nginxHs, caddyHs, floorHs })
}
