/**
 * Ports: the interfaces services need from the outside world. Adapters implement them; runtime/
 * wires them. Repository methods return Promises so that another store can implement them later
 * without touching services; each mutating method is atomic and writes its audit row in the same
 * transaction.
 */
import type { ChallengeStore, CertStateRepo } from './certs/types.js'
import type { Cursor } from './cursor.js'
import type { Mode } from './mta-sts/policy.js'
import type { AlertRepo } from './alerts/alert-ports.js'
import type { DomainOverviewRepo } from './domain-overview.js'
import type { CheckRepo } from './checks/check-ports.js'
import type { ZoneRepo } from './dns/zone-ports.js'
import type { SessionRepo } from './web-sessions.js'
import type { LeaseRepo } from './leases.js'
import type { Announcement } from './changes.js'

import type { TlsReportRepo } from './report-ports.js'
export type { StoredZoneEntry, ZoneRepo } from './dns/zone-ports.js'
export type {
  ReportEndpoint,
  ReportHealthRow,
  ReportSummary,
  StoredReport,
  TlsReportRepo,
} from './report-ports.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  child(fields: LogFields): Logger
  /** Whether `level` is written, so a hot path can skip building its fields. */
  enabled(level: LogLevel): boolean
}

export interface Clock {
  now(): Date
}

export interface Tenant {
  id: string
  name: string
  createdAt: Date
}

export interface ApiToken {
  id: string
  /** null for operator tokens. */
  tenantId: string | null
  label: string
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
}

export interface NewToken {
  id: string
  tenantId: string | null
  label: string
  /** Lower-case hex SHA-256 of the secret; the secret itself is never stored. */
  sha256: string
  createdAt: Date
}

/** `pending`: claimed, control not yet proven (issue 9); never served, no certificate. */
export type DomainStatus = 'pending' | 'active' | 'retiring'

export interface Domain {
  id: string
  tenantId: string
  name: string
  status: DomainStatus
  createdAt: Date
  retiredAt: Date | null
  /** When a retiring domain may finally be removed (RFC 8461 §8.3 step 3). */
  removeAt: Date | null
  /** Longest max_age of any non-`none` policy ever published for the domain. */
  maxAgeHigh: number | null
  /** The claim's token, published as `_policyhost.<name>` TXT; null when trusted or older. */
  verificationToken: string | null
  /** When control was proven (or trusted); null while pending and for rows before issue 9. */
  verifiedAt: Date | null
  /** A pending claim is deleted after this time. */
  claimExpiresAt: Date | null
  lastCheckAt: Date | null
  /** Why the last check failed, or that control moved to another tenant. */
  lastCheckError: string | null
  /** Who publishes the TXT records: the owner (`self`) or our zone through CNAMEs (issue 12). */
  dnsMode: DnsMode
  /** The domain's label in the delegated zone, given on first delegation and kept. */
  dnsLabel: string | null
}

export type DnsMode = 'self' | 'delegated'

/** Keyset page of a domain list: rows after (name, id), at most `limit`. */
export interface DomainPage {
  after: { name: string; id: string } | null
  limit: number
}

/** What the holder of a name becomes when another tenant proves control of it. */
export interface Displacement {
  verificationToken: string
  claimExpiresAt: Date
  lastCheckError: string
  /** The audit row for the old holder's tenant, built from its row. */
  audit: (old: Domain) => AuditEntry
}

/** `policy`: mta-sts.<domain>; `logo`: a custom BIMI logo host CNAMEd to us. */
export type HostnameRole = 'policy' | 'logo'

export interface Hostname {
  name: string
  domainId: string
  role: HostnameRole
}

export interface StoredPolicy {
  domainId: string
  mode: Mode
  mx: string[]
  maxAge: number
  /** RFC 8461 §3.1 id of `text`. */
  policyId: string
  /** The exact bytes served. */
  text: string
  updatedAt: Date
}

export interface StoredTlsRpt {
  domainId: string
  rua: string[]
  updatedAt: Date
}

export interface AuditEntry {
  at: Date
  tenantId: string | null
  actorTokenId: string | null
  action: string
  subject: string
  detail?: Record<string, unknown>
}

export interface TenantRepo {
  /** Creates the tenant (and its first token, if any); CONFLICT when the name is taken. */
  create(tenant: Tenant, firstToken: NewToken | null, audit: AuditEntry): Promise<void>
  list(): Promise<Tenant[]>
  byId(id: string): Promise<Tenant | null>
  /** Names are compared case-insensitively: `ALPHA` finds `alpha`. */
  byName(name: string): Promise<Tenant | null>
}

export interface TokenRepo {
  create(token: NewToken, audit: AuditEntry): Promise<void>
  byHash(sha256: string): Promise<(ApiToken & { sha256: string }) | null>
  byId(id: string): Promise<ApiToken | null>
  touch(id: string, at: Date): Promise<void>
  revoke(id: string, at: Date, audit: AuditEntry): Promise<void>
  /**
   * Revokes live token `id` and inserts `next` in one transaction; false (nothing written) when
   * `id` is already revoked, so two rotations of one token cannot both succeed.
   */
  rotate(id: string, at: Date, next: NewToken, audit: AuditEntry): Promise<boolean>
  /** Makes `token` the only live env-bootstrapped operator token; false when already so. */
  replaceEnvOperator(token: NewToken, audit: AuditEntry): Promise<boolean>
  /**
   * One page of tokens (of one tenant, of operators with `tenantId` null, or all when
   * undefined), oldest first, strictly after `after`; `limit` + 1 rows tell if more exist.
   */
  list(
    tenantId: string | null | undefined,
    after: Cursor | null,
    limit: number,
  ): Promise<ApiToken[]>
}

export interface DomainRepo {
  /** CONFLICT when the tenant has the name already, or it is live and another tenant holds it. */
  create(domain: Domain, hostnames: Hostname[], audit: AuditEntry): Promise<void>
  /** The row with this id, in any status. */
  byId(id: string): Promise<Domain | null>
  /** The live (active or retiring) row of a name: the one served. Pending claims never. */
  byName(name: string): Promise<Domain | null>
  /** A tenant's own row for a name, pending or live. */
  ofTenant(tenantId: string, name: string): Promise<Domain | null>
  /** Every row for a name (the live one and the pending claims), oldest first. */
  claims(name: string): Promise<Domain[]>
  /** Domains of a tenant, or of all tenants when `tenantId` is null, by (name, id). */
  list(tenantId: string | null, page?: DomainPage): Promise<Domain[]>
  /** Stores the outcome of a check that did not prove control. */
  recordCheck(domainId: string, at: Date, error: string): Promise<void>
  /**
   * Makes a pending claim the live domain, in one transaction: the current holder (if any)
   * goes back to pending as `displaced` says and loses its hostnames, any other domain's logo
   * host among `hostnames` is dropped, `hostnames` are added (certificates queued unless one
   * exists). CONFLICT when the claim is no longer pending. Returns the other domains changed.
   */
  verify(
    claim: Domain,
    hostnames: Hostname[],
    displaced: Displacement,
    audit: AuditEntry,
  ): Promise<{ displaced: Domain | null; changed: string[] }>
  /**
   * At most `limit` unexpired pending claims that are due for a scheduled check at `now`:
   * never checked, or checked at least the back-off gap ago (exactly `claimCheckDue`, with
   * the gap from CLAIM_CHECK_GAP). Claims not yet due are never returned, so however many
   * stale claims wait, a due one is not crowded out. Order: never-checked first (oldest
   * claim first), then by when they fell due (lastCheckAt + gap), earliest first; ties go
   * to the older claim.
   */
  dueClaims(now: Date, limit: number): Promise<Domain[]>
  /** Pending claims whose time is up. */
  expiredClaims(now: Date, limit: number): Promise<Domain[]>
  hostnames(domainId: string): Promise<Hostname[]>
  /**
   * Marks the domain retiring and stores its `none` policy in one step, remembering which
   * policy was in force until then (for `restore`).
   */
  retire(domain: Domain, nonePolicy: StoredPolicy, audit: AuditEntry): Promise<void>
  /** The policy version in force when the domain's retirement began; null when it had none. */
  retiredPolicy(domainId: string): Promise<{ policyId: string; text: string } | null>
  /**
   * Cancels a retirement in one step: the domain is active again and serves `policy` (a new
   * version), or no policy when null. CONFLICT when the domain is no longer retiring.
   */
  restore(domainId: string, policy: StoredPolicy | null, audit: AuditEntry): Promise<void>
  /** Deletes the domain with its hostnames, policy and settings. */
  remove(domainId: string, audit: AuditEntry): Promise<void>
  dueForRemoval(now: Date): Promise<Domain[]>
}

export interface PolicyRepo {
  get(domainId: string): Promise<StoredPolicy | null>
  /**
   * Every policy version the domain has published (id and exact text), newest first: a text
   * published again under a new id (a cancelled retirement) is matched to its latest id first.
   */
  versions(domainId: string): Promise<Array<{ policyId: string; text: string }>>
  /**
   * Stores the policy (and its version), raises maxAgeHigh for non-`none` modes and writes the
   * audit entry, all or nothing. Resolves to the row's new revision: every write of a domain's
   * policy row (this one, retire, restore) adds one under the row's lock, so revisions order
   * that row's writes. Resolves to null, writing nothing, when the row already holds
   * `policy.text` (decided under the row's lock, so of two identical puts at once one writes):
   * RFC 8461 §3.1's id changes exactly when the text does, so an identical policy is no change.
   * With `announcement` (ChangePublisher.announcing), a write that changes the row also sends it
   * in the same transaction, with the new revision in its place; a store that cannot rejects it.
   */
  put(policy: StoredPolicy, audit: AuditEntry, announcement?: Announcement): Promise<number | null>
}

export interface TlsRptRepo {
  get(domainId: string): Promise<StoredTlsRpt | null>
  put(settings: StoredTlsRpt, audit: AuditEntry): Promise<void>
  remove(domainId: string, audit: AuditEntry): Promise<void>
}

/** What the listeners need per hostname: the exact policy bytes and the current certificate. */
export interface ServedHost {
  hostname: string
  /** Which content the name serves; null for the `extra` names (the service host). */
  role: HostnameRole | null
  /** The customer domain the name belongs to; null for the `extra` names. */
  domain: string | null
  domainId: string | null
  /** The policy text (policy hosts only), or null when the domain has none yet. */
  text: string | null
  /** The policy row's revision (PolicyRepo.put), with `text`; null when `text` is. */
  revision: number | null
  /** Serial of the certificate on disk, or null before the first issuance. */
  certSerial: string | null
}

export interface SnapshotSource {
  /**
   * Every hostname we answer for, plus the `extra` names (the service host). Streamed: 100k rows
   * as one array raised the start-up memory peak by ~50 MB.
   */
  hosts(extra: string[]): Promise<Iterable<ServedHost>>
  /** The hostnames of one domain (none once it is removed). */
  hostsOfDomain(domainId: string): Promise<ServedHost[]>
}

export interface StoredLogo {
  sha256: string
  /** The exact bytes accepted. */
  svg: Uint8Array
  size: number
  createdAt: Date
}

export interface BimiAssertion {
  domainId: string
  selector: string
  logoSha256: string
  vmcPem: string | null
  vmcNotAfter: Date | null
  /** Whether the certificate embeds exactly this logo (null without a certificate). */
  vmcMatchesLogo: boolean | null
  updatedAt: Date
}

export interface BimiRepo {
  list(domainId: string): Promise<BimiAssertion[]>
  get(domainId: string, selector: string): Promise<BimiAssertion | null>
  /** Stores the logo (once per hash), adds it to the domain's history and sets the assertion. */
  putLogo(assertion: BimiAssertion, logo: StoredLogo, audit: AuditEntry): Promise<void>
  /** Sets (or clears, with null pem) the assertion's mark certificate. */
  putCertificate(assertion: BimiAssertion, audit: AuditEntry): Promise<void>
  remove(domainId: string, selector: string, audit: AuditEntry): Promise<void>
  logo(sha256: string): Promise<StoredLogo | null>
  /** A logo the domain has published, by the hex prefix of its hash. */
  domainLogoByPrefix(domainName: string, prefix: string): Promise<StoredLogo | null>
  /** The current assertion for a domain name and selector (public serving). */
  assertionByName(domainName: string, selector: string): Promise<BimiAssertion | null>
  /** Adds a logo host for the domain (hostname row, certificate queued). */
  addLogoHost(domainId: string, hostname: string, at: Date, audit: AuditEntry): Promise<void>
  removeLogoHost(hostname: string, audit: AuditEntry): Promise<void>
}

export interface Repos {
  tenants: TenantRepo
  tokens: TokenRepo
  domains: DomainRepo
  policies: PolicyRepo
  tlsRpt: TlsRptRepo
  snapshot: SnapshotSource
  certs: CertStateRepo
  challenges: ChallengeStore
  bimi: BimiRepo
  reports: TlsReportRepo
  quotas: QuotaRepo
  zone: ZoneRepo
  checks: CheckRepo
  alerts: AlertRepo
  overview: DomainOverviewRepo
  /** Dashboard sign-in sessions (issue 14). */
  sessions: SessionRepo
  /** Cluster-wide job leases (issue 15). */
  leases: LeaseRepo
}

/** What a tenant or a domain holds, for the quota checks (services/tenants/quotas.ts). */
export interface QuotaRepo {
  /** The operator's stored overrides for the tenant (JSON), or null. */
  overrides(tenantId: string): Promise<unknown>
  setOverrides(
    tenantId: string,
    overrides: Record<string, number>,
    audit: AuditEntry,
  ): Promise<void>
  /** The tenant's domains in every status (pending claims included). */
  domainCount(tenantId: string): Promise<number>
  /** Selectors of the domain, and the logos (count, bytes) its history keeps. */
  logoUsage(domainId: string): Promise<{ selectors: number; logos: number; logoBytes: number }>
  keepsLogo(domainId: string, sha256: string): Promise<boolean>
  hasSelector(domainId: string, selector: string): Promise<boolean>
  /** Reports received for the domain since `since`, and the bytes they take. */
  reportUsage(domainId: string, since: Date): Promise<{ reports: number; bytes: number }>
}
