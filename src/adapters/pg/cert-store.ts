/**
 * adapters/pg: the certificate store in PostgreSQL (issue 15), so any instance serves any host.
 * One row per hostname holds the whole bundle; a single-row upsert is atomic, so a reader sees
 * the previous bundle or the new one, never a mix. The private key is sealed with SECRETS_KEY
 * (AES-256-GCM, bound to `certificate:<hostname>`), so a dump or a replica never holds it in the
 * clear and a key copied onto another hostname's row does not open.
 */
import { eq } from 'drizzle-orm'
import type {
  CertificateBundle,
  CertReadResult,
  CertStore,
  ReadDepth,
} from '../../core/certs/types.js'
import { assertStorableHostname } from '../certs/hostname.js'
import { corrupt, misstatedFields } from '../certs/version-meta.js'
import { inspectBundle, normalizeSerial } from '../certs/x509.js'
import { open, seal, SealedError, type SecretsKey } from '../crypto/sealed.js'
import { sha256Hex } from '../crypto/secrets.js'
import type { PgDb } from './database.js'
import { certificateBundles } from './schema.js'

export type CertificateBundleRow = typeof certificateBundles.$inferSelect

/** The associated data a hostname's key is sealed with. */
export const certificateKeyContext = (hostname: string): string => `certificate:${hostname}`

type Digested = Omit<CertificateBundleRow, 'digest' | 'writtenAt'>

// Over every column as written, the sealed key included: a row edited by hand fails `digests`.
function digestOf(row: Digested): string {
  return sha256Hex(
    JSON.stringify([
      row.hostname,
      row.serial,
      row.notBefore.getTime(),
      row.notAfter.getTime(),
      row.issuer,
      row.chainPem,
      row.keySealed.toString('base64'),
    ]),
  )
}

/**
 * The row that stores `bundle`, taken as it is (write() checks it first). Exported so tests can
 * plant rows that write() would refuse.
 */
export function bundleRow(
  bundle: CertificateBundle,
  key: SecretsKey,
  writtenAt: Date,
): CertificateBundleRow {
  const row: Digested = {
    hostname: bundle.hostname,
    serial: normalizeSerial(bundle.serial),
    notBefore: bundle.notBefore,
    notAfter: bundle.notAfter,
    issuer: bundle.issuer,
    chainPem: bundle.chainPem,
    keySealed: seal(key, certificateKeyContext(bundle.hostname), bundle.keyPem),
  }
  return { ...row, digest: digestOf(row), writtenAt }
}

/**
 * Opens the row's key. A key that does not authenticate is damage (reported as corrupt); one
 * sealed with another SECRETS_KEY is the operator's to fix, so it throws instead of letting
 * every certificate look corrupt and be issued again.
 */
function openKey(row: CertificateBundleRow, key: SecretsKey): string | CertReadResult {
  try {
    return open(key, certificateKeyContext(row.hostname), row.keySealed).toString('utf8')
  } catch (err) {
    if (err instanceof SealedError && err.kind !== 'other-key') return corrupt(err.message)
    throw err
  }
}

function checkRow(row: CertificateBundleRow, key: SecretsKey, depth: ReadDepth): CertReadResult {
  // The key first: a key moved between rows or altered is named as such, not as a digest miss.
  const keyPem = openKey(row, key)
  if (typeof keyPem !== 'string') return keyPem
  if (row.digest !== digestOf(row))
    return corrupt('row does not match the digest it was written with')
  const stored: CertificateBundle = {
    hostname: row.hostname,
    chainPem: row.chainPem,
    keyPem,
    notBefore: row.notBefore,
    notAfter: row.notAfter,
    serial: row.serial,
    issuer: row.issuer,
  }
  if (depth === 'digests') return { status: 'ok', bundle: stored }
  const inspected = inspectBundle(row.hostname, row.chainPem, keyPem)
  if (!inspected.ok) return corrupt(inspected.reason)
  const misstated = misstatedFields(stored, inspected.bundle)
  if (misstated.length > 0) {
    return corrupt(`row disagrees with the certificate on ${misstated.join(', ')}`)
  }
  return { status: 'ok', bundle: inspected.bundle }
}

/** The certificate store over PostgreSQL, keys sealed with `key`. */
export function pgCertStore(
  db: PgDb,
  key: SecretsKey,
  now: () => Date = () => new Date(),
): CertStore {
  const byHostname = (hostname: string) => eq(certificateBundles.hostname, hostname)

  return {
    async write(bundle) {
      assertStorableHostname(bundle.hostname)
      const inspected = inspectBundle(bundle.hostname, bundle.chainPem, bundle.keyPem)
      if (!inspected.ok) {
        throw new Error(`refusing to store ${bundle.hostname}: ${inspected.reason}`)
      }
      const misstated = misstatedFields(bundle, inspected.bundle)
      if (misstated.length > 0) {
        throw new Error(`refusing to store ${bundle.hostname}: ${misstated.join(', ')} disagree`)
      }
      const { hostname, ...rest } = bundleRow(inspected.bundle, key, now())
      // One statement: concurrent writers of a hostname serialise on its row, the last one wins.
      await db
        .insert(certificateBundles)
        .values({ hostname, ...rest })
        .onConflictDoUpdate({ target: certificateBundles.hostname, set: rest })
    },

    async read(hostname, depth = 'full') {
      assertStorableHostname(hostname)
      const [row] = await db.select().from(certificateBundles).where(byHostname(hostname))
      return row === undefined ? { status: 'missing' } : checkRow(row, key, depth)
    },

    async currentSerial(hostname) {
      assertStorableHostname(hostname)
      const [row] = await db
        .select({ serial: certificateBundles.serial })
        .from(certificateBundles)
        .where(byHostname(hostname))
      return row?.serial ?? null
    },

    async currentSerials() {
      const rows = await db
        .select({ hostname: certificateBundles.hostname, serial: certificateBundles.serial })
        .from(certificateBundles)
      return new Map(rows.map((r) => [r.hostname, r.serial]))
    },

    async remove(hostname) {
      assertStorableHostname(hostname)
      await db.delete(certificateBundles).where(byHostname(hostname))
    },
  }
}
