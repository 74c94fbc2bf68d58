/**
 * bench: the Node floor. A bare node:https server (no framework, no SNI callback, one static
 * certificate, no logging) answering the policy path with the same bytes and headers as ours:
 * what this Node/OpenSSL does at best, so the gap to nginx can be split into "Node's TLS and
 * HTTP stack" and "our code". Prints READY once listening.
 *
 *   node --import tsx bench/floor-server.ts '{"port":1,"chainPem":"…","keyPem":"…","policyText":"…","cacheSeconds":60}'
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:https'

interface Cfg {
  port: number
  chainPem: string
  keyPem: string
  policyText: string
  cacheSeconds: number
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as Cfg
const body = Buffer.from(cfg.policyText)
const headers = {
  'content-type': 'text/plain; charset=utf-8',
  'content-length': String(body.byteLength),
  'cache-control': `max-age=${cfg.cacheSeconds}`,
  'x-content-type-options': 'nosniff',
}
const server = createServer(
  { cert: readFileSync(cfg.chainPem), key: readFileSync(cfg.keyPem), minVersion: 'TLSv1.2' },
  (req, res) => {
    if (req.url === '/.well-known/mta-sts.txt') {
      res.writeHead(200, headers)
      res.end(body)
    } else {
      res.writeHead(404)
      res.end()
    }
  },
)
server.listen(cfg.port, '127.0.0.1', () => process.stdout.write('READY\n'))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
