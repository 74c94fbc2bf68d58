import { z } from 'zod'
import type { Checked } from './errors.js'

/** A zod string schema from a pure validator: every issue it finds becomes a zod issue. */
export function checkedString(max: number, check: (input: string) => Checked<string>) {
  return z
    .string()
    .max(max)
    .transform((input, ctx) => {
      const result = check(input)
      if (result.ok) return result.value
      for (const issue of result.issues) ctx.addIssue({ code: 'custom', message: issue.message })
      return z.NEVER
    })
}
