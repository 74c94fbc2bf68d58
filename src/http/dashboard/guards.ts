/**
 * The middleware every dashboard route is built from (issue 14), attached per route: mounted
 * with `route('/', …)`, a sub-app's `use('*')` would also run for the API and policy paths.
 * - `page`: the page headers (CSP …) and a signed-in viewer (else a redirect to sign-in);
 * - `form`: the same for a form post, with the body capped and the CSRF token checked;
 * - `upload(bytes)`: a form post carrying a file, with its own cap.
 */
import type { Handler, Hono, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ServiceDeps } from '../../services/deps.js'
import type { DashEnv } from './dashboard-env.js'
import { pageHeaders } from './page-headers.js'
import { requireViewer } from './session.js'

/** Form posts carry a few fields. */
const FORM_BYTES = 64 * 1024

export interface Guards {
  page: MiddlewareHandler<DashEnv>[]
  form: MiddlewareHandler<DashEnv>[]
  upload(bytes: number): MiddlewareHandler<DashEnv>[]
}

export function guards(deps: ServiceDeps): Guards {
  const headers = pageHeaders()
  const viewer = requireViewer(deps)
  const cap = (maxSize: number): MiddlewareHandler<DashEnv> => bodyLimit({ maxSize })
  return {
    page: [headers, viewer],
    form: [headers, cap(FORM_BYTES), viewer],
    upload: (bytes) => [headers, cap(bytes), viewer],
  }
}

/** Adds `handler` at `method path` behind `chain` (hono's overloads do not type a spread). */
export function mount(
  app: Hono<DashEnv>,
  method: 'GET' | 'POST',
  path: string,
  chain: MiddlewareHandler<DashEnv>[],
  handler: Handler<DashEnv>,
): void {
  const on = app.on.bind(app) as (m: string, p: string, ...h: unknown[]) => unknown
  on(method, path, ...chain, handler)
}
