/**
 * The dashboard's own stylesheet and script, served from this origin with a content hash in
 * the path (cached for a year, immutable): the CSP allows `'self'` only, so there is no inline
 * style or script and no third-party origin to trust.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Context } from 'hono'

interface Asset {
  body: string
  type: string
}

const read = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8')
const hashed = (name: string, body: string) => {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12)
  const dot = name.lastIndexOf('.')
  return `/assets/${name.slice(0, dot)}.${hash}${name.slice(dot)}`
}

const css = read('app.css')
const js = read('app.js')

/** Where the layout links them: the hash changes with the content, so caches never go stale. */
export const ASSET_PATHS = { css: hashed('app.css', css), js: hashed('app.js', js) }

const ASSETS = new Map<string, Asset>([
  [ASSET_PATHS.css, { body: css, type: 'text/css; charset=utf-8' }],
  [ASSET_PATHS.js, { body: js, type: 'text/javascript; charset=utf-8' }],
])

/** GET /assets/<name>.<hash>.<ext>; 404 for anything else (an old hash included). */
export function serveAsset(c: Context): Response {
  const asset = ASSETS.get(c.req.path)
  if (!asset) return c.text('not found\n', 404)
  return c.body(asset.body, 200, {
    'content-type': asset.type,
    'cache-control': 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
  })
}
