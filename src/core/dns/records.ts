import { renderBimiRecord } from '../bimi/record.js'
import { bimiRecordName } from '../bimi/selector.js'
import { renderStsRecord } from '../mta-sts/sts-record.js'
import { renderTlsRptRecord } from '../tls-rpt/rua.js'

export type RecordType = 'CNAME' | 'TXT'

/** One record a tenant publishes: name without the root dot, CNAME targets with it. */
export interface DnsRecord {
  name: string
  type: RecordType
  value: string
  purpose: string
}

export interface BimiRecordInput {
  selector: string
  logoUrl: string
  /** The mark certificate URL, or null for `a=` empty. */
  certificateUrl: string | null
}

export interface DomainRecordsInput {
  domain: string
  serviceHost: string
  policyId: string | null
  tlsRptRua: string[] | null
  /** The domain's own logo host (e.g. bimi.<domain>), if any. */
  logoHost?: string | null
  bimi?: BimiRecordInput[]
}

/** Lists the DNS records a tenant publishes for a domain, in the order they should be added. */
export function domainRecords(input: DomainRecordsInput): DnsRecord[] {
  const { domain, policyId, tlsRptRua } = input
  const target = input.serviceHost.replace(/\.$/, '')
  const records: DnsRecord[] = [
    {
      // RFC 8461 §3.2: the policy is fetched from https://mta-sts.<domain>/.well-known/mta-sts.txt
      name: `mta-sts.${domain}`,
      type: 'CNAME',
      value: `${target}.`,
      purpose:
        'Points the policy host at this service, which serves the policy over HTTPS ' +
        'with its own certificate for this name (RFC 8461 §3.2).',
    },
  ]
  if (policyId !== null) {
    records.push({
      // RFC 8461 §3.1: senders discover the policy and its version through this record
      name: `_mta-sts.${domain}`,
      type: 'TXT',
      value: renderStsRecord(policyId),
      purpose:
        'Announces the policy and its version; change the id only after the new policy ' +
        'is served (RFC 8461 §3.1, §8.1).',
    })
  }
  if (tlsRptRua !== null && tlsRptRua.length > 0) {
    records.push({
      // RFC 8460 §3: reporting senders look up this name
      name: `_smtp._tls.${domain}`,
      type: 'TXT',
      value: renderTlsRptRecord(tlsRptRua),
      purpose: 'Tells senders where to send reports of TLS failures (RFC 8460 §3).',
    })
  }
  if (input.logoHost) {
    records.push({
      name: input.logoHost,
      type: 'CNAME',
      value: `${target}.`,
      purpose:
        'Points the logo host at this service, which serves the BIMI logo and mark ' +
        'certificate over HTTPS with its own certificate for this name (BIMI §8.5).',
    })
  }
  for (const b of input.bimi ?? []) {
    records.push({
      // BIMI §5.4: receivers look up <selector>._bimi.<Author Domain>
      name: bimiRecordName(b.selector, domain),
      type: 'TXT',
      value: renderBimiRecord(b.logoUrl, b.certificateUrl),
      purpose:
        'Tells mailbox providers where the brand logo (and its mark certificate) is; shown only ' +
        'while DMARC is at quarantine or reject (BIMI §4, §8.1).',
    })
  }
  return records
}

/** The zone names a delegated domain's TXT records live at (core/dns/zone-index.ts serves them). */
export function zoneNames(label: string, origin: string) {
  return {
    mtaSts: `${label}._mta-sts.${origin}`,
    tlsRpt: `${label}._smtp._tls.${origin}`,
    bimi: (selector: string) => `${selector}.${label}._bimi.${origin}`,
  }
}

/** A TXT record the delegated zone serves instead of the owner, and where in the zone. */
export type Delegable =
  { kind: 'mtaSts' | 'tlsRpt'; target: string } | { kind: 'bimi'; selector: string; target: string }

/** Whether `r` (one of domainRecords' records) moves into the zone in delegated mode, and where. */
export function delegable(
  r: DnsRecord,
  domain: string,
  label: string,
  origin: string,
): Delegable | null {
  if (r.type !== 'TXT') return null
  const names = zoneNames(label, origin)
  if (r.name === `_mta-sts.${domain}`) return { kind: 'mtaSts', target: names.mtaSts }
  if (r.name === `_smtp._tls.${domain}`) return { kind: 'tlsRpt', target: names.tlsRpt }
  const bimiSuffix = `._bimi.${domain}`
  if (!r.name.endsWith(bimiSuffix)) return null
  const selector = r.name.slice(0, -bimiSuffix.length)
  return { kind: 'bimi', selector, target: names.bimi(selector) }
}

/**
 * Delegated mode (issue 12): each TXT record becomes a CNAME into our zone, published once; the
 * zone then serves the TXT and changes it itself. RFC 8461 §8.2 describes exactly this for
 * `_mta-sts`; resolvers follow the CNAME for `_smtp._tls` and `_bimi` names the same way.
 */
export function delegatedRecords(
  records: DnsRecord[],
  domain: string,
  label: string,
  origin: string,
): DnsRecord[] {
  return records.map((r) => {
    const d = delegable(r, domain, label, origin)
    if (d === null) return r
    return {
      name: r.name,
      type: 'CNAME',
      value: `${d.target}.`,
      purpose: `Delegates this record to the service's zone, which publishes "${r.value}" and keeps it current, id changes included (RFC 8461 §8.2); publish once.`,
    }
  })
}
