import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createMarkCa } from './helpers/mark-ca.js'
import {
  createTenant,
  issueDue,
  SERVICE_HOST,
  startServer,
  type TestResponse,
  type TestServer,
} from './helpers/test-server.js'

const LOGO = readFileSync(new URL('./fixtures/svg/real-fastmail-fm.svg', import.meta.url))
const OTHER_LOGO = readFileSync(new URL('./fixtures/svg/real-login-gov.svg', import.meta.url))
const BAD_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" x="0" y="0" viewBox="0 0 100 50"><script>alert(1)</script></svg>'
let s: TestServer
let token: string
/** This test's domain: each test has its own tenant and domain on the one server of the file. */
let DOMAIN: string
let tests = 0

// One server (and one worker thread) for the file; no test reads another's tenant or domain.
beforeAll(async () => {
  s = await startServer({ env: { DNS_SERVERS: '127.0.0.1:9' } })
})
afterAll(() => s.close())
beforeEach(async () => {
  tests++
  DOMAIN = `brand${tests}.example.org`
  token = (await createTenant(s, `brand-${tests}`)).token
  expect(
    (await s.request('POST', '/api/v1/domains', { token, json: { name: DOMAIN } })).status,
  ).toBe(201)
})

const putLogo = (
  body: string | Buffer,
  headers = { 'content-type': 'image/svg+xml' },
  tok = token,
) => s.request('PUT', `/api/v1/domains/${DOMAIN}/bimi/logo`, { token: tok, rawBody: body, headers })
const records = async () =>
  (await s.request('GET', `/api/v1/domains/${DOMAIN}/records`, { token })).json().records
const fetchHttps = async (
  host: string,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
) => {
  await issueDue(s)
  return s.request(method, path, { host, https: true, headers })
}

function expectLogoHeaders(res: TestResponse): void {
  expect(res.status).toBe(200)
  expect(res.headers['content-type']).toBe('image/svg+xml')
  expect(res.headers['x-content-type-options']).toBe('nosniff')
  expect(res.headers['content-security-policy']).toBe(
    "default-src 'none'; style-src 'unsafe-inline'",
  )
  expect(res.headers.etag).toMatch(/^"[0-9a-f]{64}"$/)
  expect(res.headers.location).toBeUndefined()
}

describe('BIMI logo upload', () => {
  it('when the logo is not SVG Tiny PS, then 422 lists every reason and nothing is stored', async () => {
    const res = await putLogo(BAD_SVG)
    expect(res.status).toBe(422)
    expect(res.headers['content-type']).toBe('application/problem+json')
    const rules = res.json().errors.map((e: { rule: string }) => e.rule)
    expect(rules.length).toBeGreaterThanOrEqual(4)
    for (const e of res.json().errors) expect(e.path).toMatch(/^\//)
    expect(JSON.stringify(res.json())).toContain('/svg/script')
    expect(
      (await s.request('GET', `/api/v1/domains/${DOMAIN}/bimi`, { token })).json().bimi,
    ).toEqual([])
    expect((await records()).some((r: { name: string }) => r.name.includes('_bimi'))).toBe(false)
  })

  it('when an ordinary SVG is uploaded, then the 422 names the converter; for garbage it does not', async () => {
    // An Illustrator export: SVG 1.1, x/y on the root, a <style> sheet, no title.
    const ordinary = readFileSync(
      new URL('./fixtures/convert/illustrator-classes.svg', import.meta.url),
    )
    // Not XML, not an SVG, or only what the converter keeps (a non-square picture).
    const garbage = [
      'this is not XML <<<',
      '<html><body>not an svg</body></html>',
      readFileSync(new URL('./fixtures/svg/invalid-size-not-square.svg', import.meta.url)),
    ]
    const convert = /POST \/api\/v1\/bimi\/convert.*policyhost logo convert FILE --title/

    const res = await putLogo(ordinary)

    expect(res.status).toBe(422)
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect(res.json().detail).toMatch(/^the logo is not valid SVG Tiny PS; convert it first: /)
    expect(res.json().detail).toMatch(convert)
    expect(res.json().errors.map((e: { rule: string }) => e.rule)).toContain('root-base-profile')
    // The converter's own route indeed turns it into a valid logo that is then accepted.
    const converted = await s.request('POST', '/api/v1/bimi/convert?title=Brand', {
      token,
      rawBody: ordinary,
      headers: { 'content-type': 'image/svg+xml' },
    })
    expect(converted.json().valid).toBe(true)
    expect((await putLogo(converted.json().svg)).status).toBe(200)
    for (const body of garbage) {
      const refused = await putLogo(body)
      expect(refused.status, String(body)).toBe(422)
      expect(refused.json().detail, String(body)).toBe('the logo is not valid SVG Tiny PS')
    }
  })

  it('when the body is too large or not SVG, then 413 and 415', async () => {
    expect((await putLogo(Buffer.alloc(40_000, 0x20))).status).toBe(413)
    expect((await putLogo(LOGO, { 'content-type': 'application/json' })).status).toBe(415)
  })

  it('when the logo is valid, then it is served byte for byte on its content-addressed URL', async () => {
    const res = await putLogo(LOGO)
    expect(res.status).toBe(200)
    const { logoUrl, logoSha256 } = res.json()
    expect(logoUrl).toBe(`https://${SERVICE_HOST}/logos/${DOMAIN}/${logoSha256.slice(0, 16)}.svg`)
    expect(await records()).toContainEqual(
      expect.objectContaining({
        name: `default._bimi.${DOMAIN}`,
        type: 'TXT',
        value: `v=BIMI1; l=${logoUrl}; a=`,
      }),
    )
    const path = new URL(logoUrl).pathname
    const got = await fetchHttps(SERVICE_HOST, path)
    expectLogoHeaders(got)
    expect(got.headers['cache-control']).toContain('immutable')
    expect(got.bytes.equals(LOGO)).toBe(true)
    const head = await fetchHttps(SERVICE_HOST, path, 'HEAD')
    expect(head.status).toBe(200)
    expect(head.bytes.length).toBe(0)
    expect(
      (await fetchHttps(SERVICE_HOST, path, 'GET', { 'if-none-match': got.headers.etag as string }))
        .status,
    ).toBe(304)
    for (const other of [
      path.replace('.svg', '.png'),
      `/logos/other.example.org/${logoSha256.slice(0, 16)}.svg`,
      '/logos/',
      `${path}/x`,
    ]) {
      expect((await fetchHttps(SERVICE_HOST, other)).status, other).toBe(404)
    }
    expect((await fetchHttps(SERVICE_HOST, path, 'POST')).status).toBe(404)
  })

  it('when the logo is replaced, then the old URL keeps working and the record moves', async () => {
    const first = (await putLogo(LOGO)).json().logoUrl
    const second = (await putLogo(OTHER_LOGO)).json().logoUrl
    expect(second).not.toBe(first)
    expect((await fetchHttps(SERVICE_HOST, new URL(first).pathname)).bytes.equals(LOGO)).toBe(true)
    expect(
      (await records()).find((r: { name: string }) => r.name.includes('_bimi')).value,
    ).toContain(second)
  })

  it('when another tenant uploads to this domain, then 404', async () => {
    const other = await createTenant(s, 'other')
    expect((await putLogo(LOGO, { 'content-type': 'image/svg+xml' }, other.token)).status).toBe(404)
  })
})

describe('logo host', () => {
  it('when a logo host is set, then it gets a certificate and serves the logo at a stable path only', async () => {
    await putLogo(LOGO)
    const set = await s.request('PUT', `/api/v1/domains/${DOMAIN}/bimi/logo-host`, {
      token,
      json: { hostname: `BIMI.${DOMAIN}` },
    })
    expect(set.json()).toEqual({ hostname: `bimi.${DOMAIN}` })
    const all = await records()
    expect(all).toContainEqual(
      expect.objectContaining({ name: `bimi.${DOMAIN}`, type: 'CNAME', value: `${SERVICE_HOST}.` }),
    )
    expect(all.find((r: { name: string }) => r.name.includes('_bimi')).value).toBe(
      `v=BIMI1; l=https://bimi.${DOMAIN}/default.svg; a=`,
    )
    const got = await fetchHttps(`bimi.${DOMAIN}`, '/default.svg')
    expectLogoHeaders(got)
    expect(got.bytes.equals(LOGO)).toBe(true)
    for (const p of ['/.well-known/mta-sts.txt', '/other.svg', '/default.pem', '/api/v1/domains']) {
      expect((await fetchHttps(`bimi.${DOMAIN}`, p)).status, p).toBe(404)
    }
  })

  it('when the logo host is not under the domain, then 422', async () => {
    for (const hostname of ['bimi.other.example', `mta-sts.${DOMAIN}`, 'not a host']) {
      const res = await s.request('PUT', `/api/v1/domains/${DOMAIN}/bimi/logo-host`, {
        token,
        json: { hostname },
      })
      expect(res.status, hostname).toBe(422)
    }
  })
})

describe('mark certificate', () => {
  const now = new Date()
  const year = 365 * 86_400_000

  it('when the certificate embeds the hosted logo, then a= is published and the PEM is served', async () => {
    await putLogo(LOGO)
    const ca = await createMarkCa(now)
    const mark = await ca.issue({
      logotype: { kind: 'gzip', svg: LOGO.toString('utf8') },
      dnsNames: [DOMAIN],
      notBefore: new Date(now.getTime() - 86_400_000),
      notAfter: new Date(now.getTime() + year),
    })
    const res = await s.request('PUT', `/api/v1/domains/${DOMAIN}/bimi/certificate`, {
      token,
      rawBody: mark.chainPem,
      headers: { 'content-type': 'application/pem-certificate-chain' },
    })
    expect(res.status, res.text).toBe(200)
    const url = res.json().certificateUrl
    expect(url).toBe(`https://${SERVICE_HOST}/logos/${DOMAIN}/default.pem`)
    expect((await records()).find((r: { name: string }) => r.name.includes('_bimi')).value).toMatch(
      /; a=https:\/\/.+\/default\.pem$/,
    )
    const pem = await fetchHttps(SERVICE_HOST, new URL(url).pathname)
    expect(pem.status).toBe(200)
    expect(pem.headers['content-type']).toBe('application/pem-certificate-chain')
    expect(pem.text).toBe(mark.chainPem)
  })

  it('when the certificate embeds another logo or has expired, then 422 with the reason', async () => {
    await putLogo(LOGO)
    const ca = await createMarkCa(now)
    const other = await ca.issue({
      logotype: { kind: 'gzip', svg: OTHER_LOGO.toString('utf8') },
      dnsNames: [DOMAIN],
      notBefore: new Date(now.getTime() - 86_400_000),
      notAfter: new Date(now.getTime() + year),
    })
    const expired = await ca.issue({
      logotype: { kind: 'gzip', svg: LOGO.toString('utf8') },
      dnsNames: [DOMAIN],
      notBefore: new Date(now.getTime() - 2 * year),
      notAfter: new Date(now.getTime() - year),
    })
    for (const [pem, rule] of [
      [other.chainPem, 'vmc-logotype-mismatch'],
      [expired.chainPem, 'vmc-expired'],
    ] as const) {
      const res = await s.request('PUT', `/api/v1/domains/${DOMAIN}/bimi/certificate`, {
        token,
        rawBody: pem,
        headers: { 'content-type': 'application/pem-certificate-chain' },
      })
      expect(res.status).toBe(422)
      expect(res.json().errors.map((e: { rule: string }) => e.rule)).toContain(rule)
    }
  })
})

describe('mark certificate expiry', () => {
  it('when the certificate expires within 30 days, then upload warns and the status says so', async () => {
    await putLogo(LOGO)
    const now = new Date()
    const ca = await createMarkCa(now)
    const mark = await ca.issue({
      logotype: { kind: 'gzip', svg: LOGO.toString('utf8') },
      dnsNames: [DOMAIN],
      notBefore: new Date(now.getTime() - 86_400_000),
      notAfter: new Date(now.getTime() + 10 * 86_400_000 + 3_600_000),
    })
    const res = await s.request('PUT', `/api/v1/domains/${DOMAIN}/bimi/certificate`, {
      token,
      rawBody: mark.chainPem,
      headers: { 'content-type': 'application/pem-certificate-chain' },
    })
    expect(res.status, res.text).toBe(200)
    expect(res.json().warnings.map((w: { rule: string }) => w.rule)).toContain('vmc-expiring')
    const status = (await s.request('GET', `/api/v1/domains/${DOMAIN}/status`, { token })).json()
    expect(status.bimi.certificates).toEqual([
      {
        selector: 'default',
        notAfter: expect.any(String),
        warnings: ['the mark certificate expires in 10 days'],
      },
    ])
  })
})

describe('conversion and status', () => {
  it('when an ordinary SVG is converted, then a valid Tiny PS logo comes back with the changes', async () => {
    const input = LOGO.toString('utf8').replace('baseProfile="tiny-ps"', 'baseProfile="full"')
    const res = await s.request('POST', '/api/v1/bimi/convert?title=Brand', {
      token,
      rawBody: input,
      headers: { 'content-type': 'image/svg+xml' },
    })
    expect(res.status).toBe(200)
    expect(res.json().valid).toBe(true)
    expect(res.json().changes.join('\n')).toMatch(/baseProfile/)
  })

  it('when DMARC cannot be confirmed, then the status says BIMI will not display', async () => {
    await putLogo(LOGO)
    const body = (await s.request('GET', `/api/v1/domains/${DOMAIN}/status`, { token })).json()
    expect(body.bimi.dmarcBlockers.length).toBeGreaterThan(0)
    expect(body.bimi.dmarcBlockers[0]).toContain(`_dmarc.${DOMAIN}`)
  })
})
