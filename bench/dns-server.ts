/**
 * bench, DNS rows: our authoritative server alone, as the product runs it (startDnsServer over
 * one ZoneIndex), with the bench zone of BENCH_DOMAINS delegated domains. Bundled by dns.ts with
 * esbuild and run with plain node (no tsx loader in the measured process), pinned to the server
 * core. Prints one JSON line once it listens: ports, build time, and RSS/heap after a full GC
 * before and after the zone was built; on SIGUSR2, the same after a GC again.
 *
 *   node --expose-gc dns-server.mjs '{"port":0,"domains":100000}'
 */
import { startDnsServer } from '../src/adapters/dns-server/server.js'
import { IxfrJournal } from '../src/core/dns/ixfr-journal.js'
import type { Logger } from '../src/core/ports.js'
import { benchLabels, benchZone } from './dns-zone.js'

interface Cfg {
  port: number
  domains: number
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as Cfg
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})
const memory = () => {
  gc()
  gc()
  const m = process.memoryUsage()
  return { rssMb: m.rss / 2 ** 20, heapMb: m.heapUsed / 2 ** 20 }
}

// Warnings and errors only, as the bench runs the product (LOG_LEVEL=warn).
const warnings: Logger = {
  debug: () => {},
  info: () => {},
  warn: (msg, fields) => process.stderr.write(`${JSON.stringify({ msg, ...fields })}\n`),
  error: (msg, fields) => process.stderr.write(`${JSON.stringify({ msg, ...fields })}\n`),
  child: () => warnings,
  enabled: (level) => level === 'warn' || level === 'error',
}

const before = memory()
const t0 = performance.now()
const zone = benchZone(benchLabels(cfg.domains))
const buildMs = performance.now() - t0
const records = zone.all().length
const loaded = memory()
const server = await startDnsServer({
  address: '127.0.0.1',
  port: cfg.port,
  zone: () => zone,
  // The engine's journal length; empty here (no changes while the bench runs).
  journal: new IxfrJournal(64),
  transferAllow: [],
  // 0 turns response-rate limiting off: one source sends every query, as dnsperf does.
  rrl: { responsesPerSecond: 0, window: 5, slip: 2, maxEntries: 100_000 },
  log: warnings,
})
process.stdout.write(
  `${JSON.stringify({ udpPort: server.udpPort, tcpPort: server.tcpPort, buildMs, before, loaded, records })}\n`,
)
// The bench asks again after the load runs: what a full GC leaves tells growth from garbage.
process.on('SIGUSR2', () => process.stdout.write(`${JSON.stringify({ after: memory() })}\n`))
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)))
