/**
 * bench: the full-handshake load generator (a child process pinned to the load core). `conns`
 * loops each open a new TLS connection to 127.0.0.1 with SNI = Host = a hostname picked at
 * random per connection, send one GET with `Connection: close`, read the response to the end,
 * and start over. No session is ever offered, so every handshake is a full one (as MTA-STS
 * fetchers do); a resumption would be counted. Prints one `BENCHJSON {...}` line.
 *
 *   node --import tsx bench/tlsload.ts '{"port":8443,"sni":"h","hosts":1,"conns":50,"ms":10000}'
 */
import { connect } from 'node:tls'

interface Cfg {
  port: number
  sni: string
  hosts: number
  conns: number
  ms: number
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as Cfg
const pick = () =>
  cfg.hosts > 1 ? `mta-sts.bench${1 + Math.floor(Math.random() * cfg.hosts)}.example` : cfg.sni

let requests = 0
let errors = 0
let resumed = 0
const lat: number[] = []

function once(): Promise<void> {
  const host = pick()
  const t0 = performance.now()
  return new Promise((resolve) => {
    let head = ''
    let failed = false
    const s = connect({
      host: '127.0.0.1',
      port: cfg.port,
      servername: host,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    })
    s.setTimeout(5000, () => s.destroy(new Error('timeout')))
    s.once('secureConnect', () => {
      if (s.isSessionReused()) resumed++
      s.write(`GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)
    })
    s.on('data', (d: Buffer) => {
      if (head.length < 12) head += d.toString('latin1', 0, 12)
    })
    s.once('error', () => (failed = true))
    s.once('close', () => {
      if (failed || !head.startsWith('HTTP/1.1 200')) errors++
      else {
        requests++
        lat.push(performance.now() - t0)
      }
      resolve()
    })
  })
}

async function main(): Promise<void> {
  const started = performance.now()
  const end = started + cfg.ms
  await Promise.all(
    Array.from({ length: cfg.conns }, async () => {
      while (performance.now() < end) await once()
    }),
  )
  const ms = performance.now() - started
  lat.sort((a, b) => a - b)
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? 0
  const out = { requests, errors, resumed, ms, p50: pct(50), p99: pct(99) }
  process.stdout.write(`BENCHJSON ${JSON.stringify(out)}\n`)
}

void main()
