/** adapters/certs: meta.json of a stored version, and the check that a version is whole. */
import { createHash } from 'node:crypto'
import { z } from 'zod'
import type { CertificateBundle, CertReadResult } from '../../core/certs/types.js'
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

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

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

const corrupt = (reason: string): CertReadResult => ({ status: 'corrupt', reason })

/** Checks the three files of a version against each other and the hostname. */
export function checkVersion(
  hostname: string,
  files: { chainPem: string; keyPem: string; metaJson: string },
): CertReadResult {
  const inspected = inspectBundle(hostname, files.chainPem, files.keyPem)
  if (!inspected.ok) return corrupt(inspected.reason)
  let meta: VersionMeta
  try {
    meta = VersionMeta.parse(JSON.parse(files.metaJson))
  } catch {
    return corrupt('meta.json is not valid')
  }
  const expected = describe(inspected.bundle)
  const differing = (Object.keys(expected) as (keyof Described)[]).filter(
    (k) => meta[k] !== expected[k],
  )
  if (differing.length > 0) {
    return corrupt(`meta.json disagrees with the files on ${differing.join(', ')}`)
  }
  return { status: 'ok', bundle: inspected.bundle }
}
