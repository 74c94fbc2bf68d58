/**
 * bench, setup L (100k domains, policies and certificates seeded by seed.ts): start-up time,
 * RSS, keep-alive on one host picked at random (a policy is served only when Host equals SNI,
 * issue 9, and wrk cannot vary SNI per connection), full handshakes with a random SNI per
 * connection (the SNI cache holds TLS_CONTEXT_CACHE=1,000 contexts by default, so most miss),
 * the writer, and CPU profiles of both load shapes.
 */
import { readFileSync } from 'node:fs'
import { loadConfig } from '../src/config.js'
import { apiOf, withWriter } from './admin.js'
import { interleaved, repeat, type Ctx } from './ctx.js'
import { profileDuring } from './profile.js'
import { f0, f1, median } from './report.js'
import { largeRows } from './rows-large.js'
import type { SmallFigures } from './rows.js'
import { BENCH_ZONE, domainOf, hostOf } from './seed.js'
import { freePort, startOurs, waitPolicy } from './server.js'
import { zoneLabel } from '../src/core/dns/zone-label.js'
import { createSocket } from 'node:dgram'
import dnsPacket from 'dns-packet'
import { cpuSeconds, log, rssMb, sleep, waitIdle } from './tools.js'
import { runHandshakes, runWrk, type LoadSpec } from './wrk.js'

/** The product's default SNI context cache size (the bench does not override it). */
const SNI_CACHE = loadConfig({}).TLS_CONTEXT_CACHE

export async function largeSetup(ctx: Ctx, dataDir: string, token: string, s: SmallFigures) {
  const n = ctx.domains
  const probe = hostOf(1 + Math.floor(Math.random() * n))
  log(
    `L: starting on ${f0(n)} domains, all delegated to ${BENCH_ZONE}; first policy probed: ${probe}`,
  )
  const dnsPort = await freePort()
  const ours = await startOurs({
    entry: ctx.entry,
    dataDir,
    workDir: ctx.workDir,
    token,
    label: 'large',
    env: {
      DNS_ZONE: BENCH_ZONE,
      DNS_NAMESERVERS: 'ns1.bench-provider.example',
      DNS_PORT: String(dnsPort),
      DNS_BIND_ADDRESS: '127.0.0.1',
    },
  })
  const startMs = await waitPolicy(ours, probe)
  const rssStart = rssMb(ours.pid)
  log(`L: first policy after ${f0(startMs)} ms, RSS ${f0(rssStart)} MB; waiting for start-up work`)
  const t0 = performance.now()
  ctx.profiles.push(
    ...(await profileDuring(
      ours.pid,
      ctx.workDir,
      'L start-up work after the first policy (10 s)',
      () => sleep(10_000),
    )),
  )
  const idleMs = performance.now() - t0 + (await waitIdle(ours.pid, 5, 420_000))
  const cpuStart = cpuSeconds(ours.pid)
  const rssIdle = rssMb(ours.pid)
  log(
    `L: idle ${f1(idleMs / 1000)} s later (${f1(cpuStart)} s CPU since spawn), RSS ${f0(rssIdle)} MB`,
  )
  const zoneName = `${zoneLabel(domainOf(n))}._mta-sts.${BENCH_ZONE}`
  const answer = await askTxt(dnsPort, zoneName)
  ctx.notes.push(
    `L: every domain is delegated and the zone is loaded in the server measured: ${zoneName} TXT → ${answer}.`,
  )
  log(`L: zone answers ${zoneName} TXT → ${answer}`)

  const spec = (more: Partial<LoadSpec> = {}): LoadSpec => ({
    port: ours.httpsPort,
    sni: hostOf(1),
    hosts: n,
    conns: ctx.conns,
    seconds: ctx.seconds,
    ...more,
  })
  // Host must equal SNI (else 421), and wrk fixes SNI per run: one host, picked at random.
  const keepAlive = () => runWrk(ours.pid, spec({ sni: probe, hosts: 1 }), ctx.workDir)
  const handshakes = () => runHandshakes(ours.pid, spec())
  const api = apiOf(ours.httpPort, token)
  const written: number[] = []
  const writeMs: number[] = []
  const withWrites = async () => {
    const r = await withWriter(api, n, ctx.writesPerSecond, keepAlive)
    written.push(r.writes)
    writeMs.push(r.medianMs)
    return r.run
  }
  // Interleaved, so both see the same process state (the handshake runs below churn the heap).
  log(
    `L: keep-alive on ${probe} (Host = SNI), alternating with runs while an API writer changes ${ctx.writesPerSecond} policies/s`,
  )
  const [ka, write] = await interleaved(ctx, [
    ['ours keep-alive L', keepAlive],
    ['ours keep-alive L + writer', withWrites],
  ])
  log('L: full handshakes, random SNI per connection (tlsload)')
  const rssBefore = rssMb(ours.pid)
  let handshaken = 0
  const hs = await repeat(ctx, 'ours handshakes L', ctx.reps, async () => {
    const r = await handshakes()
    handshaken += r.requests
    return r
  })
  // Expected distinct hostnames among `handshaken` uniform picks, capped by the LRU.
  const loaded = Math.min(SNI_CACHE, n * (1 - Math.pow(1 - 1 / n, handshaken)))
  const grown = rssMb(ours.pid) - rssBefore
  ctx.notes.push(
    `L: RSS grew ${f0(grown)} MB over the handshake runs, which loaded ~${f0(loaded)} distinct certificates into the SNI context cache (${f0(handshaken)} handshakes over ${f0(n)} names; LRU of ${f0(SNI_CACHE)}): ~${f0((1024 * grown) / Math.max(1, loaded))} KB per cached context.`,
  )
  const rssAfter = rssMb(ours.pid)
  log('L: CPU profiles of our server (inspector attached after the measured runs)')
  ctx.profiles.push(
    ...(await profileDuring(ours.pid, ctx.workDir, 'L full handshakes, random SNI', handshakes)),
    ...(await profileDuring(ours.pid, ctx.workDir, 'L keep-alive, one random host', keepAlive)),
    ...(await profileDuring(ours.pid, ctx.workDir, 'L keep-alive + API writer', () =>
      withWriter(api, n, ctx.writesPerSecond, keepAlive),
    )),
  )
  await ours.stop()
  const damaged = (readFileSync(ours.logPath, 'utf8').match(/cert_store_damaged/g) ?? []).length
  ctx.notes.push(
    `L: the server logged ${damaged} cert_store_damaged lines for the seeded store (0: every seeded bundle was accepted).`,
  )
  largeRows(ctx, s, {
    n,
    ka,
    hs,
    write,
    writes: median(written),
    writeMs: median(writeMs),
    startMs,
    rssStart,
    rssIdle,
    rssAfter,
    idleMs,
    cpuStart,
  })
}

/** One UDP TXT query to our zone; the answer's text, or why there is none. */
function askTxt(port: number, name: string): Promise<string> {
  const socket = createSocket('udp4')
  const query = dnsPacket.encode({ type: 'query', id: 7, questions: [{ name, type: 'TXT' }] })
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.close()
      resolve('no answer within 2 s')
    }, 2_000)
    socket.on('message', (msg) => {
      clearTimeout(timer)
      socket.close()
      const reply = dnsPacket.decode(msg)
      const txt = (reply.answers ?? []).map((a) =>
        a.type === 'TXT' ? (a.data as Buffer[]).join('') : a.type,
      )
      resolve(txt.length > 0 ? `"${txt.join('", "')}"` : `no TXT (flags ${reply.flags ?? 0})`)
    })
    socket.send(query, port, '127.0.0.1')
  })
}
