import { afterEach, describe, expect, it } from 'vitest'
import { answerQuery } from '../../core/dns/answer.js'
import { zoneSettings } from '../../core/dns/zone-settings.js'
import {
  alphaWithDomain,
  serviceWorld,
  START,
  type ServiceWorld,
} from '../../../test/helpers/services.js'
import { setDnsMode } from '../dns/dns-mode.js'
import { recordsFor } from '../domains/records.js'
import { retireDomain } from '../domains/retire-domain.js'
import { setPolicy } from '../mta-sts/mta-sts.js'
import { setTlsRpt } from '../tls-rpt/tls-rpt.js'
import { DnsZone, serialOf } from './dns-zone.js'
import { PolicySnapshot } from './policy-snapshot.js'

const ZONE = 'dns.policyhost.test'
const LIVE_MS = 20_000
const POLICY = { mode: 'enforce' as const, mx: ['mx.alpha.example'], maxAge: 86400 }

let world: ServiceWorld
afterEach(() => world.close())

/** The zone engine wired as runtime/dns.ts wires it: subscribed after the policy snapshot. */
async function zoneWorld(
  opts: {
    world?: ServiceWorld
    pendingBatch?: number
    before?: () => Promise<void>
    /** false: the caller starts the zone itself. */
    start?: boolean
  } = {},
) {
  world =
    opts.world ?? (await serviceWorld({ DNS_ZONE: ZONE, DNS_NAMESERVERS: 'ns1.policyhost.test' }))
  const log = world.deps.log
  const snapshot = new PolicySnapshot(world.deps.repos.snapshot, log)
  const notified: number[] = []
  const zone = new DnsZone({
    settings: zoneSettings({ zone: ZONE, nameservers: ['ns1.policyhost.test'], ttl: 300 }),
    sync: {
      deps: world.deps,
      instanceId: 'here',
      liveWindowMs: LIVE_MS,
      serves: (host, text) => snapshot.serves(host, text),
    },
    log,
    snapshotSettled: () => snapshot.settled(),
    notify: async (z) => void notified.push(z.serial),
    pendingBatch: opts.pendingBatch,
  })
  await opts.before?.()
  world.feed.subscribe((c) => snapshot.apply(c))
  world.feed.subscribe((c) => zone.apply(c))
  await snapshot.refresh()
  if (opts.start !== false) await zone.start(world.clock.now())
  return { zone, snapshot, notified }
}

const txt = (zone: DnsZone, name: string) => {
  const r = answerQuery(zone.zone(), { name, type: 'TXT', class: 'IN' })
  return [r.rcode, ...r.answers.map((a) => ('data' in a ? (a.data as Buffer[]).join('') : ''))]
}

async function delegated() {
  const z = await zoneWorld()
  const { a } = await alphaWithDomain(world)
  const first = await setPolicy(world.deps, a.actor, 'alpha.example', POLICY)
  const domain = await setDnsMode(world.deps, a.actor, 'alpha.example', 'delegated')
  const label = domain.dnsLabel as string
  return { ...z, a, first, label, stsName: `${label}._mta-sts.${ZONE}` }
}

describe('DnsZone (issue 12)', () => {
  it('when a domain is delegated, then the zone serves its _mta-sts id and records list CNAMEs into the zone', async () => {
    const { zone, a, first, label, stsName, notified } = await delegated()

    expect(txt(zone, stsName)).toEqual(['NOERROR', `v=STSv1; id=${first.policyId}`])
    const records = await recordsFor(world.deps, a.actor, 'alpha.example')
    expect(records.map((r) => `${r.name} ${r.type} ${r.value}`)).toEqual([
      `mta-sts.alpha.example CNAME ${world.deps.serviceHost}.`,
      `_mta-sts.alpha.example CNAME ${label}._mta-sts.${ZONE}.`,
    ])
    expect(notified.length).toBeGreaterThan(0)
  })

  it('when the policy changes, then the id moves with a higher serial and an IXFR delta, after the snapshot serves it', async () => {
    const { zone, a, snapshot, stsName } = await delegated()
    const before = zone.zone().serial

    const next = await setPolicy(world.deps, a.actor, 'alpha.example', {
      ...POLICY,
      mode: 'testing',
    })

    expect(snapshot.serves('mta-sts.alpha.example', next.text)).toBe(true)
    expect(txt(zone, stsName)).toEqual(['NOERROR', `v=STSv1; id=${next.policyId}`])
    expect(zone.zone().serial).toBeGreaterThan(before)
    const deltas = zone.journal.since(before)
    expect(
      deltas?.flatMap((d) =>
        d.added.map((r) => ('data' in r ? (r.data as Buffer[]).join('') : '')),
      ),
    ).toContain(`v=STSv1; id=${next.policyId}`)
  })

  it('when another live instance does not serve the new policy yet, then the zone keeps the old id until it does', async () => {
    const { zone, a, first, stsName } = await delegated()
    await world.deps.repos.zone.heartbeat('other', world.clock.now())

    const next = await setPolicy(world.deps, a.actor, 'alpha.example', {
      ...POLICY,
      maxAge: 604800,
    })
    await zone.tick(world.clock.now())
    expect(txt(zone, stsName)).toEqual(['NOERROR', `v=STSv1; id=${first.policyId}`])
    const id = (await world.deps.repos.domains.byName('alpha.example'))?.id ?? ''
    // Marked waiting: ticks and reconciles retry the marked ones, not every delegated domain.
    expect(await world.deps.repos.zone.pending(10)).toEqual([id])

    await world.deps.repos.zone.ack('other', id, next.policyId, world.clock.now())
    await zone.tick(world.clock.now())
    expect(txt(zone, stsName)).toEqual(['NOERROR', `v=STSv1; id=${next.policyId}`])
    expect(await world.deps.repos.zone.pending(10)).toEqual([])
  })

  it('when the other instance stops beating, then the change goes ahead after the liveness window', async () => {
    const { zone, a, first, stsName } = await delegated()
    await world.deps.repos.zone.heartbeat('other', world.clock.now())
    const next = await setPolicy(world.deps, a.actor, 'alpha.example', { ...POLICY, maxAge: 1000 })
    expect(txt(zone, stsName)).toEqual(['NOERROR', `v=STSv1; id=${first.policyId}`])

    world.clock.advance(LIVE_MS + 1000)
    await zone.tick(world.clock.now())

    expect(txt(zone, stsName)).toEqual(['NOERROR', `v=STSv1; id=${next.policyId}`])
  })

  it('when TLS-RPT is set, then the zone serves _smtp._tls at once; back to self mode, the names leave the zone', async () => {
    const { zone, a, label, stsName } = await delegated()
    await setTlsRpt(world.deps, a.actor, 'alpha.example', { rua: ['mailto:tls@alpha.example'] })
    const tlsName = `${label}._smtp._tls.${ZONE}`
    const [rcode, value] = txt(zone, tlsName)
    expect(rcode).toBe('NOERROR')
    expect(value).toMatch(/^v=TLSRPTv1; rua=https:\/\/.*,mailto:tls@alpha\.example$/)
    const serial = zone.zone().serial

    await setDnsMode(world.deps, a.actor, 'alpha.example', 'self')

    expect(txt(zone, tlsName)).toEqual(['NXDOMAIN'])
    expect(txt(zone, stsName)).toEqual(['NXDOMAIN'])
    expect(zone.zone().serial).toBeGreaterThan(serial)
  })

  it('when a delegated domain retires, then the zone announces the none policy (RFC 8461 §8.3)', async () => {
    const { zone, a, stsName } = await delegated()
    await retireDomain(world.deps, a.actor, 'alpha.example', { force: false })
    const id = (await world.deps.repos.domains.byName('alpha.example'))?.id ?? ''
    const none = await world.deps.repos.policies.get(id)
    expect(none?.mode).toBe('none')
    expect(txt(zone, stsName)).toEqual(['NOERROR', `v=STSv1; id=${none?.policyId}`])
  })
})

describe('DnsZone start-up', () => {
  it('when many domains were delegated while no server ran, then the zone fills in batches in the background', async () => {
    const w = await serviceWorld({ DNS_ZONE: ZONE, DNS_NAMESERVERS: 'ns1.policyhost.test' })
    const a = await w.tenant('alpha')
    const names = Array.from({ length: 12 }, (_, i) => `d${i}.example`)
    const { addDomain } = await import('../domains/domains.js')
    const { zone } = await zoneWorld({
      world: w,
      pendingBatch: 5,
      before: async () => {
        for (const name of names) {
          await addDomain(w.deps, a.actor, { name })
          await setPolicy(w.deps, a.actor, name, { ...POLICY, mx: [`mx.${name}`] })
          await setDnsMode(w.deps, a.actor, name, 'delegated')
        }
      },
    })

    await zone.settled()

    expect(zone.zone().size).toBe(names.length)
    for (const name of names) {
      const label = (await w.deps.repos.domains.byName(name))?.dnsLabel
      expect(txt(zone, `${label}._mta-sts.${ZONE}`)[0]).toBe('NOERROR')
    }
  })
})

describe('DnsZone start-up while others write', () => {
  it('when entries change while the zone is read page by page, then it loads as the store is after them', async () => {
    const w = await serviceWorld({ DNS_ZONE: ZONE, DNS_NAMESERVERS: 'ns1.policyhost.test' })
    const repo = w.deps.repos.zone
    // Another instance's writes reach the store, not this process's change feed.
    const other = w.store.repos({ publish: async () => {} }).zone
    const entry = (label: string, id: string) => ({
      label,
      mtaSts: `v=STSv1; id=${id}`,
      tlsRpt: null,
      bimi: [],
    })
    for (const id of ['a', 'b', 'c']) {
      await other.write(id, { label: id, entry: entry(id, '1'), stsId: '1' }, null, START)
    }
    // Another instance writes while the first page is read: a changed, c removed, d added.
    const loadPage = repo.loadPage.bind(repo)
    let pages = 0
    repo.loadPage = async (after, limit) => {
      const page = await loadPage(after, limit)
      if (pages++ === 0) {
        const at = async (id: string) => (await other.entry(id))?.version ?? null
        await other.write(
          'a',
          { label: 'a', entry: entry('a', '2'), stsId: '2' },
          await at('a'),
          START,
        )
        await other.write('c', { label: 'c', entry: null, stsId: null }, await at('c'), START)
        await other.write('d', { label: 'd', entry: entry('d', '2'), stsId: '2' }, null, START)
      }
      return page
    }

    const { zone } = await zoneWorld({ world: w })

    expect(pages).toBeGreaterThan(0)
    expect(txt(zone, `a._mta-sts.${ZONE}`)).toEqual(['NOERROR', 'v=STSv1; id=2'])
    expect(txt(zone, `b._mta-sts.${ZONE}`)).toEqual(['NOERROR', 'v=STSv1; id=1'])
    expect(txt(zone, `c._mta-sts.${ZONE}`)).toEqual(['NXDOMAIN'])
    expect(txt(zone, `d._mta-sts.${ZONE}`)).toEqual(['NOERROR', 'v=STSv1; id=2'])
    // The serial follows the store's version after those writes, not the one read first, once
    // the catch-up after the load has settled (on a busy machine it may still be running here).
    await zone.settled()
    expect(zone.zone().serial).toBe(serialOf(await other.version(0)))
  })
})

describe('DnsZone when the store cannot be read at start', () => {
  it('when the load fails, then it is logged, the zone stays unloaded (SERVFAIL) and events return instead of waiting for ever', async () => {
    const w = await serviceWorld({ DNS_ZONE: ZONE, DNS_NAMESERVERS: 'ns1.policyhost.test' })
    w.deps.repos.zone.loadPage = async () => {
      throw new Error('disk gone')
    }
    const { zone } = await zoneWorld({ world: w, start: false })

    zone.startInBackground(w.clock.now())
    await zone.started()

    expect(w.logged('dns_zone_load_failed')).toMatchObject([{ error: 'disk gone' }])
    expect(zone.loadedZone()).toBeNull()
    // Before, every later event waited on a load that would never come.
    await expect(zone.apply({ type: 'reconcile' })).resolves.toBeUndefined()
  })
})

describe('DnsZone and a stored entry the index refuses', () => {
  it('when a stored entry is bad, then it is logged and left out, and the zone loads and moves on', async () => {
    const { zone, a, stsName } = await delegated()
    const bad = { label: 'bad label', mtaSts: 'v=STSv1; id=1', tlsRpt: null, bimi: [] }

    // Written past the engine's checks (as a damaged row would be): published as zone.changed.
    await world.deps.repos.zone.write(
      'ghost',
      { label: bad.label, entry: bad, stsId: '1' },
      null,
      START,
    )
    const next = await setPolicy(world.deps, a.actor, 'alpha.example', { ...POLICY, maxAge: 999 })

    expect(world.logged('dns_zone_entry_rejected')).toMatchObject([{ domainId: 'ghost' }])
    expect(txt(zone, stsName)).toEqual(['NOERROR', `v=STSv1; id=${next.policyId}`])

    // A fresh start reads the bad row again: left out, the rest loaded.
    const { zone: again } = await zoneWorld({ world })
    expect(txt(again, stsName)).toEqual(['NOERROR', `v=STSv1; id=${next.policyId}`])
    expect(world.logged('dns_zone_entry_rejected')).toHaveLength(2)
    await again.settled()
  })
})
