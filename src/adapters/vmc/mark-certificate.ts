/**
 * adapters/vmc: inspects an uploaded mark certificate chain (VMC or CMC) before we host it at the
 * `a=` URL, so a customer learns what receivers would refuse before they refuse it.
 *
 * Trust is NOT checked: whether the chain ends at a Mark Verifying Authority root is the
 * receivers' decision, made with their own root set (which changes as MVAs come and go), and
 * shipping a copy here would give a verdict nobody enforces. We check everything else the draft
 * lets us check offline: structure, order, dates, names, usage and the embedded logo.
 */
import { X509Certificate as NodeCertificate } from 'node:crypto'
import * as x509 from '@peculiar/x509'
import { getDomain } from 'tldts'
import type {
  MarkCertificateOptions,
  MarkCertificateReport,
  SvgIssue,
} from '../../core/bimi/types.js'
import { canonicalHost } from '../../core/canonical-host.js'
import { splitPemChain } from '../certs/x509.js'
import { certPath, finding, VMC_DRAFT } from './finding.js'
import { matchLogo, svgText } from './logo-match.js'
import { LOGOTYPE_OID, readLogotype } from './logotype.js'

// A real chain (leaf, one or two CAs with 4096-bit RSA keys, a gzipped SVG) is 6–20 KiB;
// 64 KiB leaves room and bounds the parsing work a hostile upload can cause.
export const MAX_PEM_BYTES = 65_536
// Leaf + intermediates + optional root is 2–4 in practice; 10 bounds the signature checks.
export const MAX_CERTIFICATES = 10
// Product rule (specs C.5): warn 30 days ahead, time enough to renew through an MVA.
const EXPIRY_WARNING_DAYS = 30
const DAY_MS = 86_400_000

/** id-kp-BrandIndicatorforMessageIdentification (draft §4.4). */
export const BIMI_EKU = '1.3.6.1.5.5.7.3.31'

const PEM_SOURCE = `${VMC_DRAFT} §3.3; RFC 7468`
const BEGIN_CERTIFICATE = '-----BEGIN CERTIFICATE-----'
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/

interface Parsed {
  node: NodeCertificate
  cert: x509.X509Certificate
}

function parsePem(pem: string): Parsed[] | SvgIssue {
  const fail = (message: string) => finding('vmc-parse', 'error', '/', message, PEM_SOURCE)
  if (Buffer.byteLength(pem, 'utf8') > MAX_PEM_BYTES) {
    return fail(`the PEM file is larger than ${MAX_PEM_BYTES} bytes`)
  }
  // The file is served publicly as uploaded: a key in it must never get that far.
  if (PRIVATE_KEY.test(pem)) {
    return fail('the file contains a private key; upload certificates only')
  }
  const blocks = splitPemChain(pem)
  if (pem.split(BEGIN_CERTIFICATE).length - 1 !== blocks.length) {
    return fail('a CERTIFICATE block is cut short or contains non-base64 text')
  }
  if (blocks.length === 0) return fail('no PEM CERTIFICATE block found')
  if (blocks.length > MAX_CERTIFICATES) {
    return fail(`${blocks.length} certificates; at most ${MAX_CERTIFICATES} are accepted`)
  }
  const parsed: Parsed[] = []
  for (const [i, block] of blocks.entries()) {
    try {
      const node = new NodeCertificate(block)
      const cert = new x509.X509Certificate(node.raw)
      // The library decodes these lazily and, after one failure, caches an empty extension
      // list; reading them here turns a malformed field into a parse error, not a silent gap.
      void [cert.subject, cert.issuer, cert.notBefore, cert.notAfter, cert.extensions]
      parsed.push({ node, cert })
    } catch (err) {
      return fail(`certificate ${i + 1} does not parse: ${(err as Error).message}`)
    }
  }
  return parsed
}

const isCa = (p: Parsed) => p.cert.getExtension(x509.BasicConstraintsExtension)?.ca === true

function issuedBy(child: Parsed, parent: Parsed): boolean {
  try {
    return child.node.checkIssued(parent.node) && child.node.verify(parent.node.publicKey)
  } catch {
    return false
  }
}

/** Draft §3.3: the mark certificate first, then each issuer; no duplicates. */
function chainIssues(chain: Parsed[], leafIndex: number): SvgIssue[] {
  const issue = (i: number, message: string) =>
    finding('vmc-chain-order', 'error', certPath(i), message, `${VMC_DRAFT} §3.3`)
  if (leafIndex !== 0) {
    return [issue(leafIndex, `the mark certificate is number ${leafIndex + 1}; it must be first`)]
  }
  const issues: SvgIssue[] = []
  const seen = new Set<string>()
  for (const [i, p] of chain.entries()) {
    if (seen.has(p.node.fingerprint256)) {
      issues.push(issue(i, `certificate ${i + 1} is a duplicate`))
    }
    seen.add(p.node.fingerprint256)
    const parent = chain[i + 1]
    if (parent !== undefined && !issuedBy(p, parent)) {
      issues.push(issue(i, `certificate ${i + 1} is not issued by certificate ${i + 2}`))
    }
  }
  const last = chain.at(-1)!
  if (chain.length === 1 && !last.node.checkIssued(last.node)) {
    const message = 'only the mark certificate is present; append its issuing CA certificate(s)'
    issues.push(
      finding('vmc-chain-incomplete', 'warning', certPath(0), message, `${VMC_DRAFT} §3.3`),
    )
  }
  return issues
}

/** RFC 5280 §4.1.2.5 for every certificate; the renewal warning for every one as well. */
function validityIssues(chain: Parsed[], now: Date): SvgIssue[] {
  const source = `RFC 5280 §4.1.2.5; ${VMC_DRAFT} §5.1`
  return chain.flatMap(({ cert }, i) => {
    const path = certPath(i)
    const { notBefore, notAfter } = cert
    if (now < notBefore) {
      const message = `not valid before ${notBefore.toISOString()}`
      return [finding('vmc-not-yet-valid', 'error', path, message, source)]
    }
    if (now > notAfter) {
      return [finding('vmc-expired', 'error', path, `expired ${notAfter.toISOString()}`, source)]
    }
    const days = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS)
    if (days > EXPIRY_WARNING_DAYS) return []
    const message = `expires ${notAfter.toISOString()} (in ${days} days); renew it now`
    return [finding('vmc-expiring', 'warning', path, message, 'product rule (specs C.5)')]
  })
}

/**
 * Draft §5.2: some SAN dNSName is the assertion domain or its organizational domain, either bare
 * (any selector) or prefixed with `<selector>._bimi.` (that selector only).
 */
function sanIssues(names: string[], opts: MarkCertificateOptions, path: string): SvgIssue[] {
  const domain = canonicalHost(opts.domain)
  const bases = [domain, getDomain(domain, { allowPrivateDomains: false }) ?? domain]
  const accepted = bases.flatMap((d) => [d, `${canonicalHost(opts.selector)}._bimi.${d}`])
  if (names.some((n) => accepted.includes(n))) return []
  const message =
    `no SAN DNS name matches ${domain} (accepted: ${[...new Set(accepted)].join(', ')}; ` +
    `found: ${names.join(', ') || 'none'})`
  return [finding('vmc-san', 'error', path, message, `${VMC_DRAFT} §4.3, §5.2`)]
}

/** RFC 5280 §4.2.1.12 usage on the leaf (required) and on its issuing CA (draft §4.4). */
function ekuIssues(chain: Parsed[], leafIndex: number): SvgIssue[] {
  const source = `RFC 5280 §4.2.1.12; ${VMC_DRAFT} §4.4`
  const usages = (p: Parsed) => p.cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? []
  const leaf = chain[leafIndex]!
  const issues: SvgIssue[] = []
  if (!usages(leaf).includes(BIMI_EKU)) {
    const message = `the certificate lacks the mark certificate extended key usage ${BIMI_EKU}`
    issues.push(finding('vmc-eku', 'error', certPath(leafIndex), message, source))
  }
  const issuerIndex = chain.findIndex((p) => p !== leaf && issuedBy(leaf, p))
  if (issuerIndex >= 0 && !usages(chain[issuerIndex]!).includes(BIMI_EKU)) {
    const message = `the issuing CA certificate lacks the extended key usage ${BIMI_EKU}`
    issues.push(finding('vmc-eku-issuer', 'warning', certPath(issuerIndex), message, source))
  }
  return issues
}

function failedReport(error: SvgIssue): MarkCertificateReport {
  return {
    ok: false,
    errors: [error],
    warnings: [],
    subject: null,
    issuer: null,
    notBefore: null,
    notAfter: null,
    sanDnsNames: [],
    embeddedSvg: null,
    matchesLogo: null,
  }
}

/** Inspects a PEM mark certificate chain (leaf first) for `<selector>._bimi.<domain>`. */
export function inspectMarkCertificate(
  pem: string,
  opts: MarkCertificateOptions,
): MarkCertificateReport {
  const parsed = parsePem(pem)
  if (!Array.isArray(parsed)) return failedReport(parsed)
  // The mark certificate is the first non-CA one, so a misordered chain is still inspected.
  const firstNonCa = parsed.findIndex((p) => !isCa(p))
  const leafIndex = firstNonCa < 0 ? 0 : firstNonCa
  const leaf = parsed[leafIndex]!
  const san = leaf.cert.getExtension(x509.SubjectAlternativeNameExtension)
  const sanDnsNames = (san?.names.items ?? []).filter((n) => n.type === 'dns').map((n) => n.value)
  const logoPath = `${certPath(leafIndex)}/logotype`
  const logotype = leaf.cert.getExtension(LOGOTYPE_OID)
  const embedded = readLogotype(logotype?.value ?? null, logoPath)
  const hosted = opts.logoSvg
  const match =
    embedded.svg !== null && hosted !== null ? matchLogo(embedded.svg, hosted, logoPath) : null
  const issues = [
    ...chainIssues(parsed, leafIndex),
    ...validityIssues(parsed, opts.now),
    ...sanIssues(sanDnsNames.map(canonicalHost), opts, certPath(leafIndex)),
    ...ekuIssues(parsed, leafIndex),
    ...embedded.issues,
    ...(match?.issues ?? []),
  ]
  const errors = issues.filter((i) => i.severity === 'error')
  return {
    ok: errors.length === 0,
    errors,
    warnings: issues.filter((i) => i.severity === 'warning'),
    subject: leaf.cert.subject,
    issuer: leaf.cert.issuer,
    notBefore: leaf.cert.notBefore,
    notAfter: leaf.cert.notAfter,
    sanDnsNames,
    embeddedSvg: embedded.svg === null ? null : svgText(embedded.svg),
    // No readable SVG matches nothing: a hosted logo then shows nowhere.
    matchesLogo: hosted === null ? null : (match?.matches ?? false),
  }
}
