/**
 * The delegated zone's process side (issue 12): the zone engine subscribed to the change feed
 * after the policy snapshot, the DNS server answering from it, NOTIFY to the secondaries, and
 * the heartbeat that tells other instances this one is serving.
 */
import { hostname as machineName } from 'node:os'
import { newId } from '../adapters/crypto/secrets.js'
import { sendNotify, startDnsServer, type DnsServer } from '../adapters/dns-server/server.js'
import { zoneSettings } from '../core/dns/zone-settings.js'
import { DnsZone } from '../services/engines/dns-zone.js'
import { LIVE_WINDOW_MS } from '../services/dns/zone-sync.js'
import { bindError } from './listeners.js'
import type { Runtime } from './open.js'

/** Heartbeat and retry of waiting changes (cron with seconds). */
export const ZONE_TICK = '*/5 * * * * *'

export interface RunningZone {
  zone: DnsZone
  server: DnsServer
  stop(): Promise<void>
}

function target(entry: string): { address: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(entry) ?? /^([^:]+):(\d+)$/.exec(entry)
  return m ? { address: m[1] as string, port: Number(m[2]) } : { address: entry, port: 53 }
}

/** Loads the zone and starts its server; null when DNS_ZONE is unset. */
export async function startZone(rt: Runtime): Promise<RunningZone | null> {
  const { config, log } = rt
  if (config.DNS_ZONE === undefined) return null
  const secondaries = config.DNS_SECONDARIES.map(target)
  const address = config.DNS_BIND_ADDRESS ?? config.BIND_ADDRESS
  // A wildcard bind says nothing about the source; a specific one is what secondaries expect.
  const source = address === '0.0.0.0' || address === '::' ? undefined : address
  const zone = new DnsZone({
    settings: zoneSettings({
      zone: config.DNS_ZONE,
      nameservers: config.DNS_NAMESERVERS,
      ttl: config.DNS_TTL,
    }),
    sync: {
      deps: rt.deps,
      instanceId: `${machineName()}:${process.pid}:${newId()}`,
      liveWindowMs: LIVE_WINDOW_MS,
      serves: (host, text) => rt.snapshot.serves(host, text),
    },
    log,
    snapshotSettled: () => rt.snapshot.settled(),
    notify: async (z) => {
      if (secondaries.length === 0) return
      const results = await sendNotify({ targets: secondaries, zone: z, source, log })
      log.info('dns_notify', { serial: z.serial, acked: results.filter((r) => r.acked).length })
    },
  })
  // Subscribed first, so nothing committed while the zone loads is missed (apply waits).
  const unsubscribe = rt.changes.subscribe((c) => zone.apply(c))
  let server: DnsServer
  try {
    server = await startDnsServer({
      address,
      port: config.DNS_PORT,
      // SERVFAIL until loaded: a resolver retries elsewhere rather than caching NXDOMAIN.
      zone: () => zone.loadedZone(),
      journal: zone.journal,
      transferAllow:
        config.DNS_TRANSFER_ALLOW.length > 0
          ? config.DNS_TRANSFER_ALLOW
          : secondaries.map((s) => s.address),
      rrl: {
        responsesPerSecond: config.DNS_RRL_RESPONSES_PER_SECOND,
        window: 5,
        slip: config.DNS_RRL_SLIP,
        maxEntries: 100_000,
      },
      log,
    })
  } catch (err) {
    unsubscribe()
    throw bindError('DNS_PORT', address, config.DNS_PORT, err)
  }
  // Bound first (a taken port stops start-up at once), loaded after: the zone's read must not
  // delay the first policy served (bench row 4d).
  zone.startInBackground(rt.deps.clock.now())
  log.info('dns_zone_serving', {
    zone: config.DNS_ZONE,
    udp: server.udpPort,
    tcp: server.tcpPort,
  })
  return {
    zone,
    server,
    async stop() {
      unsubscribe()
      await server.close()
      await zone.leave()
    },
  }
}
