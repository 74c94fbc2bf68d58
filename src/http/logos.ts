import type { Context } from 'hono'
import type { LogoFiles } from '../services/engines/logo-serving.js'
import type { AppEnv } from './env.js'

/**
 * Serves BIMI logos and mark certificates: byte for byte what was accepted, never a redirect,
 * no cookies or auth (receivers are bots; BIMI guidance "CDN Considerations"). The CSP and
 * nosniff keep an SVG from ever acting as a page in a browser.
 */
export async function serveLogoFile(
  c: Context<AppEnv>,
  files: LogoFiles,
  domain: string,
  file: string,
  onLogoHost: boolean,
): Promise<Response> {
  const method = c.req.method
  if (method !== 'GET' && method !== 'HEAD') return c.text('not found\n', 404)
  const found = await files.find(domain, file, onLogoHost)
  if (!found) return c.text('not found\n', 404)
  const headers: Record<string, string> = {
    'content-type': found.type,
    'content-length': String(found.bytes.byteLength),
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    etag: found.etag,
    'cache-control': found.immutable
      ? 'public, max-age=31536000, immutable'
      : 'public, max-age=3600',
  }
  if (c.req.header('if-none-match') === found.etag) return c.body(null, 304, headers)
  return method === 'HEAD' ? c.body(null, 200, headers) : c.body(found.bytes, 200, headers)
}
