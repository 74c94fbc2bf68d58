/**
 * A dashboard page as a response: the HTML5 doctype (without it browsers render in quirks mode)
 * and the page's JSX, which hono has already escaped.
 */
import type { Context } from 'hono'
import type { HtmlEscapedString } from 'hono/utils/html'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

export async function htmlPage(
  c: Context,
  body: HtmlEscapedString | Promise<HtmlEscapedString>,
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  return c.html(`<!doctype html>${String(await body)}`, status)
}
