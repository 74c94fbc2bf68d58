/**
 * The web dashboard (issue 14), on SERVICE_HOST over HTTPS only: sign-in, then pages that call
 * the same services as the API. Middleware is attached per route, never with `use('*')`:
 * mounted at `/`, a sub-app's wildcard middleware would run for the API and policy paths too.
 * Errors on a page become an HTML page with the same status the API would give (errors.ts);
 * anything unexpected is logged and shown as a generic 500.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { DomainError } from '../../core/errors.js'
import type { ServiceDeps } from '../../services/deps.js'
import { statusOf } from '../errors.js'
import { serveAsset } from './assets.js'
import type { DashEnv } from './dashboard-env.js'
import { domainPageRoutes } from './domain-page.js'
import { domainListRoutes } from './domains-page.js'
import { htmlPage } from './html-page.js'
import { Layout } from './layout.js'
import { pageHeaders } from './page-headers.js'
import { requireViewer } from './session.js'
import { signInRoutes } from './sign-in.js'

/** Form posts carry a few fields; a logo upload has its own, larger limit. */
const FORM_BYTES = 64 * 1024

function errorPage(err: Error, c: Context<DashEnv>): Promise<Response> {
  const viewer = c.get('viewer') ?? null
  if (err instanceof DomainError) {
    return htmlPage(
      c,
      <Layout title="That did not work" viewer={viewer}>
        <p class="notice error" role="alert">
          {err.message}
        </p>
        {err.issues.length > 0 && (
          <ul>
            {err.issues.map((i) => (
              <li>{i.path ? `${i.path}: ${i.message}` : i.message}</li>
            ))}
          </ul>
        )}
        <p>
          <a href="/domains">Back to the domains</a>
        </p>
      </Layout>,
      statusOf(err.code),
    )
  }
  c.get('log').error('page_failed', { error: err.message, path: c.req.path })
  return htmlPage(
    c,
    <Layout title="Something went wrong" viewer={viewer}>
      <p>
        The page could not be shown. Try again; if it keeps failing, the operator finds the request
        id {c.get('requestId')} in the log.
      </p>
    </Layout>,
    500,
  )
}

export function dashboardRoutes(deps: ServiceDeps): Hono<DashEnv> {
  const app = new Hono<DashEnv>()
  app.onError(errorPage)
  const headers = pageHeaders()
  const form = bodyLimit({ maxSize: FORM_BYTES })
  const viewer: MiddlewareHandler<DashEnv> = requireViewer(deps)

  app.get('/assets/:file', (c) => serveAsset(c))
  app.route('/', signInRoutes(deps))
  app.get('/', headers, viewer, (c) => c.redirect('/domains', 303))

  const list = domainListRoutes(deps)
  app.get('/domains', headers, viewer, list.list)
  app.post('/domains', headers, form, viewer, list.add)

  const one = domainPageRoutes(deps)
  app.get('/domains/:name', headers, viewer, one.show)
  app.post('/domains/:name/policy', headers, form, viewer, one.savePolicy)
  app.get('/domains/:name/records.zone', headers, viewer, one.zoneFile)
  app.post('/domains/:name/dns', headers, form, viewer, one.saveDns)
  app.post('/domains/:name/check', headers, form, viewer, one.check)
  app.get('/domains/:name/mx-suggestion', headers, viewer, one.suggest)
  app.post('/domains/:name/retire', headers, form, viewer, one.retire)
  return app
}
