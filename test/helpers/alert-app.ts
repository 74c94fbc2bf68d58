/**
 * Alert tests over the API: the app with the dispatcher subscribed as `serve` subscribes it, a
 * table resolver (the checks' own tests cover lookups), and tenant acme holding `domain` in
 * enforce with one MX the policy does not cover — so a check opens problems to alert about.
 */
import { AlertDispatcher } from '../../src/services/engines/alert-dispatcher.js'
import { startApp, type TestApp } from './app.js'
import { TableDns } from './services.js'
import { createTenant, domainWithPolicy, MutableClock } from './test-server.js'

export async function alertApp(domain: string, env: Record<string, string>) {
  const clock = new MutableClock(new Date('2026-12-06T09:00:00Z'))
  const app: TestApp = await startApp({ clock, env })
  const dns = new TableDns()
  Object.assign(app.runtime.deps, { dns })
  const alerts = new AlertDispatcher({
    deps: app.runtime.deps,
    sender: app.runtime.deps.webhooks.sender,
    log: app.runtime.log,
  })
  app.runtime.changes.subscribe((c) => alerts.apply(c))
  const { token } = await createTenant(app, 'acme')
  await domainWithPolicy(app, token, domain, {
    mode: 'enforce',
    mx: [`mx1.${domain}`],
    maxAge: 86400,
  })
  dns.mxs.set(domain, ['mx9.elsewhere.example'])
  return { app, token, alerts, clock }
}
