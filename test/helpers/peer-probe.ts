/**
 * Run by admin-peer.test.ts inside a network namespace of its own (`unshare -n`): brings up the
 * namespace's loopback, adds a non-loopback address (TEST-NET-2, RFC 5737) to it, starts the real
 * server bound to 0.0.0.0 and asks the plain-HTTP admin API from that address and from 127.0.0.1
 * with several Host headers. Prints one JSON line with what it saw and exits.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { request } from 'node:http'
import { ADMIN_TOKEN, startServer } from './test-server.js'

export const REMOTE = '198.51.100.10'
export const REMOTE_HOSTS = ['localhost', 'LOCALHOST', 'localhost.', 'localhost:99', '127.0.0.1']

function get(from: string, to: string, port: number, host: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: to,
        port,
        localAddress: from,
        path: '/api/v1/tenants',
        headers: { host, authorization: `Bearer ${ADMIN_TOKEN}` },
        agent: false,
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

// iproute2's `ip`, also where root's PATH lacks the sbin directories.
const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find(existsSync) ?? 'ip'
execFileSync(IP, ['link', 'set', 'lo', 'up'])
execFileSync(IP, ['addr', 'add', `${REMOTE}/32`, 'dev', 'lo'])
const s = await startServer({ env: { BIND_ADDRESS: '0.0.0.0', LOG_LEVEL: 'info' } })
try {
  const remote: Record<string, { status: number; body: string }> = {}
  for (const host of REMOTE_HOSTS) remote[host] = await get(REMOTE, REMOTE, s.port, host)
  const local = await get('127.0.0.1', '127.0.0.1', s.port, 'localhost')
  const peers = s.logged('request').map((l) => l.peer ?? null)
  process.stdout.write(JSON.stringify({ remote, local, peers }) + '\n')
} finally {
  await s.close()
}
