import { DomainError } from '../errors.js'
import { isValidPolicyId } from './policy-id.js'

/** Renders the `_mta-sts` TXT record value for a policy id. */
export function renderStsRecord(id: string): string {
  // RFC 8461 §3.1: sts-id = 1*32(ALPHA / DIGIT); anything else would switch MTA-STS off.
  if (!isValidPolicyId(id)) throw new DomainError('INTERNAL', `invalid MTA-STS policy id "${id}"`)
  // RFC 8461 §3.1: begins with "v=STSv1;"; no space before ";" because of erratum 6285.
  return `v=STSv1; id=${id}`
}
