/**
 * Form fields of a dashboard POST (issue 14), read once per request (hono caches the parsed
 * body): text fields only here; a file field is read by the page that takes one.
 */
import type { Context } from 'hono'

/** A text field's value, '' when absent or a file. */
export async function formText(c: Context, name: string): Promise<string> {
  const body = await c.req.parseBody({ all: true })
  const v = body[name]
  const first = Array.isArray(v) ? v[0] : v
  return typeof first === 'string' ? first : ''
}

/** Every value of a repeated text field (e.g. one `mx` per line or input). */
export async function formTexts(c: Context, name: string): Promise<string[]> {
  const body = await c.req.parseBody({ all: true })
  const v = body[name]
  const all = Array.isArray(v) ? v : v === undefined ? [] : [v]
  return all.filter((x): x is string => typeof x === 'string')
}
