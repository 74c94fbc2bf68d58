import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createTestCa,
  startSmtpServer,
  type SmtpTestServer,
} from '../../../test/helpers/smtp-test-server.js'
import {
  alphaWithDomain,
  serviceWorld,
  START,
  type ServiceWorld,
} from '../../../test/helpers/services.js'
import { getDomain } from '../domains/domains.js'
import { setPolicy } from '../mta-sts/mta-sts.js'
import { checkDomain } from './check-domain.js'

let world: ServiceWorld
let servers: SmtpTestServer[] = []
let dir: string
afterEach(async () => {
  await world.close()
  await Promise.all(servers.map((s) => s.close()))
  servers = []
  rmSync(dir, { recursive: true, force: true })
})

const MX = 'mx1.alpha.example'

/**
 * alpha.example in `mode`, its MX served by a real SMTP server on loopback presenting a
 * certificate for `names` from a test CA the probe trusts (MX_PROBE_CA_FILE).
 */
async function probed(names: string[], mode: 'enforce' | 'testing' = 'enforce') {
  // The world's clock: the probe judges certificates at the check's time, not the system's.
  const now = START
  const ca = await createTestCa(now)
  dir = mkdtempSync(join(tmpdir(), 'policyhost-probe-'))
  writeFileSync(join(dir, 'ca.pem'), ca.caPem)
  const day = 86_400_000
  const serve = async (leafNames: string[]) => {
    const tls = await ca.issue({
      names: leafNames,
      notBefore: new Date(now.getTime() - day),
      notAfter: new Date(now.getTime() + 30 * day),
    })
    const s = await startSmtpServer({ tls })
    servers.push(s)
    return s
  }
  const first = await serve(names)
  world = await serviceWorld({
    MX_PROBE: 'on',
    MX_PROBE_PORT: String(first.port),
    MX_PROBE_CA_FILE: join(dir, 'ca.pem'),
  })
  const { a } = await alphaWithDomain(world)
  const policy = await setPolicy(world.deps, a.actor, 'alpha.example', {
    mode,
    mx: [MX, 'mx2.alpha.example'],
    maxAge: 86400,
  })
  world.dns.txts.set('_mta-sts.alpha.example', [`v=STSv1; id=${policy.policyId}`])
  world.dns.mxs.set('alpha.example', [MX])
  world.dns.addrs.set(MX, ['127.0.0.1'])
  const check = async () =>
    checkDomain(world.deps, await getDomain(world.deps, a.actor, 'alpha.example'))
  return { check, first }
}

const keys = (r: { changes: { change: string; finding: { key: string; severity: string } }[] }) =>
  r.changes.map((c) => `${c.change} ${c.finding.key} ${c.finding.severity}`)

describe('the STARTTLS step of a check (real SMTP on loopback)', () => {
  it('when the MX presents a certificate for its name from a trusted CA, then the probe runs and finds nothing', async () => {
    const { check, first } = await probed([MX])

    const r = await check()

    expect(r.ran).toContain('starttls')
    expect(r.changes.map((c) => c.finding.message)).toEqual([])
    expect(first.commands).toContain('STARTTLS')
  })

  it('when the certificate names another host, then certificate-host-mismatch opens as an error in enforce', async () => {
    const { check } = await probed(['other.example'])

    const r = await check()

    expect(keys(r)).toEqual([`opened starttls:${MX}:certificate-host-mismatch error`])
    expect(r.changes[0]?.finding.message).toContain('certificate-host-mismatch')
  })

  it('when the policy is in testing, then the same failure is a warning', async () => {
    const { check } = await probed(['other.example'], 'testing')

    expect(keys(await check())).toEqual([`opened starttls:${MX}:certificate-host-mismatch warning`])
  })

  it('when an MX has no address, then it is a warning and nothing is probed', async () => {
    const { check, first } = await probed([MX])
    world.dns.addrs.delete(MX)

    const r = await check()

    expect(keys(r)).toEqual([`opened starttls:${MX}:no-address warning`])
    expect(first.commands).toEqual([])
  })

  it('when the address lookup fails, then the step is skipped and earlier findings stay', async () => {
    const { check } = await probed(['other.example'])
    await check()
    world.dns.failing.add(MX)

    const r = await check()

    expect(r.changes).toEqual([])
    expect(r.skipped).toContainEqual({ kind: 'starttls', reason: 'lookup failed' })
    expect(r.ran).not.toContain('starttls')
  })
})
