import { z } from '@hono/zod-openapi'
import { normalizeDomainName } from '../../core/domain-name.js'
import { DomainError } from '../../core/errors.js'

export const DomainParam = z.object({
  name: z
    .string()
    .min(1)
    .max(1000)
    .describe('The domain; case, trailing dot and U-labels are normalised'),
})

/** The normalised domain from the path; a name that cannot exist is simply not found. */
export function domainFromParam(raw: string): string {
  // hono has already percent-decoded the parameter; decoding again would misread a literal %.
  const checked = normalizeDomainName(raw)
  if (!checked.ok) throw new DomainError('NOT_FOUND', `domain "${raw}" not found`)
  return checked.value
}
