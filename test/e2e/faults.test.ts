/**
 * Faults end to end: names whose DNS does not reach us (our preflight holds the order back), a
 * CA whose validation fails (the previous certificate keeps serving, the backoff survives a
 * restart) and a CA rejecting most nonces. Real pebble, knot and mta-sts-query in the namespace
 * test/e2e/run.sh makes.
 */
import { rmSync } from 'node:fs'
import acme from 'acme-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mtaStsQuery, parseMtaStsQuery } from './harness/mta-sts-query.js'
import {
  addPublishedDomain,
  bindRecords,
  createTenant,
  putPolicy,
  report,
  startPolicyhost,
  startTestbed,
  TestClock,
  tickUntil,
  tlsProbe,
  type Policyhost,
  type Testbed,
} from './harness/policyhost.js'

const POLICY = { mode: 'enforce', mx: ['mail.example.test'], maxAge: 86400 } as const
const MINUTE = 60_000
/** At 60 % rejection acme-client's 5 retries per request fail an order now and then. */
const MAX_NONCE_ATTEMPTS = 8
const NONCE_DOMAINS = ['nonce1.test', 'nonce2.test', 'nonce3.test'] as const
/** Minutes to wait after the n-th consecutive failure: 1 doubling, minus up to 10 % jitter. */
const backoffRange = (failures: number) => [0.9 * 2 ** (failures - 1), 2 ** (failures - 1)]

/** Minutes from the state's last attempt to its next one. */
const waitMinutes = (s: { dueAt: Date; lastAttemptAt: Date | null }) =>
  (s.dueAt.getTime() - (s.lastAttemptAt?.getTime() ?? NaN)) / MINUTE

describe.skipIf(!process.env.PH_E2E_NETNS)('certificate faults', () => {
  let bed: Testbed
  let ph: Policyhost
  let token: string
  const clock = new TestClock()
  // Pebble reuses valid authorizations half of the time by default: a forced re-issue would
  // then skip validation, and a broken name would still get its certificate.
  const pebbleEnv = { PEBBLE_AUTHZREUSE: '0' }

  beforeAll(async () => {
    bed = await startTestbed({ env: pebbleEnv })
    // 127.0.0.2 counts as ours for the preflight, but nothing listens there: the CA fails.
    ph = await startPolicyhost({
      pebble: bed.pebble,
      clock,
      env: { PUBLIC_ADDRESSES: '127.0.0.2' },
    })
    token = await createTenant(ph, 'faults')
  })

  afterAll(async () => {
    await ph?.close()
    if (ph) rmSync(ph.dataDir, { recursive: true, force: true })
    await bed?.stop()
  })

  it('when a policy host has no record, then a CNAME elsewhere, then it waits in dns_pending with growing backoff and no order; once our records are out, the next tick past the backoff issues', async () => {
    const domain = 'beta.test'
    const host = `mta-sts.${domain}`
    const added = await ph.http('POST', '/api/v1/domains', { token, json: { name: domain } })
    expect(added.status, added.text).toBe(201)
    await ph.runtime.certs.idle()
    const first = await ph.certState(host)
    expect(first).toMatchObject({
      status: 'dns_pending',
      serial: null,
      failures: 1,
      dnsStatus: 'pending',
      dnsDetail: `${host} does not resolve; add CNAME policyhost.test.`,
    })
    expect(waitMinutes(first!)).toBeGreaterThanOrEqual(backoffRange(1)[0]!)
    expect(waitMinutes(first!)).toBeLessThanOrEqual(backoffRange(1)[1]!)
    expect(first!.dueAt.getTime()).toBeGreaterThan(clock.now().getTime())
    expect(ph.logged('cert_dns_pending', host)).toEqual([
      expect.objectContaining({
        level: 'warn',
        detail: first!.dnsDetail,
        nextAttemptAt: first!.dueAt.toISOString(),
      }),
    ])

    await putPolicy(ph, token, domain, POLICY)
    const elsewhere = `${host}. IN CNAME other-provider.test.\nother-provider.test. IN A 127.0.0.9`
    await bed.dns.set(domain, elsewhere)
    expect(await ph.runtime.certs.runDue()).toMatchObject({ dns_pending: 0 }) // not due yet
    clock.passed(first!.dueAt)
    expect(await ph.runtime.certs.runDue()).toMatchObject({ dns_pending: 1, obtained: 0 })
    const second = await ph.certState(host)
    expect(second).toMatchObject({
      status: 'dns_pending',
      failures: 2,
      dnsDetail: `${host} is a CNAME to other-provider.test, not policyhost.test`,
    })
    expect(waitMinutes(second!)).toBeGreaterThanOrEqual(backoffRange(2)[0]!)
    expect(waitMinutes(second!)).toBeLessThanOrEqual(backoffRange(2)[1]!)
    expect(ph.logged('cert_dns_pending', host)).toHaveLength(2)
    // Neither we nor pebble ever saw an order for the name.
    expect(ph.logged('cert_obtaining', host)).toEqual([])
    expect(bed.pebble.logs()).not.toContain(host)

    await bed.dns.set(domain, (await bindRecords(ph, token, domain)).bind)
    clock.passed(second!.dueAt)
    expect(await ph.runtime.certs.runDue()).toMatchObject({ obtained: 1 })
    const issued = await ph.certState(host)
    expect(issued).toMatchObject({ status: 'ok', failures: 0, lastError: null, dnsStatus: 'ok' })
    expect(await tlsProbe(host, bed.pebble.rootPem())).toMatchObject({
      ok: true,
      serial: issued!.serial,
      authorized: true,
    })
    expect(bed.pebble.logs()).toContain(host) // the check above can see an order
  })

  it('when the CA cannot reach a name that passes our preflight, then the renewal fails with its reason and backs off, the old certificate keeps serving, and the backoff survives a restart', async () => {
    const domain = 'kappa.test'
    const host = `mta-sts.${domain}`
    const { bind } = await addPublishedDomain(ph, bed.dns, token, domain, POLICY)
    const { state: issued } = await tickUntil(ph, host, (s) => s.status === 'ok', 3)
    const s1 = issued!.serial!
    expect(s1).toMatch(/^[0-9a-f]+$/)

    const broken = bind.replace(/^mta-sts\.\S+ IN CNAME .*$/m, `${host}. IN A 127.0.0.2`)
    expect(broken).not.toBe(bind)
    await bed.dns.set(domain, broken)
    const forced = await ph.runtime.certs.renew([host], true)
    expect(forced).toMatchObject({ failed: 1, renewed: 0 })
    const failed = await ph.certState(host)
    expect(failed).toMatchObject({
      status: 'failed',
      serial: s1,
      failures: 1,
      dnsStatus: 'ok',
      dnsDetail: 'resolves to 127.0.0.2',
    })
    expect(failed!.lastError).toMatch(/127\.0\.0\.2:80.*connection refused/)
    report(`CA validation failure recorded: ${failed!.lastError}`)
    expect(waitMinutes(failed!)).toBeGreaterThanOrEqual(backoffRange(1)[0]!)
    expect(waitMinutes(failed!)).toBeLessThanOrEqual(backoffRange(1)[1]!)
    expect(ph.logged('cert_obtaining', host).at(-1)).toMatchObject({ renewal: true })
    expect(ph.logged('cert_failed', host)).toEqual([
      expect.objectContaining({
        level: 'error',
        error: failed!.lastError,
        failures: 1,
        nextAttemptAt: failed!.dueAt.toISOString(),
      }),
    ])
    expect((await ph.http('GET', '/healthz')).status).toBe(200)
    expect(await tlsProbe(host, bed.pebble.rootPem())).toMatchObject({ ok: true, serial: s1 })

    // DNS repaired, no tick yet: senders get the policy over the certificate issued before.
    await bed.dns.set(domain, bind)
    const out = await mtaStsQuery(domain, bed.pebble.rootPemPath)
    expect(parseMtaStsQuery(out.stdout), out.stderr).toMatchObject({ result: 'VALID' })
    expect(await tlsProbe(host, bed.pebble.rootPem())).toMatchObject({ ok: true, serial: s1 })

    await ph.close()
    ph = await startPolicyhost({ pebble: bed.pebble, clock, dataDir: ph.dataDir, env: ph.env })
    expect(await ph.certState(host)).toEqual(failed)
    expect(await tlsProbe(host, bed.pebble.rootPem())).toMatchObject({ ok: true, serial: s1 })
    clock.passed(failed!.dueAt)
    expect(await ph.runtime.certs.runDue()).toMatchObject({ renewed: 1 })
    expect(await ph.certState(host)).toMatchObject({ status: 'ok', failures: 0, lastError: null })
    expect(ph.logged('cert_renewed', host)).toHaveLength(1)
  })

  it('when the CA has forgotten our account (pebble restarted), then the next order registers again and issues', async () => {
    await bed.pebble.restart(pebbleEnv)
    const host = 'mta-sts.lambda.test'
    await addPublishedDomain(ph, bed.dns, token, 'lambda.test', POLICY)
    const { state } = await tickUntil(ph, host, (s) => s.status === 'ok', 2)
    expect(state?.lastError ?? null).toBeNull()
    expect(state).toMatchObject({ status: 'ok', failures: 0 })
  })

  it('when pebble rejects 60 % of nonces, then new domains still get their certificates within a few attempts each and the server never crashes', async () => {
    await bed.pebble.restart({ ...pebbleEnv, PEBBLE_WFE_NONCEREJECT: '60' })
    // A fresh server and account: the one above may hold an account pebble no longer knows.
    await ph.close()
    rmSync(ph.dataDir, { recursive: true, force: true })
    ph = await startPolicyhost({ pebble: bed.pebble, clock })
    token = await createTenant(ph, 'nonces')
    // acme-client's own log shows each badNonce it retried: proof the fault was injected.
    let nonceRetries = 0
    acme.setLogger((msg) => {
      if (/invalid nonce/i.test(msg)) nonceRetries++
    })
    const attempts: number[] = []
    const errors: string[] = []
    try {
      for (const domain of NONCE_DOMAINS) {
        const host = `mta-sts.${domain}`
        await addPublishedDomain(ph, bed.dns, token, domain, POLICY)
        let n = 0
        while (n < MAX_NONCE_ATTEMPTS) {
          n++
          if ((await ph.runtime.certs.renew([host], true)).obtained === 1) break
          errors.push((await ph.certState(host))?.lastError ?? '(no state)')
        }
        attempts.push(n)
      }
    } finally {
      acme.setLogger(() => undefined)
    }
    report(
      `badNonce 60 %: order attempts per domain ${JSON.stringify(attempts)}, ${nonceRetries} ` +
        `badNonce retries inside acme-client, failed attempts: ${JSON.stringify(errors)}`,
    )
    expect(nonceRetries).toBeGreaterThan(0)
    for (const e of errors) expect(e).toMatch(/nonce/i)
    for (const domain of NONCE_DOMAINS) {
      const host = `mta-sts.${domain}`
      const state = await ph.certState(host)
      expect(state, host).toMatchObject({ status: 'ok', failures: 0 })
      const probe = await tlsProbe(host, bed.pebble.rootPem())
      expect(probe).toMatchObject({ ok: true, serial: state!.serial, authorized: true })
    }
    const out = await mtaStsQuery(NONCE_DOMAINS[0], bed.pebble.rootPemPath)
    expect(parseMtaStsQuery(out.stdout), out.stderr).toMatchObject({ result: 'VALID' })
    expect((await ph.http('GET', '/healthz')).status).toBe(200)
    expect(ph.logged('cert_attempt_crashed')).toEqual([])
  })
})
