import { afterEach, describe, expect, it } from 'vitest'
import {
  alphaWithDomain,
  REAL_LOGO,
  serviceWorld,
  type ServiceWorld,
} from '../../../test/helpers/services.js'
import { uploadLogo } from '../bimi/bimi-logo.js'
import { getDomain } from '../domains/domains.js'
import { liveRecords } from '../domains/records.js'
import { checkDomain } from './check-domain.js'

let world: ServiceWorld
afterEach(() => world.close())

const BIMI_NAME = 'default._bimi.alpha.example'

/** alpha.example with a logo at selector `default`, its record published as handed out. */
async function withLogo() {
  world = await serviceWorld()
  const { a } = await alphaWithDomain(world)
  await uploadLogo(world.deps, a.actor, 'alpha.example', 'default', REAL_LOGO)
  const domain = await getDomain(world.deps, a.actor, 'alpha.example')
  const record = (await liveRecords(world.deps, domain)).find((r) => r.name === BIMI_NAME)!
  world.dns.txts.set(BIMI_NAME, [record.value])
  world.dns.txts.set('_dmarc.alpha.example', ['v=DMARC1; p=reject'])
  const run = async () =>
    checkDomain(world.deps, await getDomain(world.deps, a.actor, 'alpha.example'))
  const keys = async () =>
    (await run()).changes
      .filter((c) => c.finding.kind === 'bimi')
      .map((c) => `${c.change} ${c.finding.key}`)
  return { keys, record, run }
}

describe('the BIMI step of a check', () => {
  it('when the record is published as handed out and DMARC rejects, then nothing is found', async () => {
    const { keys } = await withLogo()
    expect(await keys()).toEqual([])
  })

  it('when the record is missing, doubled or altered, then each is reported', async () => {
    const { keys, record } = await withLogo()
    world.dns.txts.set(BIMI_NAME, [])
    const missing = await keys()
    world.dns.txts.set(BIMI_NAME, [
      record.value,
      record.value.replace('l=', 'l=https://x.example/a.svg;x='),
    ])
    const doubled = await keys()
    world.dns.txts.set(BIMI_NAME, ['v=BIMI1; l=https://elsewhere.example/logo.svg'])
    const altered = await keys()

    expect(missing).toEqual([`opened bimi:missing:${BIMI_NAME}`])
    // Changes come in key order.
    expect(doubled).toEqual([
      `resolved bimi:missing:${BIMI_NAME}`,
      `opened bimi:multiple:${BIMI_NAME}`,
    ])
    expect(altered).toEqual([
      `opened bimi:drift:${BIMI_NAME}`,
      `resolved bimi:multiple:${BIMI_NAME}`,
    ])
  })

  it('when DMARC does not enforce, then the blocker is a finding, and it resolves once DMARC rejects', async () => {
    const { keys } = await withLogo()
    world.dns.txts.set('_dmarc.alpha.example', ['v=DMARC1; p=none'])
    const opened = await keys()
    world.dns.txts.set('_dmarc.alpha.example', ['v=DMARC1; p=quarantine'])
    const resolved = await keys()

    expect(opened).toHaveLength(1)
    expect(opened[0]).toMatch(/^opened bimi:dmarc:_dmarc\.alpha\.example: /)
    expect(resolved).toHaveLength(1)
    expect(resolved[0]).toMatch(/^resolved bimi:dmarc:/)
  })

  it('when the DMARC lookup fails, then the BIMI step is skipped, not a finding', async () => {
    const { run } = await withLogo()
    world.dns.failing.add('_dmarc.alpha.example')

    const r = await run()

    expect(r.skipped).toContainEqual({ kind: 'bimi', reason: 'lookup failed' })
    expect(r.changes.filter((c) => c.finding.kind === 'bimi')).toEqual([])
  })

  it('when the mark certificate counts down to expiry day by day, then one finding stays open, and expiry opens another', async () => {
    const { keys } = await withLogo()
    // The stored mark certificate's end: 20 days after the world's start (no VMC upload needed
    // for the countdown rule; the pem only matters for the "other logo" rule).
    const notAfter = world.clock.now().getTime() + 20 * 86_400_000
    await world.store.sql('UPDATE bimi_assertions SET vmc_not_after = ?', notAfter)

    const first = await keys()
    world.clock.advance(86_400)
    const nextDay = await keys()
    world.clock.advance(20 * 86_400)
    const expired = await keys()

    expect(first).toEqual(['opened bimi:mark:default:expiring'])
    expect(nextDay).toEqual([])
    expect(expired).toEqual([
      'opened bimi:mark:default:expired',
      'resolved bimi:mark:default:expiring',
    ])
  })
})
