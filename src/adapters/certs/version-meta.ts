/** adapters/certs: meta.json of a stored version, and the check that a version is whole. */
import { z } from 'zod'
import type { CertificateBundle, CertReadResult, ReadDepth } from '../../core/certs/types.js'
import { sha256Hex as sha256 } from '../crypto/secrets.js'
import { inspectBundle, normalizeSerial } from './x509.js'

export const VersionMeta = z.object({
  hostname: z.string(),
  serial: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  issuer: z.string(),
  writtenAt: z.string(),
  // Digests catch a chain cut exactly between two certificates, which still parses.
  chainSha256: z.string(),
  keySha256: z.string(),
})
export type VersionMeta = z.infer<typeof VersionMeta>

type Described = Omit<VersionMeta, 'writtenAt'>

function describe(bundle: CertificateBundle): Described {
  return {
    hostname: bundle.hostname,
    serial: normalizeSerial(bundle.serial),
    notBefore: bundle.notBefore.toISOString(),
    notAfter: bundle.notAfter.toISOString(),
    issuer: bundle.issuer,
    chainSha256: sha256(bundle.chainPem),
    keySha256: sha256(bundle.keyPem),
  }
}

/** The meta.json content for `bundle`. */
export function metaFor(bundle: CertificateBundle, writtenAt: Date): VersionMeta {
  return { ...describe(bundle), writtenAt: writtenAt.toISOString() }
}

/**
 * Fields a caller stated differently from what its certificate says. Only those SQLite mirrors
 * for scheduling: the issuer is a display string and may be formatted another way.
 */
export function misstatedFields(stated: CertificateBundle, actual: CertificateBundle): string[] {
  const [a, b] = [describe(stated), describe(actual)]
  return (['serial', 'notBefore', 'notAfter'] as const).filter((k) => a[k] !== b[k])
}

export const corrupt = (reason: string): CertReadResult => ({ status: 'corrupt', reason })

interface VersionFiles {
  chainPem: string
  keyPem: string
  metaJson: string
}

function parseMeta(metaJson: string): VersionMeta | null {
  try {
    return VersionMeta.parse(JSON.parse(metaJson))
  } catch {
    return null
  }
}

/**
 * Checks the three files of the version named `serial` against each other and the hostname:
 * fully (X.509 parse, chain, key match) or by the digests meta.json recorded at write time.
 */
export function checkVersion(
  hostname: string,
  serial: string,
  files: VersionFiles,
  depth: ReadDepth,
): CertReadResult {
  if (depth === 'digests') return checkDigests(hostname, serial, files)
  const inspected = inspectBundle(hostname, files.chainPem, files.keyPem)
  if (!inspected.ok) return corrupt(inspected.reason)
  const meta = parseMeta(files.metaJson)
  if (meta === null) return corrupt('meta.json is not valid')
  const expected = describe(inspected.bundle)
  const differing = (Object.keys(expected) as (keyof Described)[]).filter(
    (k) => meta[k] !== expected[k],
  )
  if (differing.length > 0) {
    return corrupt(`meta.json disagrees with the files on ${differing.join(', ')}`)
  }
  return { status: 'ok', bundle: inspected.bundle }
}

// The version directory's name carries the serial too, so a meta.json edited by hand is caught.
function checkDigests(hostname: string, serial: string, files: VersionFiles): CertReadResult {
  const meta = parseMeta(files.metaJson)
  if (meta === null) return corrupt('meta.json is not valid')
  const differing = [
    meta.hostname === hostname ? null : 'hostname',
    meta.serial === serial ? null : 'serial',
    meta.chainSha256 === sha256(files.chainPem) ? null : 'chainSha256 (chain.pem changed)',
    meta.keySha256 === sha256(files.keyPem) ? null : 'keySha256 (key.pem changed)',
  ].filter((d) => d !== null)
  if (differing.length > 0) {
    return corrupt(`meta.json disagrees with the files on ${differing.join(', ')}`)
  }
  const notBefore = new Date(meta.notBefore)
  const notAfter = new Date(meta.notAfter)
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
    return corrupt('meta.json is not valid')
  }
  const { chainPem, keyPem } = files
  return {
    status: 'ok',
    bundle: { hostname, chainPem, keyPem, notBefore, notAfter, serial, issuer: meta.issuer },
  }
}
