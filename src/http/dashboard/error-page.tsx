/**
 * A dashboard page's failure as an HTML page (issue 14): a DomainError with the status the API
 * would give (errors.ts) and its message and field problems, escaped; anything unexpected is
 * logged with the request id and shown as a generic 500 — no stack trace, no internal message.
 */
import type { Context } from 'hono'
import { DomainError } from '../../core/errors.js'
import { statusOf } from '../errors.js'
import type { DashEnv } from './dashboard-env.js'
import { htmlPage } from './html-page.js'
import { Layout } from './layout.js'

export function errorPage(err: Error, c: Context<DashEnv>): Promise<Response> {
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
