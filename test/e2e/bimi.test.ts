/**
 * BIMI end to end: a logo uploaded through the API is served over HTTPS on the service host
 * with pebble's certificate, exactly as uploaded, at the URL our `_bimi` record publishes; the
 * DMARC precondition is read from real DNS (knot) through the injected resolver.
 */
import { readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ADMIN_TOKEN,
  bindRecords,
  createTenant,
  SERVICE_HOST,
  startPolicyhost,
  startTestbed,
  TestClock,
  tickUntil,
  type Policyhost,
  type Testbed,
} from './harness/policyhost.js'

const LOGO = readFileSync(new URL('../fixtures/svg/real-fastmail-fm.svg', import.meta.url))
const DOMAIN = 'delta.test'

function raw(method: string, path: string, token: string, body: Buffer, type: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: 80,
        method,
        path,
        headers: { host: 'localhost', authorization: `Bearer ${token}`, 'content-type': type },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        )
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

function fetchTrusted(url: string, ca: string) {
  return new Promise<{ status: number; type: string | undefined; bytes: Buffer }>(
    (resolve, reject) => {
      const req = httpsRequest(url, { ca, agent: false }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: res.headers['content-type'],
            bytes: Buffer.concat(chunks),
          }),
        )
      })
      req.on('error', reject)
      req.end()
    },
  )
}

describe.skipIf(!process.env.PH_E2E_NETNS)('BIMI with pebble and knot', () => {
  let bed: Testbed
  let ph: Policyhost
  let token: string

  beforeAll(async () => {
    bed = await startTestbed()
    ph = await startPolicyhost({ pebble: bed.pebble, clock: new TestClock() })
    token = await createTenant(ph, 'delta')
    expect(
      (await ph.http('POST', '/api/v1/domains', { token, json: { name: DOMAIN } })).status,
    ).toBe(201)
  })

  afterAll(async () => {
    await ph?.close()
    await bed?.stop()
  })

  it('when a logo is uploaded, then the URL in the _bimi record serves it over HTTPS byte for byte', async () => {
    const up = await raw('PUT', `/api/v1/domains/${DOMAIN}/bimi/logo`, token, LOGO, 'image/svg+xml')
    expect(up.status, up.text).toBe(200)
    const { bind } = await bindRecords(ph, token, DOMAIN)
    const url =
      /^default\._bimi\.delta\.test\. IN TXT "v=BIMI1; l=(https:\/\/\S+\.svg); a="$/m.exec(
        bind,
      )?.[1]
    expect(url).toMatch(new RegExp(`^https://${SERVICE_HOST}/logos/${DOMAIN}/[0-9a-f]{16}\\.svg$`))
    const state = await tickUntil(ph, SERVICE_HOST, (s) => s.status === 'ok')
    expect(state.state?.status).toBe('ok')
    const got = await fetchTrusted(url!, readFileSync(bed.pebble.rootPemPath, 'utf8'))
    expect(got.status).toBe(200)
    expect(got.type).toBe('image/svg+xml')
    expect(got.bytes.equals(LOGO)).toBe(true)
  })

  it('when DMARC is at none, then the status names it; at reject, nothing blocks BIMI', async () => {
    const { bind } = await bindRecords(ph, token, DOMAIN)
    await bed.dns.set(
      DOMAIN,
      `${bind}\n_dmarc.${DOMAIN}. 60 IN TXT "v=DMARC1; p=none; rua=mailto:d@${DOMAIN}"`,
    )
    const before = (await ph.http('GET', `/api/v1/domains/${DOMAIN}/status`, { token })).json()
    expect(before.bimi.dmarcBlockers).toEqual([
      `_dmarc.${DOMAIN}: DMARC p=none is not quarantine or reject`,
    ])
    await bed.dns.set(DOMAIN, `${bind}\n_dmarc.${DOMAIN}. 60 IN TXT "v=DMARC1; p=reject"`)
    const after = (
      await ph.http('GET', `/api/v1/domains/${DOMAIN}/status`, { token: ADMIN_TOKEN })
    ).json()
    expect(after.bimi.dmarcBlockers).toEqual([])
  })
})
