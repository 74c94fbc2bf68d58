/**
 * BIMI §1, §8.1: receivers show a logo only under an enforcing DMARC policy on both the author
 * domain and its organizational domain — p=quarantine (pct=100) or p=reject, and sp not none.
 * These checks read the published records; they warn, they never block an upload.
 */

export interface DmarcPolicy {
  p: string | null
  sp: string | null
  pct: number | null
}

/** Parses a DMARC TXT record (RFC 7489 §6.3); null when it is not one (`v=DMARC1` first). */
export function parseDmarc(record: string): DmarcPolicy | null {
  const tags = record
    .split(';')
    .map((t) => t.trim())
    .filter(Boolean)
  if (tags[0]?.replace(/\s+/g, '') !== 'v=DMARC1') return null
  const get = (name: string) => {
    const tag = tags.find((t) => t.split('=')[0]?.trim().toLowerCase() === name)
    return tag
      ? tag
          .slice(tag.indexOf('=') + 1)
          .trim()
          .toLowerCase()
      : null
  }
  const pct = get('pct')
  return {
    p: get('p'),
    sp: get('sp'),
    pct: pct !== null && /^\d{1,3}$/.test(pct) ? Number(pct) : null,
  }
}

/** RFC 7489 §6.6.3: several DMARC records mean none; so does no record. */
export function pickDmarc(txts: string[]): { policy: DmarcPolicy | null; problem: string | null } {
  const found = txts.map(parseDmarc).filter((p): p is DmarcPolicy => p !== null)
  if (found.length === 0) return { policy: null, problem: 'no DMARC record' }
  if (found.length > 1)
    return { policy: null, problem: 'more than one DMARC record (RFC 7489 §6.6.3)' }
  return { policy: found[0]!, problem: null }
}

/** Why BIMI will not display under this policy; empty when DMARC is enforcing. */
export function dmarcBlockers(policy: DmarcPolicy, subdomain: boolean): string[] {
  const out: string[] = []
  const p = subdomain && policy.sp ? policy.sp : policy.p
  if (p !== 'quarantine' && p !== 'reject')
    out.push(
      `DMARC ${subdomain && policy.sp ? 'sp' : 'p'}=${p ?? '(missing)'} is not quarantine or reject`,
    )
  if (policy.sp === 'none') out.push('DMARC sp=none')
  if (p === 'quarantine' && policy.pct !== null && policy.pct < 100)
    out.push(`DMARC pct=${policy.pct} is below 100 with quarantine`)
  return out
}
