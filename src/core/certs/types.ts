/**
 * Certificate ports and shapes. One certificate per hostname; the store on disk holds the
 * chain and key, SQLite mirrors the metadata and the scheduling state (renewal time, backoff,
 * last error), so a restart neither forgets backoff nor burns CA limits.
 */

export type KeyType = 'ecdsa-p256' | 'rsa-2048'

/** A certificate chain (leaf first) with its private key and parsed metadata. */
export interface CertificateBundle {
  hostname: string
  chainPem: string
  keyPem: string
  notBefore: Date
  notAfter: Date
  /** Lower-case hex serial of the leaf. */
  serial: string
  /** Issuer distinguished name of the leaf. */
  issuer: string
}

export type ReadDepth = 'full' | 'digests'

export type CertReadResult =
  | { status: 'ok'; bundle: CertificateBundle }
  | { status: 'missing' }
  /** Half-written, unparsable, key not matching the certificate, or not for this hostname. */
  | { status: 'corrupt'; reason: string }

/**
 * The certificate store: `certs/<hostname>/` on disk with SQLite, one row per hostname in the
 * shared store with PostgreSQL (key sealed). Contract: write() is all or nothing —
 * a reader sees either the previous complete bundle or the new one, never a mix; read() checks
 * the bundle (parses, key matches, names the hostname) so a damaged one is never served.
 */
export interface CertStore {
  write(bundle: CertificateBundle): Promise<void>
  /**
   * `full` (the default) parses the chain, checks it links up, names the hostname and matches
   * the key. `digests` only checks the files against the digests and serial recorded when they
   * were written (after a full check), which catches every torn or truncated write for a
   * fraction of the cost: the TLS handshake path and the start-up sweep over 100k use it.
   */
  read(hostname: string, depth?: ReadDepth): Promise<CertReadResult>
  /** The serial of the version `current` names (no file is read); null when there is none. */
  currentSerial(hostname: string): Promise<string | null>
  /**
   * Every stored hostname's current serial in one read, for stores that can give it cheaply
   * (PostgreSQL: one query, where `currentSerial` for each of 100k hostnames was 100k round trips
   * at every start). A store without it is asked per hostname (files: one readlink each). A
   * bundle written after the read may be newer than what it says: callers compare, and read the
   * bundle where it differs.
   */
  currentSerials?(): Promise<Map<string, string>>
  /** Deletes the hostname's key material. */
  remove(hostname: string): Promise<void>
}

/** An ACME account (RFC 8555 §7.3): its key, and its URL once the CA registered it. */
export interface AcmeAccount {
  keyPem: string
  url: string | null
}

/**
 * Where ACME accounts are kept, one per directory URL, so restarts and other instances reuse
 * the account instead of registering anew: files under certs/ with SQLite, the shared store
 * (key sealed) with PostgreSQL.
 */
export interface AcmeAccountStore {
  /** The stored account for `directoryUrl`, or null when there is none yet. */
  load(directoryUrl: string): Promise<AcmeAccount | null>
  /**
   * Stores `keyPem` as the account key unless one is stored already, and returns the stored
   * account: when instances race, every one of them gets the first writer's key.
   */
  create(directoryUrl: string, keyPem: string): Promise<AcmeAccount>
  /** Records the account URL the CA returned (also after re-registering a lost account). */
  saveUrl(directoryUrl: string, url: string): Promise<void>
}

/** Something that issues certificates: an ACME CA or the built-in local CA. */
export interface Issuer {
  /** Stable name stored with each certificate, e.g. `local` or the ACME directory URL. */
  readonly name: string
  issue(hostname: string, signal: AbortSignal): Promise<CertificateBundle>
}

/** HTTP-01 key authorizations, shared by every instance through the database. */
export interface ChallengeStore {
  put(token: string, keyAuthorization: string, expiresAt: Date): Promise<void>
  get(token: string, now: Date): Promise<string | null>
  remove(token: string): Promise<void>
}

/** The DNS questions the preflight asks (RFC 8461 §3.2 policy host must reach us). */
export interface DnsResolver {
  /** CNAME targets of `name` (lower-case, no trailing dot); [] when none. */
  cname(name: string): Promise<string[]>
  /** A and AAAA addresses of `name`, following CNAMEs; [] when none. */
  addresses(name: string): Promise<string[]>
  /** TXT records of `name`, each with its strings joined; [] when none. */
  txt(name: string): Promise<string[]>
  /**
   * MX records of `name`, lowest preference first (RFC 5321 §5.1), exchanges lower-case without
   * the trailing dot; [] when none. A null MX (RFC 7505) is the exchange `''`.
   */
  mx(name: string): Promise<{ preference: number; exchange: string }[]>
}

export type CertStatus = 'pending' | 'dns_pending' | 'ok' | 'failed'

/** Issuance and renewal state of one hostname, mirrored in SQLite. */
export interface CertState {
  hostname: string
  /** Outcome of the last attempt: `ok` also while a valid certificate awaits renewal. */
  status: CertStatus
  issuerName: string | null
  serial: string | null
  issuer: string | null
  notBefore: Date | null
  notAfter: Date | null
  renewAt: Date | null
  /** When the scheduler should next look at this hostname. */
  dueAt: Date
  /** Consecutive failed attempts (drives the backoff ladder). */
  failures: number
  lastError: string | null
  lastAttemptAt: Date | null
  dnsStatus: 'ok' | 'pending' | null
  dnsDetail: string | null
  updatedAt: Date
}

export interface CertStateRepo {
  get(hostname: string): Promise<CertState | null>
  many(hostnames: string[]): Promise<CertState[]>
  /** Existing hostnames (or one of `extra`) whose next action is due, most overdue first. */
  due(now: Date, limit: number, extra: string[]): Promise<string[]>
  /** State rows whose hostname no longer exists (domain removed), except `keep`. */
  orphans(limit: number, keep: string[]): Promise<string[]>
  save(state: CertState): Promise<void>
  remove(hostname: string): Promise<void>
  /** Pending rows for hostnames (and `extra`) that have none; returns how many were added. */
  reconcile(now: Date, extra: string[]): Promise<number>
  /** Makes every certificate from another issuer due now; returns how many. */
  dueOnIssuerChange(issuerName: string, now: Date): Promise<number>
  /**
   * Takes the hostname's issuance lease unless another owner holds an unexpired one. The row
   * is created (pending) when missing. True when `owner` now holds it.
   */
  acquire(hostname: string, owner: string, now: Date, until: Date): Promise<boolean>
  release(hostname: string, owner: string): Promise<void>
  /** Every hostname that has a certificate on disk, with its serial. */
  issued(): Promise<Array<{ hostname: string; serial: string }>>
  /** Every row's hostname, status and expiry (the metrics' certificate gauges, per scrape). */
  list(): Promise<Array<Pick<CertState, 'hostname' | 'status' | 'notAfter'>>>
}
