import { createServer, type Server } from 'node:https'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestCa } from '../../../test/helpers/smtp-test-server.js'
import {
  alphaWithDomain,
  serviceWorld,
  START,
  type ServiceWorld,
} from '../../../test/helpers/services.js'
import { policyFetcher } from '../../adapters/mta-sts/policy-fetcher-port.js'
import { getDomain } from '../domains/domains.js'
import { setPolicy } from '../mta-sts/mta-sts.js'
import { checkDomain } from './check-domain.js'

let world: ServiceWorld
let server: Server | undefined
afterEach(async () => {
  await world.close()
  await new Promise((r) => (server ? server.close(r) : r(undefined)))
  server = undefined
})

const HOST = 'mta-sts.alpha.example'
const DAY = 86_400_000

/**
 * alpha.example in enforce, its policy host answered by a real HTTPS server on loopback with a
 * certificate for `names` from a test CA; the fetcher is the real adapter pointed at that port
 * and trusting that CA (in the server: port 443 and the system roots).
 */
async function hosted(names: string[], body: (served: string) => string = (t) => t) {
  world = await serviceWorld()
  const { a, domain } = await alphaWithDomain(world)
  await setPolicy(world.deps, a.actor, 'alpha.example', {
    mode: 'enforce',
    mx: ['mx1.alpha.example'],
    maxAge: 86400,
  })
  const served = (await world.deps.repos.policies.get(domain.id))!.text
  world.dns.mxs.set('alpha.example', ['mx1.alpha.example'])
  world.dns.addrs.set(HOST, ['127.0.0.1'])
  const ca = await createTestCa(START)
  const tls = await ca.issue({
    names,
    notBefore: new Date(START.getTime() - DAY),
    notAfter: new Date(START.getTime() + 30 * DAY),
  })
  server = createServer(tls, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(body(served))
  })
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  Object.assign(world.deps, {
    policyFetcher: policyFetcher({ timeoutMs: 5000, port, ca: ca.caPem }),
  })
  const check = async () =>
    checkDomain(world.deps, await getDomain(world.deps, a.actor, 'alpha.example'))
  const keys = async () => (await check()).changes.map((c) => `${c.change} ${c.finding.key}`)
  return { check, keys }
}

describe('the policy host as senders fetch it (real HTTPS on loopback)', () => {
  it('when the host serves exactly our policy with a valid certificate, then nothing is found', async () => {
    const { check } = await hosted([HOST])
    const r = await check()
    expect(r.ran).toContain('policy-host')
    expect(r.changes.filter((c) => c.finding.kind === 'policy-host')).toEqual([])
  })

  it('when the host serves other bytes, then policy-host:differs opens', async () => {
    const { keys } = await hosted([HOST], (t) => t.replace('enforce', 'testing'))
    expect((await keys()).filter((k) => k.includes('policy-host'))).toEqual([
      'opened policy-host:differs',
    ])
  })

  it('when the certificate names another host, then the failure is named by its reason', async () => {
    const { keys } = await hosted(['other.example'])
    expect((await keys()).filter((k) => k.includes('policy-host'))).toEqual([
      'opened policy-host:certificate-host-mismatch',
    ])
  })

  it('when the policy host has no address, then senders cannot fetch it', async () => {
    const { keys } = await hosted([HOST])
    world.dns.addrs.delete(HOST)
    expect((await keys()).filter((k) => k.includes('policy-host'))).toEqual([
      'opened policy-host:no-address',
    ])
  })
})
