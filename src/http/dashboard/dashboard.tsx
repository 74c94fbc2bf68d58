/**
 * The web dashboard (issue 14), on SERVICE_HOST over HTTPS only: sign-in, then pages that call
 * the same services as the API. Every route carries its own guards (guards.ts); page errors
 * become HTML pages (error-page.tsx).
 */
import { Hono } from 'hono'
import type { ServiceDeps } from '../../services/deps.js'
import { alertRoutes } from './alerts-page.js'
import { serveAsset } from './assets.js'
import { bimiRoutes } from './bimi-page.js'
import type { DashEnv } from './dashboard-env.js'
import { domainPageRoutes } from './domain-page.js'
import { domainListRoutes } from './domains-page.js'
import { errorPage } from './error-page.js'
import { guards, mount } from './guards.js'
import { operatorRoutes } from './operator-pages.js'
import { reportRoutes } from './reports-page.js'
import { signInRoutes } from './sign-in.js'
import { tokenRoutes } from './tokens-page.js'

export function dashboardRoutes(deps: ServiceDeps): Hono<DashEnv> {
  const app = new Hono<DashEnv>()
  app.onError(errorPage)
  const g = guards(deps)

  app.get('/assets/:file', (c) => serveAsset(c))
  app.route('/', signInRoutes(deps))
  mount(app, 'GET', '/', g.page, (c) => c.redirect('/domains', 303))

  const list = domainListRoutes(deps)
  mount(app, 'GET', '/domains', g.page, list.list)
  mount(app, 'POST', '/domains', g.form, list.add)

  const one = domainPageRoutes(deps)
  mount(app, 'GET', '/domains/:name', g.page, one.show)
  mount(app, 'POST', '/domains/:name/policy', g.form, one.savePolicy)
  mount(app, 'GET', '/domains/:name/records.zone', g.page, one.zoneFile)
  mount(app, 'POST', '/domains/:name/dns', g.form, one.saveDns)
  mount(app, 'POST', '/domains/:name/check', g.form, one.check)
  mount(app, 'GET', '/domains/:name/mx-suggestion', g.page, one.suggest)
  mount(app, 'POST', '/domains/:name/retire', g.form, one.retire)
  app.route('/', bimiRoutes(deps))
  app.route('/', reportRoutes(deps))
  app.route('/', tokenRoutes(deps))
  app.route('/', alertRoutes(deps))
  app.route('/', operatorRoutes(deps))
  return app
}
