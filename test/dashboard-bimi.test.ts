/**
 * The dashboard's BIMI page over the app (issue 14): an invalid logo refused with every reason
 * the validator gives and nothing stored; conversion previewed from a sandboxed path (never
 * inlined) and stored from the server's copy; previews private to their tenant; the mark
 * certificate's state; attacker text (an SVG title) shown escaped.
 */
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { PREVIEW_HEADERS } from '../src/http/dashboard/bimi-page.js'
import { startApp, type TestApp } from './helpers/app.js'
import { csrfOf, signedIn } from './helpers/dashboard.js'
import { createMarkCa } from './helpers/mark-ca.js'
import { createTenant } from './helpers/test-server.js'

const fixture = (p: string) => readFileSync(new URL(`./fixtures/${p}`, import.meta.url))
const LOGO = fixture('svg/real-fastmail-fm.svg')
/** Tiny PS but for a script: the converter removes it. */
const SCRIPTED = fixture('svg/invalid-script.svg')
/** Several problems at once: SVG 1.1 root with x/y, no title, a script. */
const MANY_PROBLEMS =
  '<svg xmlns="http://www.w3.org/2000/svg" x="0" y="0" viewBox="0 0 100 50"><script>alert(1)</script></svg>'
const XSS = '<script>window.__xss=1</script>'
const XSS_ESCAPED = '&lt;script&gt;window.__xss=1&lt;/script&gt;'
/** An ordinary SVG whose title is script-bearing text. */
const XSS_TITLED =
  '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 100 100">' +
  '<title>&lt;script&gt;window.__xss=1&lt;/script&gt;</title>' +
  '<rect width="100" height="100" fill="#fff"/><circle cx="50" cy="50" r="30" fill="#c00"/></svg>'
const DOMAIN = 'example.org'
const PAGE = `/domains/${DOMAIN}/bimi`

let s: TestApp
afterEach(async () => s.close())

const escapeHtml = (t: string) =>
  t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

async function world() {
  s = await startApp({ env: { DNS_SERVERS: '127.0.0.1:9' } })
  const { token } = await createTenant(s, 'acme')
  expect(
    (await s.request('POST', '/api/v1/domains', { token, json: { name: DOMAIN } })).status,
  ).toBe(201)
  const session = await signedIn(s, token)
  /** Posts multipart `fields` (a Buffer is a file) with the page's CSRF token. */
  const postMultipart = async (path: string, fields: Record<string, string | Buffer>) => {
    const fd = new FormData()
    fd.append('_csrf', csrfOf((await session.get(PAGE)).text))
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v === 'string') fd.append(k, v)
      else fd.append(k, new Blob([new Uint8Array(v)], { type: 'image/svg+xml' }), `${k}.svg`)
    }
    const req = new Response(fd)
    return s.request('POST', path, {
      headers: {
        cookie: session.cookie,
        'content-type': req.headers.get('content-type') ?? '',
      },
      rawBody: Buffer.from(await req.arrayBuffer()),
    })
  }
  const stored = async () =>
    (await s.request('GET', `/api/v1/domains/${DOMAIN}/bimi`, { token })).json().bimi as {
      selector: string
      logoSha256: string
    }[]
  return { token, ...session, postMultipart, stored }
}

const previewIds = (html: string) => [
  ...html.matchAll(
    /src="\/domains\/example\.org\/bimi\/preview\/([\w-]+)\/(original|converted)\.svg"/g,
  ),
]

describe('the BIMI page (issue 14)', () => {
  it('when an invalid logo is uploaded, then 422 lists every reason the validator gives, with its rule, and nothing is stored', async () => {
    const w = await world()
    const api = await s.request('PUT', `/api/v1/domains/${DOMAIN}/bimi/logo`, {
      token: w.token,
      rawBody: MANY_PROBLEMS,
      headers: { 'content-type': 'image/svg+xml' },
    })
    const reasons = api.json().errors as { rule: string; message: string; path: string }[]
    expect(reasons.length).toBeGreaterThanOrEqual(4)

    const r = await w.postMultipart(`${PAGE}/upload`, {
      selector: 'default',
      logo: Buffer.from(MANY_PROBLEMS),
    })

    expect(r.status).toBe(422)
    expect(r.text).toContain('the logo is not valid SVG Tiny PS')
    for (const e of reasons) {
      expect(r.text).toContain(`<code>${escapeHtml(e.rule)}</code>`)
      expect(r.text).toContain(escapeHtml(e.message))
    }
    // The refused markup is listed as text, never put into the page.
    expect(r.text).not.toContain('<script>alert(1)')
    expect(await w.stored()).toEqual([])
  })

  it('when an SVG is converted, then both previews are served sandboxed, the original never inlined, and "use the converted logo" stores the server\'s copy', async () => {
    const w = await world()

    const page = await w.postMultipart(`${PAGE}/convert`, { logo: SCRIPTED, title: '' })

    expect(page.status).toBe(200)
    expect(page.text).toContain('The converted logo is valid SVG Tiny PS.')
    expect(page.text).not.toContain('alert(document.cookie)')
    expect(page.text).not.toMatch(/<svg/)
    const found = previewIds(page.text)
    expect(found.map((m) => m[2])).toEqual(['original', 'converted'])
    const id = found[0]![1]!
    expect(found[1]![1]).toBe(id)
    const original = await w.get(`${PAGE}/preview/${id}/original.svg`)
    const converted = await w.get(`${PAGE}/preview/${id}/converted.svg`)
    for (const res of [original, converted]) {
      expect(res.status).toBe(200)
      expect(res.headers).toMatchObject(PREVIEW_HEADERS)
      expect(res.headers['content-security-policy']).toBe(
        "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      )
    }
    expect(original.bytes.equals(SCRIPTED)).toBe(true)
    expect(converted.text).not.toContain('<script')
    expect((await w.get(`${PAGE}/preview/${id}/other.svg`)).status).toBe(404)

    const used = await w.post(`${PAGE}/use-converted`, { preview: id, selector: 'brand' }, PAGE)

    expect(used.status).toBe(303)
    expect(used.headers.location).toBe(`${PAGE}?done=converted`)
    const stored = await w.stored()
    expect(stored.map((b) => b.selector)).toEqual(['brand'])
    const logo = await s.request(
      'GET',
      `/logos/${DOMAIN}/${stored[0]!.logoSha256.slice(0, 16)}.svg`,
      { host: 'sts.policyhost.test' },
    )
    expect(logo.text).toBe(converted.text)
    const after = await w.get(`${PAGE}?done=converted`)
    expect(after.text).toContain('Converted logo stored.')
    expect(after.text).toContain(
      `<img src="/logos/${DOMAIN}/${stored[0]!.logoSha256.slice(0, 16)}.svg" alt="Logo of selector brand"`,
    )
    expect(after.text).toContain('brand._bimi.example.org')
  })

  it('when the converted logo is still refused, then the page says so without the button, and using it anyway is refused with the reasons', async () => {
    const w = await world()

    const page = await w.postMultipart(`${PAGE}/convert`, {
      logo: fixture('convert/unfixable-raster.svg'),
    })
    const id = previewIds(page.text)[0]![1]!
    const used = await w.post(`${PAGE}/use-converted`, { preview: id, selector: 'default' }, PAGE)

    expect(page.status).toBe(200)
    expect(page.text).toContain('The converted logo is still not valid SVG Tiny PS')
    expect(page.text).not.toContain('Use the converted logo')
    expect(used.status).toBe(422)
    expect(used.text).toContain('the converted logo is refused: the logo is not valid SVG Tiny PS')
    expect(used.text).toMatch(/id="upload-error">.*<li><code>[a-z-]+<\/code>/s)
    expect(await w.stored()).toEqual([])
  })

  it("when another tenant asks for a preview id, then 404, on its own domain as on the owner's", async () => {
    const w = await world()
    const page = await w.postMultipart(`${PAGE}/convert`, { logo: SCRIPTED })
    const id = previewIds(page.text)[0]![1]!
    const { token: other } = await createTenant(s, 'other')
    await s.request('POST', '/api/v1/domains', { token: other, json: { name: 'other.example' } })
    const intruder = await signedIn(s, other)

    const theirs = await intruder.get(`${PAGE}/preview/${id}/original.svg`)
    const own = await intruder.get(`/domains/other.example/bimi/preview/${id}/converted.svg`)
    const use = await intruder.post(
      '/domains/other.example/bimi/use-converted',
      { preview: id, selector: 'default' },
      '/domains/other.example/bimi',
    )

    expect(theirs.status).toBe(404)
    expect(own.status).toBe(404)
    expect(use.status).toBe(404)
    expect((await w.get(`${PAGE}/preview/${id}/original.svg`)).status).toBe(200)
  })

  it('when an SVG title and a form title carry a script, then they are shown escaped wherever they appear', async () => {
    const w = await world()

    const fromSvg = await w.postMultipart(`${PAGE}/convert`, { logo: Buffer.from(XSS_TITLED) })
    const fromForm = await w.postMultipart(`${PAGE}/convert`, {
      logo: Buffer.from(XSS_TITLED),
      title: XSS,
    })
    const upload = await w.postMultipart(`${PAGE}/upload`, { logo: Buffer.from(XSS_TITLED) })

    expect(fromSvg.status).toBe(200)
    expect(fromSvg.text).toContain(`Title in the converted logo: <q>${XSS_ESCAPED}</q>`)
    expect(fromForm.text).toContain(`value="${XSS_ESCAPED}"`)
    expect(fromForm.text).toContain(`<q>${XSS_ESCAPED}</q>`)
    expect(upload.status).toBe(422)
    for (const html of [fromSvg.text, fromForm.text, upload.text]) {
      expect(html).not.toContain(XSS)
    }
  })

  it('when a mark certificate embedding the logo is uploaded, then its state is shown; a bad one is refused with its reasons', async () => {
    const w = await world()
    expect(
      (await w.postMultipart(`${PAGE}/upload`, { selector: 'default', logo: LOGO })).status,
    ).toBe(303)
    const now = new Date()
    const ca = await createMarkCa(now)
    const notAfter = new Date(now.getTime() + 365 * 86_400_000)
    const mark = await ca.issue({
      logotype: { kind: 'gzip', svg: LOGO.toString('utf8') },
      dnsNames: [DOMAIN],
      notBefore: new Date(now.getTime() - 86_400_000),
      notAfter,
    })

    const bad = await w.postMultipart(`${PAGE}/certificate`, {
      selector: 'default',
      certificate: Buffer.from('not a certificate'),
    })
    const good = await w.postMultipart(`${PAGE}/certificate`, {
      selector: 'default',
      certificate: Buffer.from(mark.chainPem),
    })
    const shown = await w.get(PAGE)

    expect(bad.status).toBe(422)
    expect(bad.text).toContain('the mark certificate cannot be used')
    expect(bad.text).toMatch(
      /<div class="notice error" role="alert" id="certificate-error">.*<code>/s,
    )
    expect(good.status).toBe(303)
    expect(shown.text).toMatch(
      /<th scope="row">default<\/th><td>present<\/td><td><span class="state-ok">yes<\/span>/,
    )
    expect(shown.text).toContain(notAfter.toISOString().slice(0, 10))
    expect(shown.text).toContain('DMARC readiness')
  })
})
