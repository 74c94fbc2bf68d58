/**
 * adapters/certs: the built-in local CA (like caddy's internal issuer), used when no ACME
 * directory is configured. Its root lives in `<dir>/local-ca/` and signs leaves directly;
 * clients that trust `root.pem` accept the policy hosts it certifies.
 */
import {
  createPrivateKey,
  createPublicKey,
  randomBytes,
  webcrypto,
  X509Certificate as NodeCertificate,
} from 'node:crypto'
import { mkdir, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import * as x509 from '@peculiar/x509'
import type { CertificateBundle, Issuer, KeyType } from '../../core/certs/types.js'
import {
  ensurePrivateDir,
  fsyncDir,
  hasErrorCode,
  randomSuffix,
  writeFileDurable,
} from './durable-fs.js'
import { assertStorableHostname } from './hostname.js'
import { generateKeyPem, inspectBundle } from './x509.js'

x509.cryptoProvider.set(webcrypto)

export type LocalCa = Issuer & { rootPem: string; rootPath: string }

export interface LocalCaOptions {
  keyType: KeyType
  clock: () => Date
  /** Default 7: short-lived leaves need no revocation (caddy's internal issuer uses 12 h). */
  leafLifetimeDays?: number
}

const CA_DIR = 'local-ca'
// Long enough that a root handed to clients outlives most installs, as caddy's does.
const ROOT_LIFETIME_YEARS = 10
// Backdated so a client whose clock runs a little behind still accepts a fresh certificate.
const BACKDATE_MS = 60_000
const DAY_MS = 86_400_000
// RFC 5280 §4.1.2.2: positive, at most 20 octets; 16 random bytes make serials unguessable.
// The first byte is forced into 0x40–0x7f: positive without a DER pad byte, and never a leading
// zero, so the stored (zero-stripped) serial is always 32 hex digits.
function serialHex(): string {
  const bytes = randomBytes(16)
  bytes[0] = 0x40 | (bytes[0]! & 0x3f)
  return bytes.toString('hex')
}

interface Root {
  pem: string
  cert: x509.X509Certificate
  signingKey: webcrypto.CryptoKey
  keyId: string
}

async function signingKeyFrom(keyPem: string): Promise<webcrypto.CryptoKey> {
  const der = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' })
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' }
  return webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign'])
}

const spkiOf = (keyPem: string) => createPublicKey(keyPem).export({ type: 'spki', format: 'der' })

async function createRootFiles(dir: string, now: Date): Promise<void> {
  const keyPem = generateKeyPem('ecdsa-p256')
  const spki = spkiOf(keyPem)
  const notAfter = new Date(now)
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + ROOT_LIFETIME_YEARS)
  // A random suffix tells apart the roots of different installs in a client's trust store.
  const name = `CN=policyhost Local Root CA ${randomBytes(4).toString('hex')}`
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialHex(),
    subject: name,
    issuer: name,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter,
    publicKey: spki,
    signingKey: await signingKeyFrom(keyPem),
    extensions: [
      // pathLen 0: this root signs leaves only, never an intermediate.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(spki),
    ],
  })
  // Both files appear at once by renaming their folder; a losing concurrent creator finds the
  // folder taken and loads the winner's root instead of mixing one's key with the other's cert.
  const tmp = join(dir, `.${CA_DIR}-${randomSuffix()}`)
  await mkdir(tmp, { mode: 0o700 })
  try {
    await writeFileDurable(join(tmp, 'root.key'), keyPem)
    await writeFileDurable(join(tmp, 'root.pem'), cert.toString('pem') + '\n')
    await fsyncDir(tmp)
    await rename(tmp, join(dir, CA_DIR))
    await fsyncDir(dir)
  } catch (err) {
    await rm(tmp, { recursive: true, force: true })
    if (!hasErrorCode(err, 'ENOTEMPTY', 'EEXIST')) throw err
  }
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT')) return null
    throw err
  }
}

async function loadRoot(caDir: string): Promise<Root | null> {
  const pem = await readIfExists(join(caDir, 'root.pem'))
  if (pem === null) return null
  const fail = (why: string) =>
    new Error(
      `local CA in ${caDir}: ${why}; restore root.pem and root.key, or remove the folder to ` +
        'create a new root (clients must then trust the new root.pem)',
    )
  const keyPem = await readIfExists(join(caDir, 'root.key'))
  if (keyPem === null) throw fail('root.key is missing')
  let cert: NodeCertificate
  try {
    cert = new NodeCertificate(pem)
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) throw new Error('mismatch')
  } catch {
    throw fail('root.key does not match root.pem (or either does not parse)')
  }
  if (!cert.ca) throw fail('root.pem is not a CA certificate')
  const peculiar = new x509.X509Certificate(pem)
  const keyId = peculiar.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId
  if (keyId === undefined) throw fail('root.pem has no subject key identifier')
  return { pem, cert: peculiar, signingKey: await signingKeyFrom(keyPem), keyId }
}

async function issueLeaf(root: Root, hostname: string, keyPem: string, now: Date, days: number) {
  const notAfter = new Date(now.getTime() + days * DAY_MS)
  if (notAfter > root.cert.notAfter) {
    throw new Error(`local CA root expires ${root.cert.notAfter.toISOString()}; replace it`)
  }
  const usage =
    createPrivateKey(keyPem).asymmetricKeyType === 'rsa'
      ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
      : x509.KeyUsageFlags.digitalSignature
  return x509.X509CertificateGenerator.create({
    serialNumber: serialHex(),
    subject: `CN=${hostname}`,
    // The root's own encoded name, so the issuer matches it byte for byte (RFC 5280 §7.1).
    issuer: root.cert.subjectName,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter,
    publicKey: spkiOf(keyPem),
    signingKey: root.signingKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(usage, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: hostname }]),
      new x509.AuthorityKeyIdentifierExtension(root.keyId),
    ],
  })
}

/** Where the local CA under `dir` keeps the root that clients must trust. */
export const localCaRootPath = (dir: string): string => join(dir, CA_DIR, 'root.pem')

/** Loads the local CA under `dir`, creating its root on first use. */
export async function localCa(dir: string, opts: LocalCaOptions): Promise<LocalCa> {
  const days = opts.leafLifetimeDays ?? 7
  if (!(days > 0)) throw new Error(`leafLifetimeDays must be positive, got ${days}`)
  const caDir = join(dir, CA_DIR)
  await ensurePrivateDir(dir)
  let root = await loadRoot(caDir)
  if (root === null) {
    await createRootFiles(dir, opts.clock())
    root = await loadRoot(caDir)
    if (root === null) throw new Error(`local CA in ${caDir}: folder exists without root.pem`)
  }
  const ready = root
  return {
    name: 'local',
    rootPem: ready.pem,
    rootPath: localCaRootPath(dir),
    async issue(hostname: string, signal: AbortSignal): Promise<CertificateBundle> {
      signal.throwIfAborted()
      // The name becomes a certificate subject; the store would refuse anything else anyway.
      assertStorableHostname(hostname)
      const keyPem = generateKeyPem(opts.keyType)
      const leaf = await issueLeaf(ready, hostname, keyPem, opts.clock(), days)
      signal.throwIfAborted()
      const inspected = inspectBundle(hostname, `${leaf.toString('pem')}\n${ready.pem}`, keyPem)
      if (!inspected.ok) throw new Error(`local CA issued a bad certificate: ${inspected.reason}`)
      return inspected.bundle
    },
  }
}
