import { DomainError, type Checked, type FieldIssue } from '../errors.js'
import { extensionFields, splitTxtFields } from '../dns/txt-fields.js'
import { isValidPolicyId } from './policy-id.js'

// RFC 8461 §3.1: sts-version = %s"v=STSv1" (RFC 7405 %s: case-sensitive)
const VERSION = 'v=STSv1'

/** An `_mta-sts` TXT record as parsed. */
export interface StsRecord {
  /** RFC 8461 §3.1: the policy instance id, 1-32 letters and digits. */
  id: string
  /** Fields this version does not define, ignored by senders (RFC 8461 §3.2). */
  extensions: Record<string, string>
  /** Field names repeated in the record; senders use the first and ignore the rest. */
  duplicates: string[]
}

/** Renders the `_mta-sts` TXT record value for a policy id. */
export function renderStsRecord(id: string): string {
  // RFC 8461 §3.1: sts-id = 1*32(ALPHA / DIGIT); anything else would switch MTA-STS off.
  if (!isValidPolicyId(id)) throw new DomainError('INTERNAL', `invalid MTA-STS policy id "${id}"`)
  // RFC 8461 §3.1: begins with "v=STSv1;"; no space before ";" because of erratum 6285.
  return `v=STSv1; id=${id}`
}

/**
 * Parses an `_mta-sts` TXT record value (RFC 8461 §3.1) and reports every problem. A TXT
 * record may hold several character-strings: pass them joined with nothing between them, as
 * SPF does (RFC 7208 §3.3). Field names and the version are case-sensitive.
 */
export function parseStsRecord(record: string): Checked<StsRecord> {
  const issues: FieldIssue[] = []
  const split = splitTxtFields(record, VERSION, issues)
  if (split === null) return { ok: false, issues }
  const id = split.fields.get('id')
  // RFC 8461 §3.1: sts-id is required, %s"id=" 1*32(ALPHA / DIGIT)
  if (id === undefined) issues.push({ path: 'id', message: 'id is required' })
  else if (!isValidPolicyId(id)) {
    issues.push({ path: 'id', message: 'id must be 1 to 32 letters and digits' })
  }
  const extensions = extensionFields(split.fields, ['id'], issues)
  if (issues.length > 0 || id === undefined) return { ok: false, issues }
  return { ok: true, value: { id, extensions, duplicates: split.duplicates } }
}
