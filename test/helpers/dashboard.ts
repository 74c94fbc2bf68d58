/**
 * Dashboard tests over the app (no browser): sign in with a token through the form, then GET
 * pages and POST forms with the session cookie and the page's CSRF token.
 */
import { expect } from 'vitest'
import type { TestApp } from './app.js'
import type { TestResponse } from './test-server.js'

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
export const formBody = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
/** The CSRF token a page's forms carry. */
export const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? ''

export interface SignedIn {
  cookie: string
  get(path: string): Promise<TestResponse>
  /** Posts `fields` with the CSRF token read from the page at `from`. */
  post(path: string, fields: Record<string, string>, from?: string): Promise<TestResponse>
}

export async function signedIn(s: TestApp, token: string): Promise<SignedIn> {
  const r = await s.request('POST', '/sign-in', { headers: FORM, rawBody: formBody({ token }) })
  expect(r.status).toBe(303)
  const cookie = String(r.headers['set-cookie']).split(';')[0]!
  const get = (path: string) => s.request('GET', path, { headers: { cookie } })
  return {
    cookie,
    get,
    async post(path, fields, from = '/domains') {
      const csrf = csrfOf((await get(from)).text)
      return s.request('POST', path, {
        headers: { ...FORM, cookie },
        rawBody: formBody({ ...fields, _csrf: csrf }),
      })
    },
  }
}
