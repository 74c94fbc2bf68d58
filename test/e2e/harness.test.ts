/**
 * Self-test of the e2e harness, no policyhost server involved: knot serves the DNS, pebble issues
 * a certificate over HTTP-01 (acme-client), a tiny HTTPS server serves a policy, and Debian's
 * mta-sts-query fetches it. Runs only inside the namespace made by test/e2e/run.sh.
 */
import { lookup, Resolver } from 'node:dns/promises'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { Agent, createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as acme from 'acme-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKnot, type Knot } from './harness/knot.js'
import { mtaStsQuery, parseMtaStsQuery } from './harness/mta-sts-query.js'
import { startPebble, type Pebble } from './harness/pebble.js'

const HTTP_PORT = 80
const HTTPS_PORT = 443
const POLICY = 'version: STSv1\r\nmode: enforce\r\nmx: mail.example.test\r\nmax_age: 86400\r\n'

function listen<T extends HttpServer | HttpsServer>(server: T, port: number): Promise<T> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

function close(server: HttpServer | HttpsServer | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()))
}

describe.skipIf(!process.env.PH_E2E_NETNS)('e2e harness', () => {
  let workDir: string
  let knot: Knot | undefined
  let pebble: Pebble | undefined
  let challengeServer: HttpServer | undefined
  let policyServer: HttpsServer | undefined
  const challenges = new Map<string, string>()

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'ph-e2e-'))
    knot = await startKnot(join(workDir, 'knot'))
    await knot.setZone('example.test', [
      { name: 'mta-sts.example.test', type: 'A', value: '127.0.0.1' },
      { name: '_mta-sts.example.test', type: 'TXT', value: 'v=STSv1; id=abc123' },
    ])
    pebble = await startPebble(workDir, { httpPort: HTTP_PORT })
    challengeServer = await listen(
      createHttpServer((req, res) => {
        const token = /^\/\.well-known\/acme-challenge\/([\w-]+)$/.exec(req.url ?? '')?.[1]
        const keyAuthorization = token === undefined ? undefined : challenges.get(token)
        res.writeHead(keyAuthorization === undefined ? 404 : 200, { 'content-type': 'text/plain' })
        res.end(keyAuthorization ?? 'not found')
      }),
      HTTP_PORT,
    )
  })

  afterAll(async () => {
    await Promise.all([close(challengeServer), close(policyServer)])
    await pebble?.stop()
    await knot?.stop()
    if (workDir) rmSync(workDir, { recursive: true, force: true })
  })

  it('when a zone is set, then node:dns, getaddrinfo and kdig all see its records', async () => {
    const resolver = new Resolver({ timeout: 1_000, tries: 1 })
    resolver.setServers(['127.0.0.1'])
    expect(await resolver.resolve4('mta-sts.example.test')).toEqual(['127.0.0.1'])
    expect(await resolver.resolveTxt('_mta-sts.example.test')).toEqual([['v=STSv1; id=abc123']])
    // getaddrinfo reads /etc/resolv.conf, which `ip netns exec` points at knot.
    expect(await lookup('mta-sts.example.test', { family: 4 })).toMatchObject({
      address: '127.0.0.1',
    })
    expect(await knot!.dig('_mta-sts.example.test', 'TXT')).toEqual(['"v=STSv1; id=abc123"'])
  })

  it('when a BIND fragment is appended, then its records are served', async () => {
    await knot!.setZoneText(
      'example.test',
      'alias.example.test. IN CNAME svc.example.test.\n_x.example.test. IN TXT "v=STSv1; id=frag"',
    )
    expect(await knot!.dig('alias.example.test', 'CNAME')).toEqual(['svc.example.test.'])
    expect(await knot!.dig('_x.example.test', 'TXT')).toEqual(['"v=STSv1; id=frag"'])
  })

  it('when a certificate from pebble serves the policy, then mta-sts-query reports VALID', async () => {
    acme.axios.defaults.httpsAgent = new Agent({ ca: readFileSync(pebble!.listenerCaPath) })
    const client = new acme.Client({
      directoryUrl: pebble!.directoryUrl,
      accountKey: await acme.crypto.createPrivateEcdsaKey(),
    })
    const [key, csr] = await acme.crypto.createCsr(
      { commonName: 'mta-sts.example.test' },
      await acme.crypto.createPrivateEcdsaKey(),
    )
    const cert = await client.auto({
      csr,
      termsOfServiceAgreed: true,
      challengePriority: ['http-01'],
      skipChallengeVerification: true,
      challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
        challenges.set(challenge.token, keyAuthorization)
      },
      challengeRemoveFn: async (_authz, challenge) => {
        challenges.delete(challenge.token)
      },
    })
    policyServer = await listen(
      createHttpsServer({ key, cert }, (req, res) => {
        const found = req.url === '/.well-known/mta-sts.txt'
        res.writeHead(found ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' })
        res.end(found ? POLICY : 'not found')
      }),
      HTTPS_PORT,
    )

    const out = await mtaStsQuery('example.test', pebble!.rootPemPath)
    expect(out.code, out.stderr).toBe(0)
    expect(parseMtaStsQuery(out.stdout)).toEqual({
      result: 'VALID',
      id: 'abc123',
      policy: { version: 'STSv1', mode: 'enforce', mx: ['mail.example.test'], max_age: 86400 },
    })
  })

  it('when the known id is passed, then mta-sts-query reports NOT_CHANGED', async () => {
    const out = await mtaStsQuery('example.test', pebble!.rootPemPath, 'abc123')
    expect(parseMtaStsQuery(out.stdout), out.stderr).toEqual({ result: 'NOT_CHANGED' })
  })

  it('when the name does not exist inside a served zone, then mta-sts-query reports NONE', async () => {
    const out = await mtaStsQuery('nosuch.example.test', pebble!.rootPemPath)
    expect(parseMtaStsQuery(out.stdout), out.stderr).toEqual({ result: 'NONE' })
  })

  it('when pebble restarts, then its root changes and the old certificate fails', async () => {
    const before = pebble!.rootPem()
    await pebble!.restart()
    expect(pebble!.rootPem()).not.toBe(before)
    const out = await mtaStsQuery('example.test', pebble!.rootPemPath)
    expect(parseMtaStsQuery(out.stdout), out.stderr).toEqual({ result: 'FETCH_ERROR' })
    expect(out.stderr).toMatch(/CERTIFICATE_VERIFY_FAILED/)
  })
})
