/**
 * The domain checker end to end (issue 13): real MX hosts (one Debian Postfix, one smtpd per
 * case on its own loopback address, port 25), real DNS drift (knot zones the tests rewrite), the
 * checks run through the API and the CLI, and the alerts received by a webhook receiver that
 * verifies every signature. Each case is its own domain, so each finding is unambiguous.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestCa, pebbleCertificate, selfSigned } from './harness/mx-certs.js'
import { startPostfix, type Postfix } from './harness/postfix.js'
import {
  bindRecords,
  createTenant,
  putPolicy,
  SERVICE_HOST,
  startPolicyhost,
  startTestbed,
  TestClock,
  tickUntil,
  type Policyhost,
  type Testbed,
} from './harness/policyhost.js'
import { run } from './harness/processes.js'
import { settled, startReceiver, type ReceivedAlert } from './harness/webhook-receiver.js'

/** The MX cases: name, loopback address, and what serves it. */
const MX = {
  good: { host: 'mx-good.test', address: '127.0.0.11' },
  expired: { host: 'mx-expired.test', address: '127.0.0.12' },
  wrongName: { host: 'mx-wrongname.test', address: '127.0.0.13' },
  selfSigned: { host: 'mx-selfsigned.test', address: '127.0.0.14' },
  plain: { host: 'mx-plain.test', address: '127.0.0.15' },
  silent: { host: 'mx-silent.test', address: '127.0.0.16' },
} as const

type Expected = { kind: string; key: string; severity: 'error' | 'warning' }
type Case = { domain: string; mx: string; policyMx?: string[]; expect: Expected[] }
const err = (kind: string, key: string): Expected => ({ kind, key, severity: 'error' })
const starttls = (mx: string, type: string) => err('starttls', `starttls:${mx}:${type}`)

// Every policy is in enforce: a failure is mail refused, hence an error (RFC 8461 §5).
const CASES: Case[] = [
  { domain: 'healthy.test', mx: MX.good.host, expect: [] },
  {
    domain: 'expired.test',
    mx: MX.expired.host,
    expect: [starttls(MX.expired.host, 'certificate-expired')],
  },
  {
    domain: 'wrongname.test',
    mx: MX.wrongName.host,
    expect: [starttls(MX.wrongName.host, 'certificate-host-mismatch')],
  },
  {
    domain: 'selfsigned.test',
    mx: MX.selfSigned.host,
    expect: [starttls(MX.selfSigned.host, 'certificate-not-trusted')],
  },
  {
    domain: 'plaintext.test',
    mx: MX.plain.host,
    expect: [starttls(MX.plain.host, 'starttls-not-supported')],
  },
  {
    domain: 'silent.test',
    mx: MX.silent.host,
    expect: [starttls(MX.silent.host, 'validation-failure')],
  },
  {
    domain: 'staleid.test',
    mx: MX.good.host,
    expect: [err('sts-record', 'sts-record:id-mismatch')],
  },
  { domain: 'twosts.test', mx: MX.good.host, expect: [err('sts-record', 'sts-record:multiple')] },
  {
    domain: 'foreignrua.test',
    mx: MX.good.host,
    expect: [{ kind: 'tlsrpt-record', key: 'tlsrpt-record:rua-not-ours', severity: 'warning' }],
  },
  {
    domain: 'uncovered.test',
    mx: MX.good.host,
    policyMx: ['mx.elsewhere.test'],
    expect: [err('mx', `mx:uncovered:${MX.good.host}`)],
  },
]

/** The drift each domain publishes: our generator's records, altered. */
function drift(domain: string, bind: string): string {
  const rua = `_smtp._tls.${domain}. IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@${domain}"`
  switch (domain) {
    case 'staleid.test':
      return bind.replace(/id=[A-Za-z0-9]+/, 'id=stale20260101')
    case 'twosts.test':
      return `${bind}\n_mta-sts.${domain}. IN TXT "v=STSv1; id=second20260101"`
    case 'foreignrua.test':
      return bind.replace(/^_smtp\._tls\..*$/m, rua)
    default:
      return bind
  }
}

/** Material for the closing note, under one marker. */
function note(text: string): void {
  // eslint-disable-next-line no-console
  console.log(`[e2e-checks] ${text}`)
}

const keyCount = (bodies: ReceivedAlert[], type: string) => {
  const counts = new Map<string, number>()
  for (const b of bodies.filter((r) => r.body.type === type)) {
    const id = `${String(b.body.domain)} ${String(b.body.key)}`
    counts.set(id, (counts.get(id) ?? 0) + 1)
  }
  return counts
}

describe.skipIf(!process.env.PH_E2E_NETNS)('domain checks against Postfix and knot', () => {
  let bed: Testbed
  let ph: Policyhost
  let postfix: Postfix
  let silent: NetServer
  const silentSockets = new Set<Socket>()
  let workDir: string
  let caFile: string
  let token: string
  let secret = ''
  const receiver = startReceiver(() => secret)
  const binds = new Map<string, string>()

  const check = async (domain: string) => {
    const started = performance.now()
    const res = await ph.http('POST', `/api/v1/domains/${domain}/checks`, { token })
    return { res, ms: performance.now() - started }
  }
  /** Every domain checked at once; the clock first passes the API's 10 s per-domain limit. */
  const checkAll = async () => {
    ph.clock.advance(11)
    const done = await Promise.all(CASES.map((c) => check(c.domain)))
    return new Map(CASES.map((c, i) => [c.domain, done[i]!]))
  }
  const publish = (domain: string, bind: string, mx: string) =>
    bed.dns.set(domain, `${bind}\n${domain}. IN MX 10 ${mx}.`)

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'ph-checks-'))
    bed = await startTestbed()
    const hosts = Object.values(MX).map((m) => `${m.host}. IN A ${m.address}`)
    await bed.dns.set('mx-hosts', hosts.join('\n'))

    const ca = await makeTestCa(workDir)
    const expired = await ca.issue('expired', MX.expired.host, '20250101000000Z', '20250201000000Z')
    const wrong = await ca.issue('wrong', 'other-host.test', '20260101000000Z', '20301231000000Z')
    const self = await selfSigned(workDir, 'selfsigned', MX.selfSigned.host)
    const good = await pebbleCertificate(workDir, bed.pebble, MX.good.host, MX.good.address)
    // What the probe trusts: pebble's root (it issued mx-good) and the test CA.
    caFile = join(workDir, 'mx-probe-ca.pem')
    writeFileSync(caFile, bed.pebble.rootPem() + readFileSync(ca.rootPath, 'utf8'))

    postfix = await startPostfix(workDir, [
      { ...MX.good, hostname: MX.good.host, tls: good },
      { ...MX.expired, hostname: MX.expired.host, tls: expired },
      { ...MX.wrongName, hostname: MX.wrongName.host, tls: wrong },
      { ...MX.selfSigned, hostname: MX.selfSigned.host, tls: self },
      { ...MX.plain, hostname: MX.plain.host, tls: null },
    ])
    // Accepts and never says a word: the banner the probe waits for never comes.
    silent = createNetServer((s) => {
      silentSockets.add(s)
      s.on('close', () => silentSockets.delete(s))
      s.on('error', () => undefined)
    })
    await new Promise<void>((resolve) => silent.listen(25, MX.silent.address, resolve))
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve))

    ph = await startPolicyhost({
      pebble: bed.pebble,
      clock: new TestClock(),
      env: {
        MX_PROBE: 'on',
        MX_PROBE_CA_FILE: caFile,
        // The silent MX costs this once per run: 5 s, not the default 30.
        MX_PROBE_TIMEOUT_SECONDS: '5',
        // The policy fetched from outside as a sender trusting pebble's root would.
        POLICY_FETCH: 'on',
        POLICY_FETCH_CA_FILE: bed.pebble.rootPemPath,
        WEBHOOK_ALLOW_PRIVATE: 'true',
      },
    })
    token = await createTenant(ph, 'checks')
    const { port } = receiver.server.address() as { port: number }
    const hook = await ph.http('POST', '/api/v1/webhooks', {
      token,
      json: { url: `http://127.0.0.1:${port}/alerts` },
    })
    expect(hook.status, hook.text).toBe(201)
    secret = hook.json().secret

    for (const c of CASES) {
      const added = await ph.http('POST', '/api/v1/domains', { token, json: { name: c.domain } })
      expect(added.status, added.text).toBe(201)
      await ph.runtime.certs.idle()
      const mx = c.policyMx ?? [c.mx]
      await putPolicy(ph, token, c.domain, { mode: 'enforce', mx, maxAge: 86400 })
      const rpt = await ph.http('PUT', `/api/v1/domains/${c.domain}/tls-rpt`, {
        token,
        json: { rua: [] },
      })
      expect(rpt.status, rpt.text).toBe(200)
      const { bind } = await bindRecords(ph, token, c.domain)
      expect(bind).toMatch(/^_smtp\._tls\.\S+ IN TXT "v=TLSRPTv1; rua=https:/m)
      binds.set(c.domain, bind)
      await publish(c.domain, drift(c.domain, bind), c.mx)
    }
    // Our own certificates issued, so that no `certificate:` finding muddies the cases.
    for (const c of CASES) {
      const { state } = await tickUntil(ph, `mta-sts.${c.domain}`, (s) => s.status === 'ok', 4)
      expect(state?.status, c.domain).toBe('ok')
    }
  })

  afterAll(async () => {
    await ph?.close()
    if (ph) rmSync(ph.dataDir, { recursive: true, force: true })
    await postfix?.stop()
    for (const s of silentSockets) s.destroy()
    await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)))
    receiver.server.closeAllConnections()
    await new Promise((resolve) => receiver.server.close(resolve))
    await bed?.stop()
    if (workDir) rmSync(workDir, { recursive: true, force: true })
  })

  it('when the MX hosts are probed, then each answers from this Postfix instance (not a system one)', async () => {
    for (const m of Object.values(MX).filter((x) => x !== MX.silent)) {
      expect(await postfix.banner(m.address)).toBe(`220 ${m.host} ESMTP ${postfix.token}`)
    }
  })

  it('when every domain is checked, then each has exactly its own findings, and the webhook gets each opened finding once, signed', async () => {
    const runs = await checkAll()
    for (const c of CASES) {
      const { res, ms } = runs.get(c.domain)!
      expect(res.status, res.text).toBe(200)
      const body = res.json()
      const found = body.findings.map((f: Expected) => ({
        kind: f.kind,
        key: f.key,
        severity: f.severity,
      }))
      expect(found, c.domain).toEqual(c.expect)
      expect(body.ran, c.domain).toEqual(
        expect.arrayContaining(['sts-record', 'starttls', 'mx', 'policy-host']),
      )
      expect(body.skipped, c.domain).toEqual([])
      if (c.domain === 'silent.test') note(`silent.test check: ${Math.round(ms)} ms`)
    }
    // The silent MX costs the banner timeout (MX_PROBE_TIMEOUT_SECONDS=5), and the check still
    // ends within the probe's deadline (twice that).
    const silentRun = runs.get('silent.test')!
    expect(silentRun.ms).toBeGreaterThanOrEqual(4_900)
    expect(silentRun.ms).toBeLessThan(10_000)
    expect(silentRun.res.json().findings[0].message).toMatch(/\(banner: no answer within/)

    const total = CASES.reduce((n, c) => n + c.expect.length, 0)
    expect(await settled(() => receiver.received.length)).toBe(total)
    expect(receiver.rejected).toEqual([])
    const opened = keyCount(receiver.received, 'finding.opened')
    const wanted = CASES.flatMap((c) => c.expect.map((e) => [`${c.domain} ${e.key}`, 1]))
    expect(Object.fromEntries(opened)).toEqual(Object.fromEntries(wanted))
  })

  it('when every domain is checked again with nothing changed, then no webhook is sent', async () => {
    const before = receiver.received.length
    const runs = await checkAll()
    for (const c of CASES) expect(runs.get(c.domain)!.res.json().changes, c.domain).toEqual([])
    expect(await settled(() => receiver.received.length, 3_000)).toBe(before)
  })

  it('when the stale _mta-sts id is fixed in DNS, then the next check resolves it and the webhook gets exactly one finding.resolved', async () => {
    const before = receiver.received.length
    const c = CASES.find((x) => x.domain === 'staleid.test')!
    await publish(c.domain, binds.get(c.domain)!, c.mx)
    const runs = await checkAll()
    const staleid = runs.get(c.domain)!.res.json()
    expect(staleid.findings).toEqual([])
    expect(staleid.changes).toEqual([{ change: 'resolved', key: 'sts-record:id-mismatch' }])
    for (const other of CASES.filter((x) => x !== c)) {
      expect(runs.get(other.domain)!.res.json().changes, other.domain).toEqual([])
    }
    expect(await settled(() => receiver.received.length)).toBe(before + 1)
    const last = receiver.received.at(-1)!.body
    expect(last).toMatchObject({
      type: 'finding.resolved',
      domain: c.domain,
      check: 'sts-record',
      key: 'sts-record:id-mismatch',
      severity: 'error',
    })
    expect(receiver.rejected).toEqual([])
    note(`webhook bodies:\n${receiver.received.map((r) => r.raw).join('\n')}`)
    for (const domain of ['twosts.test', 'healthy.test']) {
      const status = await ph.http('GET', `/api/v1/domains/${domain}/status`, { token })
      expect(status.status).toBe(200)
      note(`status ${domain}:\n${JSON.stringify(status.json(), null, 2)}`)
    }
  })

  it('when the operator runs `policyhost check` with the policy fetched from outside, then the healthy domain has no problem at all and it exits 0', async () => {
    // A separate process on the same data, as an operator runs it: the policy fetch for real.
    const env = {
      PATH: process.env.PATH,
      POLICY_FETCH_CA_FILE: bed.pebble.rootPemPath,
      MX_PROBE_TIMEOUT_SECONDS: '5',
      DATA_DIR: ph.dataDir,
      SERVICE_HOST,
      HTTP_PORT: '80',
      HTTPS_PORT: '443',
      BIND_ADDRESS: '127.0.0.1',
      POLICIES_DIR: '',
      ACME_DIRECTORY_URL: bed.pebble.directoryUrl,
      ACME_CA_FILE: bed.pebble.listenerCaPath,
      DNS_SERVERS: '127.0.0.1',
      DOMAIN_VERIFICATION: 'off',
      CHECKS: 'off',
      MX_PROBE: 'on',
      MX_PROBE_CA_FILE: caFile,
      POLICY_FETCH: 'on',
    }
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx')
    const cli = await run(tsx, ['src/cli/index.ts', 'check', 'healthy.test'], {
      env,
      timeoutMs: 90_000,
    })
    note(`policyhost check healthy.test → ${cli.code}\n${cli.stdout}`)
    expect(cli.code, cli.stderr).toBe(0)
    expect(cli.stdout).toMatch(/^checked: .*\bpolicy-host\b/m)
    expect(cli.stdout).toMatch(/\bstarttls\b/)
    expect(cli.stdout).not.toMatch(/not checked/)
    expect(cli.stdout).toContain('no problems found')
  })
})
