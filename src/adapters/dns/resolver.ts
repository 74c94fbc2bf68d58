/**
 * adapters/dns: the DNS questions the certificate preflight asks, through node:dns. Servers
 * default to the system's (/etc/resolv.conf); DNS_SERVERS overrides them.
 */
import { Resolver } from 'node:dns/promises'
import { canonicalHost } from '../../core/canonical-host.js'
import type { DnsResolver } from '../../core/certs/types.js'

const NO_ANSWER = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN', 'ENONAME'])

async function orEmpty<T>(q: Promise<T[]>): Promise<T[]> {
  try {
    return await q
  } catch (err) {
    if (NO_ANSWER.has((err as NodeJS.ErrnoException).code ?? '')) return []
    throw err
  }
}

const clean = (names: string[]) => names.map(canonicalHost)

/** A resolver with a per-query timeout; `servers` as `ip` or `ip:port`. */
export function dnsResolver(servers: string[] = [], timeoutMs = 3_000): DnsResolver {
  const r = new Resolver({ timeout: timeoutMs, tries: 2 })
  if (servers.length > 0) r.setServers(servers)
  return {
    cname: async (name) => clean(await orEmpty(r.resolveCname(name))),
    // RFC 7208 §3.3 / RFC 7489 §6.6.3: a record's strings are joined without spaces.
    txt: async (name) =>
      await orEmpty(r.resolveTxt(name).then((rs) => rs.map((parts) => parts.join('')))),
    async mx(name) {
      const records = await orEmpty(r.resolveMx(name))
      return records
        .map((m) => ({ preference: m.priority, exchange: canonicalHost(m.exchange) }))
        .sort((a, b) => a.preference - b.preference)
    },
    async addresses(name) {
      const [v4, v6] = await Promise.all([orEmpty(r.resolve4(name)), orEmpty(r.resolve6(name))])
      return [...v4, ...v6]
    },
  }
}
