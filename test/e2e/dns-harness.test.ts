/**
 * Self-test of the delegated-DNS harness (issue 12), no policyhost server involved: knot on
 * 127.0.0.1 holds the parent zone `policyhost.test` (NS + glue for `dns.policyhost.test`) and
 * a customer zone whose `_mta-sts` CNAMEs into it; a stand-in child server (a second knotd on
 * 127.0.0.2) is authoritative for `dns.policyhost.test`; unbound on 127.0.0.53 resolves through
 * the CNAME and the delegation; then knot becomes a secondary of the child zone (NOTIFY, IXFR).
 * Runs only inside the namespace made by test/e2e/run.sh.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKnot, type DnsRecord, type Knot, type ZoneOptions } from './harness/knot.js'
import { startUnbound, type Unbound } from './harness/unbound.js'

const PARENT = 'policyhost.test'
const CHILD = 'dns.policyhost.test'
const CHILD_NS = 'ns1.dns.policyhost.test'
const CHILD_ADDRESS = '127.0.0.2'
const TARGET = 'xyz._mta-sts.dns.policyhost.test'
const ALIAS = '_mta-sts.example.test'

/** The stand-in child zone with the given TXT value; notifies and lets knot on 127.0.0.1 pull. */
function childZone(txt: string): [DnsRecord[], ZoneOptions] {
  return [
    [
      { name: CHILD_NS, type: 'A', value: CHILD_ADDRESS },
      { name: TARGET, type: 'TXT', value: txt },
    ],
    { nameservers: [CHILD_NS], notify: [{ address: '127.0.0.1' }], allowTransfer: ['127.0.0.1'] },
  ]
}

describe.skipIf(!process.env.PH_E2E_NETNS)('delegated DNS harness', () => {
  let workDir: string
  let knot: Knot | undefined
  let child: Knot | undefined
  let resolver: Unbound | undefined
  let cachingResolver: Unbound | undefined

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'ph-e2e-dns-'))
    child = await startKnot(join(workDir, 'child'), { address: CHILD_ADDRESS })
    await child.setZone(CHILD, ...childZone('v=STSv1; id=1'))
    knot = await startKnot(join(workDir, 'knot'))
    await knot.setZone(PARENT, [
      { name: CHILD, type: 'NS', value: CHILD_NS },
      { name: CHILD_NS, type: 'A', value: CHILD_ADDRESS },
    ])
    await knot.setZone('example.test', [{ name: ALIAS, type: 'CNAME', value: TARGET }])
    const stubs = [{ zone: 'test', addresses: ['127.0.0.1'] }]
    resolver = await startUnbound(join(workDir, 'unbound'), { listen: '127.0.0.53', stubs })
    cachingResolver = await startUnbound(join(workDir, 'unbound-cache'), {
      listen: '127.0.0.54',
      stubs,
      cache: true,
    })
  })

  afterAll(async () => {
    await Promise.all([resolver?.stop(), cachingResolver?.stop(), knot?.stop(), child?.stop()])
    if (workDir) rmSync(workDir, { recursive: true, force: true })
  })

  it('when the parent delegates, then knot refers and only the resolver reaches the TXT', async () => {
    // knot is authoritative only: the CNAME, no chase; the target is a referral (no answer).
    expect(await knot!.dig(ALIAS, 'TXT')).toEqual([`${TARGET}.`])
    expect(await knot!.dig(TARGET, 'TXT')).toEqual([])
    expect(await child!.dig(TARGET, 'TXT')).toEqual(['"v=STSv1; id=1"'])
    expect(await resolver!.dig(ALIAS, 'TXT')).toEqual([`${TARGET}.`, '"v=STSv1; id=1"'])
  })

  it('when qname minimisation walks the child zone, then its empty non-terminal is NODATA', async () => {
    expect(await resolver!.query('_mta-sts.dns.policyhost.test', 'TXT')).toEqual({
      rcode: 'NOERROR',
      answer: [],
    })
    expect((await resolver!.query('nosuch.dns.policyhost.test', 'TXT')).rcode).toBe('NXDOMAIN')
  })

  it('when the child changes the TXT, then the uncaching resolver answers the new value at once', async () => {
    expect(await cachingResolver!.dig(ALIAS, 'TXT')).toEqual([`${TARGET}.`, '"v=STSv1; id=1"'])
    await child!.setZone(CHILD, ...childZone('v=STSv1; id=2'))
    expect(await resolver!.dig(ALIAS, 'TXT')).toEqual([`${TARGET}.`, '"v=STSv1; id=2"'])
    // cache-max-ttl 0: the clients of the uncaching resolver see TTL 0.
    expect((await resolver!.query(TARGET, 'TXT')).answer).toEqual([
      `${TARGET}. 0 IN TXT "v=STSv1; id=2"`,
    ])
    // A caching resolver keeps the old answer for its TTL, until flushed.
    expect(await cachingResolver!.dig(ALIAS, 'TXT')).toEqual([`${TARGET}.`, '"v=STSv1; id=1"'])
    await cachingResolver!.flush(CHILD)
    expect(await cachingResolver!.dig(ALIAS, 'TXT')).toEqual([`${TARGET}.`, '"v=STSv1; id=2"'])
  })

  it('when knot is made a secondary, then it transfers the child zone and follows a change', async () => {
    await knot!.addSecondaryZone(CHILD, { primary: { address: CHILD_ADDRESS } })
    // The first transfer: knot asks for the zone as soon as it is configured.
    await knot!.waitForSerial(CHILD, await child!.soaSerialOf(CHILD))
    expect(await knot!.dig(TARGET, 'TXT')).toEqual(['"v=STSv1; id=2"'])
    // A secondary with no copy yet bootstraps by AXFR (RFC 5936).
    expect(knot!.transferLog(CHILD).join('\n')).toMatch(/AXFR, incoming, .*finished/)

    const mark = knot!.transferLog(CHILD).length
    await child!.setZone(CHILD, ...childZone('v=STSv1; id=3'))
    // The child's NOTIFY (from 127.0.0.2) triggers the refresh; no zone-refresh is asked for.
    await knot!.waitForSerial(CHILD, await child!.soaSerialOf(CHILD), 10_000)
    expect(await knot!.dig(TARGET, 'TXT')).toEqual(['"v=STSv1; id=3"'])
    const transfers = knot!.transferLog(CHILD).slice(mark)
    // eslint-disable-next-line no-console
    console.log(`[dns-harness] secondary transfers:\n${knot!.transferLog(CHILD).join('\n')}`)
    expect(transfers.join('\n')).toMatch(/IXFR, incoming, remote 127\.0\.0\.2@53.*finished/)
    expect(knot!.logs()).toMatch(
      new RegExp(`\\[${CHILD}\\.\\] notify, incoming, remote 127\\.0\\.0\\.2`),
    )
  })
})
