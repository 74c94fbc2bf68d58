/**
 * policyhost end to end: a domain created through the admin API gets its certificate from
 * pebble (HTTP-01 answered by our HTTP listener, DNS from knot), the HTTPS listener serves it by
 * SNI, and Debian's mta-sts-query — the strictest sender-side client — reads the policy we
 * rendered, under the id our records publish. Runs only inside test/e2e/run.sh's namespace.
 */
import { rmSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mtaStsQuery, parseMtaStsQuery } from './harness/mta-sts-query.js'
import {
  addPublishedDomain,
  bindRecords,
  createTenant,
  fingerprintOf,
  putPolicy,
  report,
  startPolicyhost,
  startTestbed,
  TestClock,
  tickUntil,
  tlsProbe,
  type Policyhost,
  type Probe,
  type Testbed,
} from './harness/policyhost.js'

const DOMAIN = 'alpha.test'
const HOST = `mta-sts.${DOMAIN}`
const POLICY = {
  mode: 'enforce',
  mx: ['mail.alpha.test', '*.mx.alpha.test'],
  maxAge: 86400,
} as const
const NEW_POLICY = { mode: 'enforce', mx: ['mx2.alpha.test'], maxAge: 172800 } as const

/** New TLS connections until one succeeds (the served snapshot follows an issuance by ms). */
async function probeUntilServed(host: string, ca: string, ms = 3_000): Promise<Probe> {
  const until = Date.now() + ms
  for (;;) {
    const probe = await tlsProbe(host, ca)
    if (probe.ok || Date.now() > until) return probe
    await sleep(20)
  }
}

describe.skipIf(!process.env.PH_E2E_NETNS)('policyhost with pebble, knot and mta-sts-query', () => {
  let bed: Testbed
  let ph: Policyhost
  let token: string
  let firstId: string

  beforeAll(async () => {
    bed = await startTestbed()
    ph = await startPolicyhost({ pebble: bed.pebble, clock: new TestClock() })
    token = await createTenant(ph, 'alpha')
  })

  afterAll(async () => {
    const all = ph?.logged('cert_obtained').map((e) => `${String(e.hostname)} ${String(e.ms)}`)
    if (all) report(`every issuance in this file (cert_obtained.ms): ${all.join(', ')}`)
    await ph?.close()
    if (ph) rmSync(ph.dataDir, { recursive: true, force: true })
    await bed?.stop()
  })

  it('when a tenant creates a domain and publishes our records, then pebble issues its certificate, we serve it and mta-sts-query reads our policy', async () => {
    const created = performance.now()
    const added = await ph.http('POST', '/api/v1/domains', { token, json: { name: DOMAIN } })
    expect(added.status, added.text).toBe(201)
    // Adding the domain queued its host at once; with no DNS yet the preflight holds the order.
    await ph.runtime.certs.idle()
    expect(await ph.certState(HOST)).toMatchObject({ status: 'dns_pending', serial: null })
    const policy = await putPolicy(ph, token, DOMAIN, POLICY)
    const { bind, id } = await bindRecords(ph, token, DOMAIN)
    expect(id).toBe(policy.id)
    expect(bind).toContain(`${HOST}. IN CNAME policyhost.test.`)
    await bed.dns.set(DOMAIN, bind)
    expect(await bed.knot.dig(HOST, 'A')).toEqual(['policyhost.test.', '127.0.0.1'])

    const issuing = performance.now()
    const { state, ticks } = await tickUntil(ph, HOST, (s) => s.status === 'ok', 3)
    const issueMs = performance.now() - issuing
    expect(ticks).toBe(1)
    expect(state).toMatchObject({
      status: 'ok',
      failures: 0,
      lastError: null,
      dnsStatus: 'ok',
      dnsDetail: 'CNAME policyhost.test',
    })
    expect(state?.issuer).toMatch(/Pebble Intermediate CA/)
    const msgs = ph.logs.map((l) => JSON.parse(l)).filter((e) => e.hostname === HOST)
    const obtaining = msgs.findIndex((e) => e.msg === 'cert_obtaining')
    const obtained = msgs.findIndex((e) => e.msg === 'cert_obtained')
    expect(obtaining).toBeGreaterThanOrEqual(0)
    expect(obtained).toBeGreaterThan(obtaining)
    expect(msgs[obtaining]).toMatchObject({ issuer: bed.pebble.directoryUrl, renewal: false })
    expect(msgs[obtained]).toMatchObject({ serial: state?.serial, ms: expect.any(Number) })
    expect(ph.logged('cert_obtained', HOST)).toHaveLength(1)

    const probe = await probeUntilServed(HOST, bed.pebble.rootPem())
    const servedMs = performance.now() - created
    expect(probe).toMatchObject({
      ok: true,
      serial: state?.serial,
      san: `DNS:${HOST}`,
      authorized: true,
      rootFingerprint: fingerprintOf(bed.pebble.rootPem()),
    })

    const out = await mtaStsQuery(DOMAIN, bed.pebble.rootPemPath)
    expect(out.code, out.stderr).toBe(0)
    expect(parseMtaStsQuery(out.stdout)).toEqual({
      result: 'VALID',
      id: policy.id,
      policy: { mx: [...POLICY.mx], version: 'STSv1', mode: 'enforce', max_age: 86400 },
    })
    firstId = policy.id
    report(`mta-sts-query ${DOMAIN}: ${out.stdout.trim()}`)
    report(`domain creation -> certificate served over TLS: ${servedMs.toFixed(0)} ms`)
    report(`one issuance (tick wall time): ${issueMs.toFixed(0)} ms`)
    report(`one issuance (cert_obtained.ms): ${String(msgs[obtained].ms)} ms`)
  })

  it('when the policy changes and the new records are published, then mta-sts-query with the old id reports the new policy and id', async () => {
    expect(firstId).toBeDefined()
    const next = await putPolicy(ph, token, DOMAIN, NEW_POLICY)
    expect(next.id).not.toBe(firstId)
    const { bind, id } = await bindRecords(ph, token, DOMAIN)
    expect(id).toBe(next.id)
    await bed.dns.set(DOMAIN, bind)

    const out = await mtaStsQuery(DOMAIN, bed.pebble.rootPemPath, firstId)
    expect(out.code, out.stderr).toBe(0)
    expect(parseMtaStsQuery(out.stdout)).toEqual({
      result: 'VALID',
      id: next.id,
      policy: { mx: ['mx2.alpha.test'], version: 'STSv1', mode: 'enforce', max_age: 172800 },
    })
    const same = await mtaStsQuery(DOMAIN, bed.pebble.rootPemPath, next.id)
    expect(parseMtaStsQuery(same.stdout), same.stderr).toEqual({ result: 'NOT_CHANGED' })
  })

  it('when a domain is in DNS and in the API but has no certificate yet, then mta-sts-query fails with FETCH_ERROR instead of falling back', async () => {
    const domain = 'gamma.test'
    const host = `mta-sts.${domain}`
    // Its first attempt found no DNS; the next one is a minute away on the injected clock.
    await addPublishedDomain(ph, bed.dns, token, domain, POLICY)
    expect(await bed.knot.dig(host, 'A')).toEqual(['policyhost.test.', '127.0.0.1'])
    expect(await ph.certState(host)).toMatchObject({ status: 'dns_pending', serial: null })

    const out = await mtaStsQuery(domain, bed.pebble.rootPemPath)
    expect(parseMtaStsQuery(out.stdout), out.stderr).toEqual({ result: 'FETCH_ERROR' })
    report(`no certificate yet: ${out.stdout.trim()} — ${out.stderr.trim().split('\n').at(-1)}`)
    // Not even another name's certificate: the handshake itself is refused.
    const probe = await tlsProbe(host, bed.pebble.rootPem())
    expect(probe.ok).toBe(false)
    expect(ph.logged('cert_obtaining', host)).toEqual([])
  })

  it('when a domain is added while a certificate tick is running, then its host is tried once that tick ends, not at the next scheduled tick', async () => {
    // A tick kept busy by a real order: delta's host is due and its DNS is right.
    const busy = 'mta-sts.delta.test'
    await addPublishedDomain(ph, bed.dns, token, 'delta.test', POLICY)
    ph.clock.passed((await ph.certState(busy))!.dueAt)
    ph.runtime.certs.kick()
    const added = await ph.http('POST', '/api/v1/domains', { token, json: { name: 'eta.test' } })
    expect(added.status, added.text).toBe(201)
    await ph.runtime.certs.idle()
    await sleep(200)
    await ph.runtime.certs.idle()
    // Precondition: the domain arrived while the tick (kicked before it) was still running.
    const order = ph.logs.map((l) => JSON.parse(l))
    const addedAt = order.findIndex((e) => e.msg === 'domain_added' && e.domain === 'eta.test')
    const doneAt = order.findIndex((e) => e.msg === 'cert_obtained' && e.hostname === busy)
    expect(addedAt).toBeGreaterThan(0)
    expect(doneAt).toBeGreaterThan(addedAt)
    // Tried (and held back by the DNS preflight, as eta has no records), not left pending.
    expect(await ph.certState('mta-sts.eta.test')).toMatchObject({ status: 'dns_pending' })
  })

  it('when a policy host is asked over plain HTTP, or an unknown name over TLS, then nothing is served', async () => {
    const plain = await ph.http('GET', '/.well-known/mta-sts.txt', { host: HOST })
    expect(plain.status).toBe(404)
    expect(plain.text).not.toContain('STSv1')
    const known = await tlsProbe(HOST, bed.pebble.rootPem())
    expect(known.ok).toBe(true) // the same listener does serve the known name
    for (const name of ['mta-sts.unknown.test', 'unknown.test', undefined]) {
      const probe = await tlsProbe(name, bed.pebble.rootPem())
      expect(probe, String(name)).toMatchObject({ ok: false })
    }
  })
})
