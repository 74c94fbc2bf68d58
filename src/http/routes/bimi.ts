import { createRoute, z } from '@hono/zod-openapi'
import { Selector } from '../../core/bimi/selector.js'
import { MAX_LOGO_BYTES } from '../../core/bimi/types.js'
import {
  removeCertificate,
  uploadCertificate,
  MAX_PEM_BYTES,
} from '../../services/bimi/bimi-certificate.js'
import { listBimi, removeBimi, uploadLogo } from '../../services/bimi/bimi-logo.js'
import { convertLogo, MAX_CONVERT_BYTES } from '../../services/bimi/convert-logo.js'
import type { ServiceDeps } from '../../services/deps.js'
import { LogoHostInput, removeLogoHost, setLogoHost } from '../../services/bimi/logo-host.js'
import type { BodyRule } from '../middleware/body-rules.js'
import { json, jsonBody, newRouter, problems } from '../openapi.js'
import { bimiView } from '../views.js'
import { DomainParam, domainFromParam } from './domain-param.js'

const SVG = /^image\/svg\+xml\s*(;|$)/i
const PEM = /^(application\/(pem-certificate-chain|x-pem-file)|text\/plain)\s*(;|$)/i

/** Body rules of these routes (see middleware/body-rules.ts). */
export const BIMI_BODY_RULES: BodyRule[] = [
  { path: /\/bimi\/logo$/, type: SVG, typeName: 'image/svg+xml', maxBytes: MAX_LOGO_BYTES },
  { path: /\/bimi\/convert$/, type: SVG, typeName: 'image/svg+xml', maxBytes: MAX_CONVERT_BYTES },
  {
    path: /\/bimi\/certificate$/,
    type: PEM,
    typeName: 'application/pem-certificate-chain',
    maxBytes: MAX_PEM_BYTES,
  },
]

const Issue = z.object({
  rule: z.string(),
  severity: z.string(),
  path: z.string(),
  message: z.string(),
  source: z.string(),
})
const BimiOut = z.object({
  domain: z.string(),
  selector: z.string(),
  logoSha256: z.string(),
  logoUrl: z.string(),
  certificateUrl: z.string().nullable().describe('Published as a= only when it embeds this logo'),
  certificateNotAfter: z.string().nullable(),
  updatedAt: z.string(),
})
/** What an upload (logo or certificate) answers: the stored assertion with warnings, or why not. */
const uploadResponses = {
  200: json(BimiOut.extend({ warnings: z.array(Issue) }), 'Stored'),
  ...problems(401, 404, 409, 413, 415, 422, 429, 503),
}
const selectorQuery = z.object({ selector: Selector })
const svgBody = { required: true, content: { 'image/svg+xml': { schema: z.string() } } }

const putLogo = createRoute({
  method: 'put',
  path: '/domains/{name}/bimi/logo',
  summary: 'Upload the BIMI logo (SVG Tiny PS, ≤ 32 KiB); refused with every reason when invalid',
  description:
    'A 422 lists every problem in `errors`. When the file is an ordinary SVG that the converter ' +
    "can fix, the problem's `detail` also names it: POST /bimi/convert (CLI: " +
    '`policyhost logo convert FILE --title BRAND`).',
  request: { params: DomainParam, query: selectorQuery, body: svgBody },
  responses: uploadResponses,
})
const list = createRoute({
  method: 'get',
  path: '/domains/{name}/bimi',
  summary: 'BIMI selectors with their logo and certificate URLs',
  request: { params: DomainParam },
  responses: {
    200: json(z.object({ bimi: z.array(BimiOut) }), 'Assertions'),
    ...problems(401, 404),
  },
})
const remove = createRoute({
  method: 'delete',
  path: '/domains/{name}/bimi/{selector}',
  summary: 'Stop publishing a selector',
  request: { params: DomainParam.extend({ selector: Selector }) },
  responses: { 204: { description: 'Removed' }, ...problems(401, 404) },
})
const putCert = createRoute({
  method: 'put',
  path: '/domains/{name}/bimi/certificate',
  summary: 'Upload the mark certificate (VMC/CMC) PEM chain for a selector',
  request: {
    params: DomainParam,
    query: selectorQuery,
    body: {
      required: true,
      content: { 'application/pem-certificate-chain': { schema: z.string() } },
    },
  },
  responses: uploadResponses,
})
const deleteCert = createRoute({
  method: 'delete',
  path: '/domains/{name}/bimi/certificate',
  summary: 'Remove the mark certificate of a selector',
  request: { params: DomainParam, query: selectorQuery },
  responses: { 204: { description: 'Removed' }, ...problems(401, 404) },
})
const putHost = createRoute({
  method: 'put',
  path: '/domains/{name}/bimi/logo-host',
  summary: 'Serve logos from a name under the domain (CNAME it to the service host)',
  request: { params: DomainParam, ...jsonBody(LogoHostInput) },
  responses: {
    200: json(z.object({ hostname: z.string() }), 'Set'),
    ...problems(401, 404, 409, 415, 422),
  },
})
const deleteHost = createRoute({
  method: 'delete',
  path: '/domains/{name}/bimi/logo-host',
  summary: 'Serve logos from the service host again',
  request: { params: DomainParam },
  responses: { 204: { description: 'Removed' }, ...problems(401, 404) },
})
const convert = createRoute({
  method: 'post',
  path: '/bimi/convert',
  summary: 'Convert an ordinary SVG to SVG Tiny PS; lists every change and what is still wrong',
  request: { query: z.object({ title: z.string().max(200).optional() }), body: svgBody },
  responses: {
    200: json(
      z.object({
        svg: z.string(),
        changes: z.array(z.string()),
        valid: z.boolean(),
        errors: z.array(Issue),
        warnings: z.array(Issue),
      }),
      'Converted',
    ),
    ...problems(401, 413, 415, 422, 429, 503),
  },
})

const bytesOf = async (req: { arrayBuffer(): Promise<ArrayBuffer> }) =>
  new Uint8Array(await req.arrayBuffer())

export function bimiRoutes(deps: ServiceDeps) {
  return newRouter()
    .openapi(putLogo, async (c) => {
      const name = domainFromParam(c.req.valid('param').name)
      const r = await uploadLogo(
        deps,
        c.get('actor'),
        name,
        c.req.valid('query').selector,
        await bytesOf(c.req),
      )
      return c.json({ ...bimiView(r), warnings: r.warnings }, 200)
    })
    .openapi(list, async (c) => {
      const all = await listBimi(deps, c.get('actor'), domainFromParam(c.req.valid('param').name))
      return c.json({ bimi: all.map(bimiView) }, 200)
    })
    .openapi(putCert, async (c) => {
      const name = domainFromParam(c.req.valid('param').name)
      const pem = await c.req.text()
      const r = await uploadCertificate(
        deps,
        c.get('actor'),
        name,
        c.req.valid('query').selector,
        pem,
      )
      return c.json({ ...bimiView(r), warnings: r.warnings }, 200)
    })
    .openapi(deleteCert, async (c) => {
      await removeCertificate(
        deps,
        c.get('actor'),
        domainFromParam(c.req.valid('param').name),
        c.req.valid('query').selector,
      )
      return c.body(null, 204)
    })
    .openapi(putHost, async (c) => {
      const host = await setLogoHost(
        deps,
        c.get('actor'),
        domainFromParam(c.req.valid('param').name),
        c.req.valid('json'),
      )
      return c.json({ hostname: host }, 200)
    })
    .openapi(deleteHost, async (c) => {
      await removeLogoHost(deps, c.get('actor'), domainFromParam(c.req.valid('param').name))
      return c.body(null, 204)
    })
    .openapi(remove, async (c) => {
      const p = c.req.valid('param')
      await removeBimi(deps, c.get('actor'), domainFromParam(p.name), p.selector)
      return c.body(null, 204)
    })
    .openapi(convert, async (c) => {
      const r = await convertLogo(
        deps,
        c.get('actor'),
        await c.req.text(),
        c.req.valid('query').title,
      )
      return c.json(
        {
          svg: r.svg,
          changes: r.changes,
          valid: r.verdict.valid,
          errors: r.verdict.errors,
          warnings: r.verdict.warnings,
        },
        200,
      )
    })
}
