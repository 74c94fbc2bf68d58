/**
 * Debian's unbound as the recursive resolver of the e2e namespace, on its own loopback address
 * (default 127.0.0.53) port 53. It knows no root: `stub-zone`s send each test TLD to knot, and
 * from there it iterates as on the internet — it follows knot's referrals (NS + glue) into
 * delegated zones and chases CNAMEs across zones, which knot alone (authoritative) never does.
 *
 * By default nothing is cached (`cache: false`): tests change records and must see the change
 * at once, whatever the TTL. With `cache: true` answers live for their TTL, like a production
 * resolver, and `flush()` forgets them through unbound-control.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { run, runOk, startProcess, tcpOpen } from './processes.js'

export interface StubZone {
  /** The zone unbound sends to `addresses` instead of asking a root, e.g. `test`. */
  zone: string
  /** Authoritative servers for it: `ip` or `ip@port`. */
  addresses: string[]
}

export interface UnboundOptions {
  /** Listen address, port 53; default 127.0.0.53. It also sends its queries from there. */
  listen?: string
  stubs: StubZone[]
  /** Keep answers for their TTL (flush to forget); default false: every query iterates. */
  cache?: boolean
  /** unbound's log verbosity: 1 operational, 2 detail, 3 a line per query step. */
  verbosity?: number
}

export interface DigAnswer {
  /** NOERROR, NXDOMAIN, SERVFAIL, REFUSED... */
  rcode: string
  /** Answer-section records as kdig prints them (`name ttl IN type rdata`). */
  answer: string[]
}

export interface Unbound {
  address: string
  /** `kdig +short` through the resolver. */
  dig(name: string, type: string): Promise<string[]>
  /** The response code and answer section through the resolver (NXDOMAIN vs NODATA...). */
  query(name: string, type: string): Promise<DigAnswer>
  /**
   * Forgets cached data at and below `name` (default: everything), every cached negative answer
   * (unbound-control has no per-name form for those) and what it knows of the servers.
   */
  flush(name?: string): Promise<void>
  logs(): string
  stop(): Promise<void>
}

/** kdig's wait per try: a loopback answer takes milliseconds; iteration a few round trips. */
const DIG_TIMEOUT_S = 3
/** Time unbound gets to answer its first query after start. */
const START_TIMEOUT_MS = 15_000

/** kdig args for one query to `server`. */
const kdigArgs = (server: string, name: string, type: string, ...flags: string[]) => [
  `@${server}`,
  '-p',
  '53',
  `+timeout=${DIG_TIMEOUT_S}`,
  '+retry=0',
  ...flags,
  name,
  type,
]

function unboundConf(workDir: string, listen: string, o: UnboundOptions): string {
  const stubs = o.stubs.flatMap((s) => [
    'stub-zone:',
    `  name: "${s.zone}"`,
    ...s.addresses.map((a) => `  stub-addr: ${a}`),
  ])
  // RFC 6761 names (test., invalid., onion.) are unbound local zones answering NXDOMAIN by
  // default: turn that off for each stub zone and its TLD so the stubs are asked.
  const unblocked = new Set(o.stubs.flatMap((s) => [s.zone, s.zone.split('.').pop() ?? s.zone]))
  const noCache = o.cache
    ? []
    : [
        // Nothing outlives the query that fetched it: a changed record is seen at once.
        '  cache-max-ttl: 0',
        '  cache-max-negative-ttl: 0',
      ]
  return [
    'server:',
    `  verbosity: ${o.verbosity ?? 1}`,
    '  use-syslog: no',
    '  logfile: ""',
    '  log-servfail: yes',
    `  directory: "${workDir}"`,
    '  chroot: ""',
    '  username: ""',
    `  pidfile: "${join(workDir, 'unbound.pid')}"`,
    '  num-threads: 1',
    `  interface: ${listen}`,
    '  port: 53',
    `  outgoing-interface: ${listen}`,
    '  do-ip6: no',
    '  access-control: 127.0.0.0/8 allow',
    // The authoritative servers live on loopback addresses, which unbound skips by default.
    '  do-not-query-localhost: no',
    // No DNSSEC: the test zones are unsigned and there is no root to anchor trust in.
    '  module-config: "iterator"',
    // Servers restart during tests: forget timeouts and lameness within a second.
    '  infra-host-ttl: 1',
    '  infra-keep-probing: yes',
    ...noCache,
    ...[...unblocked].map((z) => `  local-zone: "${z}." nodefault`),
    'remote-control:',
    '  control-enable: yes',
    `  control-interface: "${join(workDir, 'control.sock')}"`,
    '  control-use-cert: no',
    ...stubs,
    '',
  ].join('\n')
}

/** Starts unbound in the foreground; resolves once it answers queries on `listen`. */
export async function startUnbound(workDir: string, options: UnboundOptions): Promise<Unbound> {
  mkdirSync(workDir, { recursive: true })
  const address = options.listen ?? '127.0.0.53'
  const confPath = join(workDir, 'unbound.conf')
  writeFileSync(confPath, unboundConf(workDir, address, options))
  await runOk('unbound-checkconf', [confPath])
  const process = startProcess(`unbound@${address}`, 'unbound', ['-d', '-c', confPath])
  // kdig waits out its timeout when nothing listens (it ignores ICMP unreachable): poll TCP 53,
  // which is refused at once, then ask `localhost.`, one of unbound's own local zones.
  const answers = async () =>
    (await tcpOpen(address, 53)) &&
    (await run('kdig', kdigArgs(address, 'localhost.', 'A', '+short'))).stdout.trim() ===
      '127.0.0.1'
  try {
    await process.waitFor(`answers on ${address}`, answers, START_TIMEOUT_MS)
  } catch (error) {
    await process.stop()
    throw error
  }
  const control = (...args: string[]) => runOk('unbound-control', ['-c', confPath, ...args])
  return {
    address,
    async dig(name, type) {
      const out = await runOk('kdig', kdigArgs(address, name, type, '+short'))
      return out.split('\n').filter((line) => line !== '')
    },
    async query(name, type) {
      const out = await runOk('kdig', kdigArgs(address, name, type))
      const rcode = /status: (\w+)/.exec(out)?.[1] ?? 'NONE'
      const section = /;; ANSWER SECTION:\n([^]*?)(?:\n\n|$)/.exec(out)?.[1] ?? ''
      const answer = section.split('\n').filter((l) => l !== '' && !l.startsWith(';'))
      return { rcode, answer: answer.map((l) => l.replace(/\s+/g, ' ').trim()) }
    },
    async flush(name) {
      await control('flush_zone', name ?? '.')
      await control('flush_negative')
      await control('flush_infra', 'all')
    },
    logs: () => process.logs(),
    stop: () => process.stop(),
  }
}
