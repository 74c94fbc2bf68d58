import { z } from 'zod'

/**
 * BIMI §5.4: selector = sub-domain *( "." sub-domain ), RFC 5321 labels; `default` is the
 * default. Lower-cased, since DNS names are case-insensitive and URLs built from it are not.
 */
export const Selector = z
  .string()
  .max(63 * 2)
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
    'must be DNS labels (letters, digits, inner hyphens) separated by dots',
  )
  .transform((s) => s.toLowerCase())
  .default('default')
export type Selector = z.output<typeof Selector>

/** `<selector>._bimi.<domain>`: where the BIMI record lives (BIMI §5.4). */
export const bimiRecordName = (selector: string, domain: string): string =>
  `${selector}._bimi.${domain}`
