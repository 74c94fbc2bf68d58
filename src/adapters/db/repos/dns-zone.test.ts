import { afterEach, describe, expect, it } from 'vitest'
import { serviceWorld, START, type ServiceWorld } from '../../../../test/helpers/services.js'
import { addDomain } from '../../../services/domains/domains.js'
import { setDnsMode } from '../../../services/dns/dns-mode.js'
import { setPolicy } from '../../../services/mta-sts/mta-sts.js'

let world: ServiceWorld
afterEach(() => world.close())

const ENV = { DNS_ZONE: 'dns.policyhost.test', DNS_NAMESERVERS: 'ns1.policyhost.test' }
const POLICY = { mode: 'testing' as const, mx: ['mx.example'], maxAge: 86400 }

/** Every id the paged scan reports, page by page with `limit`. */
async function scanAll(limit: number): Promise<string[][]> {
  const pages: string[][] = []
  for (let after: string | null = ''; after !== null;) {
    const page: { ids: string[]; next: string | null } = await world.deps.repos.zone.scan(
      after,
      limit,
    )
    pages.push(page.ids)
    after = page.next
  }
  return pages
}

describe('zone repository: the start-up scan and the waiting list', () => {
  it('when domains are delegated without entries, out of date, or gone, then the paged scan finds exactly those', async () => {
    world = await serviceWorld(ENV)
    const t = await world.tenant('alpha')
    const ids: Record<string, string> = {}
    for (const name of ['a.example', 'b.example', 'c.example', 'd.example', 'e.example']) {
      ids[name] = (await addDomain(world.deps, t.actor, { name })).id
      await setPolicy(world.deps, t.actor, name, POLICY)
    }
    for (const name of ['a.example', 'b.example', 'c.example']) {
      await setDnsMode(world.deps, t.actor, name, 'delegated')
    }
    const zone = world.deps.repos.zone
    const entry = (label: string) => ({ label, mtaSts: 'v=STSv1; id=x', tlsRpt: null, bimi: [] })
    const policyOf = async (name: string) =>
      (await world.deps.repos.policies.get(ids[name] as string))?.policyId ?? null
    // b: current; c: announces an old id; d: self mode but still has an entry; ghost: no domain.
    await zone.write(
      ids['b.example'] as string,
      { label: 'b', entry: entry('b'), stsId: await policyOf('b.example') },
      null,
      START,
    )
    await zone.write(
      ids['c.example'] as string,
      { label: 'c', entry: entry('c'), stsId: 'old' },
      null,
      START,
    )
    await zone.write(
      ids['d.example'] as string,
      { label: 'd', entry: entry('d'), stsId: null },
      null,
      START,
    )
    await zone.write('ghost', { label: 'g', entry: entry('g'), stsId: null }, null, START)

    const found = (await scanAll(2)).flat().sort()

    expect(found).toEqual([ids['a.example'], ids['c.example'], ids['d.example'], 'ghost'].sort())
  })

  it('when a change is marked waiting twice and cleared, then the list holds it once, then not', async () => {
    world = await serviceWorld(ENV)
    const zone = world.deps.repos.zone
    await zone.markPending('d1', START)
    await zone.markPending('d2', new Date(START.getTime() + 1000))
    await zone.markPending('d1', new Date(START.getTime() + 2000))
    expect(await zone.pending(10)).toEqual(['d1', 'd2'])
    expect(await zone.pending(1)).toEqual(['d1'])
    await zone.clearPending('d1')
    await zone.clearPending('never-marked')
    expect(await zone.pending(10)).toEqual(['d2'])
  })
})

describe('zone repository: the paged load', () => {
  it('when entries and a tombstone are stored, then the pages hold every live entry once, in id order, and end', async () => {
    world = await serviceWorld(ENV)
    const zone = world.deps.repos.zone
    const entry = (label: string) => ({
      label,
      mtaSts: `v=STSv1; id=${label}`,
      tlsRpt: null,
      bimi: [],
    })
    let version: number | null = null
    for (const id of ['d5', 'd1', 'd4', 'd2', 'd3']) {
      version = await zone.write(
        id,
        { label: `l${id}`, entry: entry(`l${id}`), stsId: id },
        null,
        START,
      )
    }
    // d3 leaves the zone: its row stays as a tombstone, which a load skips.
    const d3 = await zone.entry('d3')
    await zone.write('d3', { label: 'ld3', entry: null, stsId: null }, d3?.version ?? null, START)

    const pages: string[][] = []
    for (let after: string | null = ''; after !== null;) {
      const page: Awaited<ReturnType<typeof zone.loadPage>> = await zone.loadPage(after, 2)
      pages.push(page.entries.map((e) => e.domainId))
      expect(page.entries.every((e) => e.entry?.label === e.label)).toBe(true)
      after = page.next
    }

    expect(version).not.toBeNull()
    expect(pages).toEqual([
      ['d1', 'd2'],
      ['d4', 'd5'],
    ])
  })
})
