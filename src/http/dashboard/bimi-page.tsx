/**
 * `/domains/:name/bimi` (issue 14): a domain's BIMI selectors with their logo, the records to
 * publish, mark certificates, DMARC readiness, and the forms that upload a logo, convert an
 * ordinary SVG (previewed from a sandboxed path) and upload a certificate. Every change goes
 * through the services the API calls; a refusal shows the page again with every reason.
 */
import { randomBytes } from 'node:crypto'
import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import { actorTenant, OPERATOR_QUEUE, type Actor } from '../../core/actor.js'
import { Selector } from '../../core/bimi/selector.js'
import { DomainError } from '../../core/errors.js'
import { parseInput } from '../../core/issues.js'
import { MAX_PEM_BYTES, uploadCertificate } from '../../services/bimi/bimi-certificate.js'
import { listBimi, svgIssues, uploadLogo } from '../../services/bimi/bimi-logo.js'
import { bimiReadiness } from '../../services/bimi/bimi-readiness.js'
import { convertLogo, MAX_CONVERT_BYTES } from '../../services/bimi/convert-logo.js'
import type { ServiceDeps } from '../../services/deps.js'
import { getDomain } from '../../services/domains/domains.js'
import { recordsFor } from '../../services/domains/records.js'
import { statusOf } from '../errors.js'
import { ConvertForm, ConvertResult, UploadForm } from './bimi-logo-forms.js'
import {
  BimiRecords,
  Certificates,
  Dmarc,
  Selectors,
  bimiBase,
  type ConvertedPreview,
  type Refusal,
} from './bimi-sections.js'
import type { DashEnv } from './dashboard-env.js'
import { domainParam } from './domain-param.js'
import { errorPage } from './error-page.js'
import { formText } from './form-body.js'
import { guards, mount } from './guards.js'
import { htmlPage } from './html-page.js'
import { Layout } from './layout.js'
import { PreviewStore } from './preview-store.js'
import { requireViewer } from './session.js'
import { titleOf } from './svg-title.js'

/** Uploads are capped before parsing; the services then apply their own limits (32 KiB logo). */
const UPLOAD_BYTES = 1024 * 1024

/**
 * A preview is served as an image only: no script, no fetch, no same-origin powers even when
 * opened directly (CSP `sandbox`, as for the public logo URLs plus the sandbox).
 */
export const PREVIEW_HEADERS = {
  'content-type': 'image/svg+xml',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  'x-content-type-options': 'nosniff',
  'content-disposition': 'inline',
  'cache-control': 'no-store',
} as const

/** Outcomes shown after a redirect (`?done=`): fixed texts, never echoed from the query. */
const DONE: Record<string, string> = {
  logo: 'Logo stored.',
  converted: 'Converted logo stored.',
  certificate: 'Mark certificate stored.',
}

const Title = z.string().max(200)

interface Extras {
  refusal?: Refusal
  preview?: ConvertedPreview
  selector?: string
  status?: ContentfulStatusCode
}

const ownerOf = (actor: Actor) => actorTenant(actor) ?? OPERATOR_QUEUE

async function render(deps: ServiceDeps, c: Context<DashEnv>, extras: Extras = {}) {
  const viewer = c.get('viewer')
  const name = domainParam(c)
  const domain = await getDomain(deps, viewer.actor, name)
  const [bimi, records] = await Promise.all([
    listBimi(deps, viewer.actor, name),
    recordsFor(deps, viewer.actor, name),
  ])
  const readiness = await bimiReadiness(deps, domain, bimi)
  const done = DONE[c.req.query('done') ?? '']
  const bimiRecords = records.filter((r) => r.name.includes('._bimi.') || /BIMI/.test(r.purpose))
  return htmlPage(
    c,
    <Layout title={`BIMI · ${domain.name}`} viewer={viewer} current="/domains">
      <p>
        <a href={`/domains/${encodeURIComponent(domain.name)}`}>Back to {domain.name}</a>
      </p>
      {done && (
        <p class="notice ok" role="status">
          {done}
        </p>
      )}
      <Selectors domain={domain.name} bimi={bimi} />
      <BimiRecords records={bimiRecords} />
      <Dmarc readiness={readiness} />
      <UploadForm
        viewer={viewer}
        domain={domain.name}
        refusal={extras.refusal}
        selector={extras.selector}
      />
      <ConvertForm
        viewer={viewer}
        domain={domain.name}
        refusal={extras.refusal}
        title={extras.preview?.title}
      />
      {extras.preview && (
        <ConvertResult viewer={viewer} domain={domain.name} preview={extras.preview} />
      )}
      <Certificates
        bimi={bimi}
        readiness={readiness}
        viewer={viewer}
        domain={domain.name}
        refusal={extras.refusal}
      />
    </Layout>,
    extras.status ?? 200,
  )
}

/**
 * A refusal (invalid file, conflict, quota, busy worker pool) shown beside its form with the
 * API's status; NOT_FOUND and anything that is not a DomainError go to the error page.
 */
function refusalOf(
  err: unknown,
  form: Refusal['form'],
): { refusal: Refusal; status: ContentfulStatusCode } {
  if (!(err instanceof DomainError) || err.code === 'NOT_FOUND') throw err
  return { refusal: { form, message: err.message, issues: err.issues }, status: statusOf(err.code) }
}

/** The uploaded file of `field` as bytes; a VALIDATION error naming the field when absent. */
async function fileOf(c: Context<DashEnv>, field: string, max: number): Promise<Uint8Array> {
  const body = await c.req.parseBody({ all: true })
  const v = body[field]
  const f = Array.isArray(v) ? v[0] : v
  if (!(f instanceof File) || f.size === 0) {
    throw new DomainError('VALIDATION', 'invalid request', [
      { path: field, message: 'choose a file' },
    ])
  }
  if (f.size > max) {
    throw new DomainError('VALIDATION', `the file is ${f.size} bytes; at most ${max} are taken`)
  }
  return new Uint8Array(await f.arrayBuffer())
}

const selectorOf = async (c: Context<DashEnv>) =>
  parseInput(z.object({ selector: Selector }), {
    selector: (await formText(c, 'selector')) || undefined,
  }).selector

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

export function bimiRoutes(deps: ServiceDeps): Hono<DashEnv> {
  const app = new Hono<DashEnv>()
  app.onError(errorPage)
  const g = guards(deps)
  // Each conversion keeps its input and output here until used or expired (preview-store.ts).
  const previews = new PreviewStore(
    () => deps.clock.now().getTime(),
    () => randomBytes(16).toString('base64url'),
  )
  const back = (c: Context<DashEnv>, name: string, done: keyof typeof DONE) =>
    c.redirect(`${bimiBase(name)}?done=${done}`, 303)

  mount(app, 'GET', '/domains/:name/bimi', g.page, (c) => render(deps, c))

  mount(app, 'POST', '/domains/:name/bimi/upload', g.upload(UPLOAD_BYTES), async (c) => {
    const name = domainParam(c)
    const selector = await formText(c, 'selector')
    try {
      const bytes = await fileOf(c, 'logo', UPLOAD_BYTES)
      await uploadLogo(deps, c.get('viewer').actor, name, await selectorOf(c), bytes)
    } catch (err) {
      return render(deps, c, { ...refusalOf(err, 'upload'), selector })
    }
    return back(c, name, 'logo')
  })

  mount(app, 'POST', '/domains/:name/bimi/convert', g.upload(UPLOAD_BYTES), async (c) => {
    const actor = c.get('viewer').actor
    const name = domainParam(c)
    // Only for a domain the viewer owns (NOT_FOUND otherwise), before any work is done.
    await listBimi(deps, actor, name)
    let preview: ConvertedPreview
    try {
      const title = parseInput(z.object({ title: Title }), {
        title: await formText(c, 'title'),
      }).title
      const original = await fileOf(c, 'logo', MAX_CONVERT_BYTES)
      const r = await convertLogo(deps, actor, utf8.decode(original), title.trim() || undefined)
      const converted = new TextEncoder().encode(r.svg)
      const id = previews.put(ownerOf(actor), name, original, converted)
      preview = {
        id,
        title,
        svgTitle: titleOf(r.svg),
        changes: r.changes,
        valid: r.verdict.valid,
        errors: svgIssues(r.verdict.errors),
        warnings: svgIssues(r.verdict.warnings),
      }
    } catch (err) {
      return render(deps, c, refusalOf(err, 'convert'))
    }
    return render(deps, c, { preview })
  })

  mount(app, 'POST', '/domains/:name/bimi/use-converted', g.form, async (c) => {
    const actor = c.get('viewer').actor
    const name = domainParam(c)
    const p = previews.get(await formText(c, 'preview'), ownerOf(actor), name)
    if (!p) throw new DomainError('NOT_FOUND', 'the preview has expired; convert the SVG again')
    try {
      await uploadLogo(deps, actor, name, await selectorOf(c), p.converted)
    } catch (err) {
      const shown = refusalOf(err, 'upload')
      shown.refusal.message = `the converted logo is refused: ${shown.refusal.message}`
      return render(deps, c, shown)
    }
    return back(c, name, 'converted')
  })

  mount(app, 'POST', '/domains/:name/bimi/certificate', g.upload(UPLOAD_BYTES), async (c) => {
    const name = domainParam(c)
    try {
      const pem = utf8.decode(await fileOf(c, 'certificate', MAX_PEM_BYTES))
      await uploadCertificate(deps, c.get('viewer').actor, name, await selectorOf(c), pem)
    } catch (err) {
      return render(deps, c, refusalOf(err, 'certificate'))
    }
    return back(c, name, 'certificate')
  })

  // Not behind g.page: its CSP is the page's, and a preview needs its own (sandboxed, no script).
  mount(app, 'GET', '/domains/:name/bimi/preview/:id/:file', [requireViewer(deps)], (c) => {
    const file = c.req.param('file')
    const which =
      file === 'original.svg' ? 'original' : file === 'converted.svg' ? 'converted' : null
    const p =
      which && previews.get(c.req.param('id') ?? '', ownerOf(c.get('viewer').actor), domainParam(c))
    if (!which || !p) return c.text('not found\n', 404, { 'cache-control': 'no-store' })
    return c.body(new Uint8Array(p[which]), 200, PREVIEW_HEADERS)
  })
  return app
}
