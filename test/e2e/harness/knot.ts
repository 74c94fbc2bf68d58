/**
 * Knot DNS on 127.0.0.1:53 (inside the e2e network namespace): one zone file per zone, no
 * DNSSEC, no journal. Every change bumps the SOA serial and waits until knot serves it.
 * Knot answers REFUSED outside its zones, so create a zone for every domain a client queries.
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

/** TTL for every record: short, as tests change records while clients run. */
const DEFAULT_TTL = 60
/** RFC 1035 §3.3.14: one TXT character-string holds at most 255 octets. */
const TXT_CHUNK = 255

const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`)

function rdata(record: DnsRecord): string {
  const type = record.type.toUpperCase()
  if (type === 'TXT' && !record.value.startsWith('"')) {
    const chunks = record.value.match(new RegExp(`[^]{1,${TXT_CHUNK}}`, 'g')) ?? ['']
    return chunks.map((c) => `"${c.replace(/[\\"]/g, (m) => `\\${m}`)}"`).join(' ')
  }
  if (type === 'CNAME' || type === 'NS') return fqdn(record.value)
  return record.value
}

interface ZoneState {
  serial: number
  body: string
}

export class Knot {
  private readonly zones = new Map<string, ZoneState>()
  private serial = 1
  private readonly confPath: string
  private readonly zoneDir: string

  constructor(
    private readonly workDir: string,
    private readonly process: Managed,
  ) {
    this.confPath = join(workDir, 'knot.conf')
    this.zoneDir = join(workDir, 'zones')
  }

  /** Replaces the zone's content with SOA + NS + `records`. */
  async setZone(origin: string, records: DnsRecord[]): Promise<void> {
    const apex = fqdn(origin.toLowerCase())
    const lines = records.map((r) => {
      const name = r.name === '@' ? apex : fqdn(r.name)
      return `${name} ${r.ttl ?? DEFAULT_TTL} IN ${r.type.toUpperCase()} ${rdata(r)}`
    })
    await this.write(apex, lines.join('\n'))
  }

  /** Appends a raw BIND fragment (absolute names, e.g. our DNS plan output) to the zone. */
  async setZoneText(origin: string, bindFragment: string): Promise<void> {
    const apex = fqdn(origin.toLowerCase())
    const body = this.zones.get(apex)?.body ?? ''
    await this.write(apex, `${body}\n${bindFragment}`)
  }

  /** Removes the zone: knot then answers REFUSED for it. */
  async removeZone(origin: string): Promise<void> {
    if (this.zones.delete(fqdn(origin.toLowerCase()))) await this.reconfigure()
  }

  /** `kdig +short` answers for name/type, for checks that go through a second DNS client. */
  async dig(name: string, type: string): Promise<string[]> {
    const out = await runOk('kdig', ['@127.0.0.1', '-p', '53', '+short', '+timeout=2', name, type])
    return out.split('\n').filter((line) => line !== '')
  }

  logs(): string {
    return this.process.logs()
  }

  async stop(): Promise<void> {
    await this.process.stop()
  }

  private async write(apex: string, body: string): Promise<void> {
    const isNew = !this.zones.has(apex)
    const serial = this.serial++
    this.zones.set(apex, { serial, body })
    const soa = `${apex} ${DEFAULT_TTL} IN SOA localhost. hostmaster.${apex} ${serial} 60 60 3600 60`
    const text = `$TTL ${DEFAULT_TTL}\n${soa}\n${apex} ${DEFAULT_TTL} IN NS localhost.\n${body}\n`
    writeFileSync(join(this.zoneDir, `${apex}zone`), text)
    const mark = this.process.mark()
    if (isNew) await this.reconfigure()
    else await this.knotc('zone-reload', apex)
    // A zone that fails to load (e.g. CNAME beside other data) is logged as `error: [apex] ...`.
    let errors: string[] = []
    await this.process.waitFor(`zone ${apex} serial ${serial}`, async () => {
      errors = this.process.linesSince(mark).filter((l) => l.includes(`error: [${apex}]`))
      return errors.length > 0 || (await soaSerial(apex)) === serial
    })
    if (errors.length > 0) throw new Error(`knot rejected zone ${apex}:\n${errors.join('\n')}`)
  }

  /** Rewrites knot.conf with the current zone list and makes knotd reload it. */
  async reconfigure(): Promise<void> {
    writeFileSync(this.confPath, knotConf(this.workDir, this.zoneDir, [...this.zones.keys()]))
    if (this.process.running) await this.knotc('reload')
  }

  private async knotc(...args: string[]): Promise<void> {
    await runOk('knotc', ['-c', this.confPath, '-t', '10', ...args])
  }
}

async function soaSerial(apex: string): Promise<number | undefined> {
  // A fresh resolver per poll: c-ares must not answer from a cached SOA.
  const resolver = new Resolver({ timeout: 500, tries: 1 })
  resolver.setServers(['127.0.0.1'])
  return (await resolver.resolveSoa(apex)).serial
}

function knotConf(workDir: string, zoneDir: string, zones: string[]): string {
  return [
    'server:',
    `  rundir: "${join(workDir, 'run')}"`,
    '  listen: 127.0.0.1@53',
    'log:',
    '  - target: stderr',
    '    any: info',
    'database:',
    `  storage: "${join(workDir, 'db')}"`,
    'template:',
    '  - id: default',
    `    storage: "${zoneDir}"`,
    '    file: "%s.zone"',
    '    zonefile-sync: -1',
    '    zonefile-load: whole',
    '    journal-content: none',
    ...(zones.length > 0 ? ['zone:', ...zones.map((z) => `  - domain: "${z}"`)] : []),
    '',
  ].join('\n')
}

/** Starts knotd in the foreground with no zones; resolves once it answers on its control socket. */
export async function startKnot(workDir: string): Promise<Knot> {
  for (const dir of ['run', 'db', 'zones']) mkdirSync(join(workDir, dir), { recursive: true })
  const confPath = join(workDir, 'knot.conf')
  writeFileSync(confPath, knotConf(workDir, join(workDir, 'zones'), []))
  const process = startProcess('knotd', 'knotd', ['-c', confPath])
  const knot = new Knot(workDir, process)
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
