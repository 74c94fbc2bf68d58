import { z } from 'zod'
import { MtaStsPolicyInput } from './mta-sts/policy.js'
import { TlsRptSettings } from './tls-rpt/rua.js'

/**
 * One `policies/<domain>.json` file: the same schemas as the API. Absent sections leave the
 * stored settings as they are, so a file never removes a live policy by omission.
 */
export const PolicyFile = z
  .object({
    $schema: z.string().optional(),
    /** Optional; when present it must name the same domain as the file. */
    domain: z.string().optional(),
    mtaSts: MtaStsPolicyInput.optional(),
    tlsRpt: TlsRptSettings.optional(),
    /** Who publishes the TXT records (issue 12); `delegated` needs DNS_ZONE. */
    dnsMode: z.enum(['self', 'delegated']).optional(),
  })
  .strict()
export type PolicyFile = z.output<typeof PolicyFile>

/** A policy file as read from disk. */
export interface PolicyFileText {
  path: string
  /** The file name without `.json`: the domain it describes. */
  name: string
  text: string
}
