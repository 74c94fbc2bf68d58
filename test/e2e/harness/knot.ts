/**
 * Knot DNS inside the e2e network namespace, by default on 127.0.0.1:53 (a second instance takes
 * another loopback address): one zone file per zone, no DNSSEC. Every change bumps the SOA serial
 * and waits until knot serves it. Knot answers REFUSED outside its zones, so create a zone for
 * every domain a client queries.
 *
 * Zone transfers (RFC 5936 AXFR, RFC 1995 IXFR, RFC 1996 NOTIFY): a primary zone can notify
 * secondaries and allow them to transfer; `addSecondaryZone` makes this knot a secondary of
 * another server. Knot sends its NOTIFYs, SOA refreshes and transfer requests from its own listen
 * address (`via:`), so the other side's ACL must allow that address (127.0.0.1 by default).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { Resolver } from 'node:dns/promises'
import { join } from 'node:path'
import { runOk, startProcess, type Managed } from './processes.js'

export interface DnsRecord {
  /** Absolute name, trailing dot optional; `@` is the zone apex. */
  name: string
  /** A, AAAA, CNAME, TXT, MX, CAA... */
  type: string
  /** Zone-file RDATA. TXT: plain text (quoted and split here) or already quoted. */
  value: string
  ttl?: number
}

/** A DNS server: an address and a port (53 unless given). */
export interface Endpoint {
  address: string
  port?: number
}

export interface KnotOptions {
  /** The address knotd listens on, port 53; default 127.0.0.1. */
  address?: string
}

/** How a primary zone is served; omitted on a later `setZone`, the zone keeps its options. */
export interface ZoneOptions {
  /** Targets of the apex NS records; default `localhost.`. */
  nameservers?: string[]
  /** Servers sent a NOTIFY (RFC 1996) after each change. */
  notify?: Endpoint[]
  /** Source addresses allowed to transfer the zone (AXFR, IXFR). */
  allowTransfer?: string[]
}

export interface SecondaryOptions {
  /** The primary the zone is transferred from. */
  primary: Endpoint
  /** Source addresses whose NOTIFY is accepted; default the primary's address. */
  notifyFrom?: string[]
}

/** TTL for every record: short, as tests change records while clients run. */
const DEFAULT_TTL = 60
/** RFC 1035 §3.3.14: one TXT character-string holds at most 255 octets. */
const TXT_CHUNK = 255
const DNS_PORT = 53

const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`)
const apexOf = (origin: string) => fqdn(origin.toLowerCase())
const at = (e: Endpoint) => `${e.address}@${e.port ?? DNS_PORT}`

function rdata(record: DnsRecord): string {
  const type = record.type.toUpperCase()
  if (type === 'TXT' && !record.value.startsWith('"')) {
    const chunks = record.value.match(new RegExp(`[^]{1,${TXT_CHUNK}}`, 'g')) ?? ['']
    return chunks.map((c) => `"${c.replace(/[\\"]/g, (m) => `\\${m}`)}"`).join(' ')
  }
  if (type === 'CNAME' || type === 'NS') return fqdn(record.value)
  return record.value
}

type ZoneState =
  | { kind: 'primary'; serial: number; body: string; options: ZoneOptions }
  | { kind: 'secondary'; options: SecondaryOptions }

export class Knot {
  private readonly zones = new Map<string, ZoneState>()
  private serial = 1
  private readonly confPath: string
  private readonly zoneDir: string
  /** The address knotd listens on (port 53) and sends its own queries from. */
  readonly address: string

  constructor(
    private readonly workDir: string,
    private readonly process: Managed,
    options: KnotOptions = {},
  ) {
    this.confPath = join(workDir, 'knot.conf')
    this.zoneDir = join(workDir, 'zones')
    this.address = options.address ?? '127.0.0.1'
  }

  /** Replaces the zone's content with SOA + NS + `records`. */
  async setZone(origin: string, records: DnsRecord[], options?: ZoneOptions): Promise<void> {
    const apex = apexOf(origin)
    const lines = records.map((r) => {
      const name = r.name === '@' ? apex : fqdn(r.name)
      return `${name} ${r.ttl ?? DEFAULT_TTL} IN ${r.type.toUpperCase()} ${rdata(r)}`
    })
    await this.write(apex, lines.join('\n'), options)
  }

  /** Appends a raw BIND fragment (absolute names, e.g. our DNS plan output) to the zone. */
  async setZoneText(origin: string, bindFragment: string): Promise<void> {
    const apex = apexOf(origin)
    const zone = this.zones.get(apex)
    const body = zone?.kind === 'primary' ? zone.body : ''
    await this.write(apex, `${body}\n${bindFragment}`)
  }

  /**
   * Makes this knot a secondary of `origin` (RFC 5936, RFC 1995): it accepts NOTIFY from the
   * primary, refreshes by SOA, transfers by IXFR (AXFR when the primary cannot) and keeps the
   * zone in its journal. Resolves once knotd has the new configuration; the first transfer
   * follows (see `waitForSerial`).
   */
  async addSecondaryZone(origin: string, options: SecondaryOptions): Promise<void> {
    this.zones.set(apexOf(origin), { kind: 'secondary', options })
    await this.reconfigure()
  }

  /** Asks a secondary zone to check its primary's serial now (`knotc zone-refresh`). */
  async refreshZone(origin: string): Promise<void> {
    await this.knotc('zone-refresh', apexOf(origin))
  }

  /** Removes the zone: knot then answers REFUSED for it. */
  async removeZone(origin: string): Promise<void> {
    if (this.zones.delete(apexOf(origin))) await this.reconfigure()
  }

  /** The serial knot serves for the zone; throws when it does not serve it (yet). */
  soaSerialOf(origin: string): Promise<number> {
    return soaSerial(apexOf(origin), this.address)
  }

  /** Waits until knot serves `serial` for the zone (a secondary: once it has transferred it). */
  async waitForSerial(origin: string, serial: number, timeoutMs?: number): Promise<void> {
    const apex = apexOf(origin)
    const ready = async () => (await soaSerial(apex, this.address)) === serial
    await this.process.waitFor(`zone ${apex} serial ${serial}`, ready, timeoutMs)
  }

  /** Knot's log lines about transfers of the zone (`[apex] AXFR|IXFR, incoming|outgoing, ...`). */
  transferLog(origin: string): string[] {
    const tag = `[${apexOf(origin)}] `
    return this.process
      .logs()
      .split('\n')
      .filter((l) => l.includes(tag) && /\b[AI]XFR, (incoming|outgoing)/.test(l))
  }

  /** `kdig +short` answers for name/type, for checks that go through a second DNS client. */
  async dig(name: string, type: string): Promise<string[]> {
    const server = `@${this.address}`
    const out = await runOk('kdig', [server, '-p', '53', '+short', '+timeout=2', name, type])
    return out.split('\n').filter((line) => line !== '')
  }

  logs(): string {
    return this.process.logs()
  }

  async stop(): Promise<void> {
    await this.process.stop()
  }

  private async write(apex: string, body: string, options?: ZoneOptions): Promise<void> {
    const old = this.zones.get(apex)
    if (old?.kind === 'secondary') throw new Error(`knot: ${apex} is a secondary zone`)
    const next = options ?? old?.options ?? {}
    const confChanged = old === undefined || transferConf(old.options) !== transferConf(next)
    const serial = this.serial++
    this.zones.set(apex, { kind: 'primary', serial, body, options: next })
    const soa = `${apex} ${DEFAULT_TTL} IN SOA localhost. hostmaster.${apex} ${serial} 60 60 3600 60`
    const ns = (next.nameservers ?? ['localhost.']).map(
      (n) => `${apex} ${DEFAULT_TTL} IN NS ${fqdn(n)}`,
    )
    const text = `$TTL ${DEFAULT_TTL}\n${soa}\n${ns.join('\n')}\n${body}\n`
    writeFileSync(join(this.zoneDir, `${apex}zone`), text)
    const mark = this.process.mark()
    if (confChanged) await this.reconfigure()
    if (old !== undefined) await this.knotc('zone-reload', apex)
    // A zone that fails to load (e.g. CNAME beside other data) is logged as `error: [apex] ...`;
    // so is a NOTIFY nobody answered (`zone event 'notify' failed`), which is no load error.
    const rejected = (l: string) => l.includes(`error: [${apex}]`) && !/'notify' failed/.test(l)
    let errors: string[] = []
    await this.process.waitFor(`zone ${apex} serial ${serial}`, async () => {
      errors = this.process.linesSince(mark).filter(rejected)
      return errors.length > 0 || (await soaSerial(apex, this.address)) === serial
    })
    if (errors.length > 0) throw new Error(`knot rejected zone ${apex}:\n${errors.join('\n')}`)
  }

  /** Rewrites knot.conf with the current zone list and makes knotd reload it. */
  async reconfigure(): Promise<void> {
    writeFileSync(this.confPath, knotConf(this.workDir, this.zoneDir, this.address, this.zones))
    if (this.process.running) await this.knotc('reload')
  }

  private async knotc(...args: string[]): Promise<void> {
    await runOk('knotc', ['-c', this.confPath, '-t', '10', ...args])
  }
}

/** The options that change knot.conf (not just the zone file). */
const transferConf = (o: ZoneOptions) => JSON.stringify([o.notify ?? [], o.allowTransfer ?? []])

async function soaSerial(apex: string, server: string): Promise<number> {
  // A fresh resolver per poll: c-ares must not answer from a cached SOA.
  const resolver = new Resolver({ timeout: 500, tries: 1 })
  resolver.setServers([server])
  return (await resolver.resolveSoa(apex)).serial
}

/** knot.conf ids: letters, digits and dashes (the zone name with its dots as dashes). */
const idOf = (prefix: string, apex: string, i?: number) =>
  `${prefix}-${apex.replace(/\.$/, '').replace(/[^a-z0-9-]/g, '-')}${i === undefined ? '' : `-${i}`}`

const list = (items: string[]) => `[${items.map((i) => `"${i}"`).join(', ')}]`

function knotConf(
  workDir: string,
  zoneDir: string,
  address: string,
  zones: ReadonlyMap<string, ZoneState>,
): string {
  const remotes: string[] = []
  const acls: string[] = []
  const zoneLines: string[] = []
  const remote = (id: string, e: Endpoint) =>
    remotes.push(`  - id: ${id}`, `    address: ${at(e)}`, `    via: ${address}`)
  const acl = (id: string, from: string[], action: string) =>
    acls.push(`  - id: ${id}`, `    address: ${list(from)}`, `    action: ${action}`)
  for (const [apex, zone] of zones) {
    zoneLines.push(`  - domain: "${apex}"`)
    if (zone.kind === 'secondary') {
      const from = idOf('primary', apex)
      const notifyAcl = idOf('notify-from', apex)
      remote(from, zone.options.primary)
      acl(notifyAcl, zone.options.notifyFrom ?? [zone.options.primary.address], 'notify')
      // RFC 1995: the journal keeps the transferred zone and its changes (IXFR); never the file.
      zoneLines.push(
        `    master: ${from}`,
        `    acl: ${notifyAcl}`,
        '    zonefile-load: none',
        '    journal-content: all',
      )
      continue
    }
    const { notify = [], allowTransfer = [] } = zone.options
    if (notify.length === 0 && allowTransfer.length === 0) continue
    const targets = notify.map((e, i) => {
      remote(idOf('notify', apex, i), e)
      return idOf('notify', apex, i)
    })
    if (targets.length > 0) zoneLines.push(`    notify: [${targets.join(', ')}]`)
    if (allowTransfer.length > 0) {
      acl(idOf('transfer', apex), allowTransfer, 'transfer')
      zoneLines.push(`    acl: ${idOf('transfer', apex)}`)
    }
    // A reload applies the file's difference and journals it, so IXFR can serve the change.
    zoneLines.push('    zonefile-load: difference', '    journal-content: changes')
  }
  return [
    'server:',
    `  rundir: "${join(workDir, 'run')}"`,
    `  listen: ${address}@${DNS_PORT}`,
    'log:',
    '  - target: stderr',
    '    any: info',
    'database:',
    `  storage: "${join(workDir, 'db')}"`,
    ...(remotes.length > 0 ? ['remote:', ...remotes] : []),
    ...(acls.length > 0 ? ['acl:', ...acls] : []),
    'template:',
    '  - id: default',
    `    storage: "${zoneDir}"`,
    '    file: "%s.zone"',
    '    zonefile-sync: -1',
    '    zonefile-load: whole',
    '    journal-content: none',
    ...(zoneLines.length > 0 ? ['zone:', ...zoneLines] : []),
    '',
  ].join('\n')
}

/**
 * Starts knotd in the foreground with no zones, listening on `options.address` (default
 * 127.0.0.1) port 53; resolves once it answers on its control socket.
 */
export async function startKnot(workDir: string, options: KnotOptions = {}): Promise<Knot> {
  for (const dir of ['run', 'db', 'zones']) mkdirSync(join(workDir, dir), { recursive: true })
  const confPath = join(workDir, 'knot.conf')
  const address = options.address ?? '127.0.0.1'
  writeFileSync(confPath, knotConf(workDir, join(workDir, 'zones'), address, new Map()))
  const process = startProcess(`knotd@${address}`, 'knotd', ['-c', confPath])
  const knot = new Knot(workDir, process, { address })
  try {
    await process.waitFor('knotc status', async () => {
      await runOk('knotc', ['-c', confPath, '-t', '1', 'status'], { timeoutMs: 3_000 })
      return true
    })
  } catch (error) {
    await process.stop()
    throw error
  }
  return knot
}
