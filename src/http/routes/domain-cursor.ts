import { z } from '@hono/zod-openapi'

/**
 * `GET /domains` pages by (name, id): names repeat across tenants' claims, so the id breaks
 * ties. The cursor is opaque to clients — base64url of `<name> <id>` — and only a value the
 * list handed out decodes.
 */
export interface DomainCursor {
  name: string
  id: string
}

const KEY = /^([a-z0-9._-]{1,253}) ([A-Za-z0-9-]{1,64})$/
const NOT_A_CURSOR = 'is not a cursor returned by this list'

export const encodeDomainCursor = (c: DomainCursor): string =>
  Buffer.from(`${c.name} ${c.id}`, 'utf8').toString('base64url')

export function decodeDomainCursor(text: string): DomainCursor | null {
  if (!/^[A-Za-z0-9_-]{1,500}$/.test(text)) return null
  const m = KEY.exec(Buffer.from(text, 'base64url').toString('utf8'))
  return m ? { name: m[1]!, id: m[2]! } : null
}

/** `?cursor=`: a `nextCursor` from an earlier page. */
export const DomainCursor = z
  .string()
  .transform((text, ctx) => {
    const cursor = decodeDomainCursor(text)
    if (cursor === null) {
      ctx.addIssue({ code: 'custom', message: NOT_A_CURSOR })
      return z.NEVER
    }
    return cursor
  })
  .openapi({ type: 'string', description: 'The nextCursor of the previous page' })
