/**
 * The SQLite schema (drizzle). drizzle-kit generates the migrations in ./migrations from this
 * file (`npm run db:generate`); they are committed and applied at start by migrate().
 * Times are integer milliseconds since the epoch.
 */
import { sql } from 'drizzle-orm'
import {
  blob,
  check,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core'

const ms = (name: string) => integer(name, { mode: 'timestamp_ms' })

export const tenants = sqliteTable(
  'tenants',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    createdAt: ms('created_at').notNull(),
    /** Operator overrides of the configured quotas (JSON object, keys as in TenantQuotas). */
    quotas: text('quotas', { mode: 'json' }).$type<Record<string, number>>(),
  },
  // `alpha` and `ALPHA` are one tenant name: an operator could not tell them apart.
  (t) => [uniqueIndex('tenants_name_ci').on(sql`lower(${t.name})`)],
)

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').references(() => tenants.id, { onDelete: 'cascade' }),
    sha256: text('sha256').notNull().unique(),
    label: text('label').notNull(),
    fromEnv: integer('from_env', { mode: 'boolean' }).notNull().default(false),
    createdAt: ms('created_at').notNull(),
    lastUsedAt: ms('last_used_at'),
    revokedAt: ms('revoked_at'),
  },
  (t) => [index('api_tokens_tenant').on(t.tenantId)],
)

export const domains = sqliteTable(
  'domains',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    /** `pending` until the tenant proves control through DNS; only then served or issued. */
    status: text('status', { enum: ['pending', 'active', 'retiring'] })
      .notNull()
      .default('active'),
    createdAt: ms('created_at').notNull(),
    retiredAt: ms('retired_at'),
    removeAt: ms('remove_at'),
    maxAgeHigh: integer('max_age_high'),
    /**
     * The policy id in force when the retirement began (null: none), so that cancelling the
     * retirement can restore that policy from policy_versions (issue 10 point 11).
     */
    retiredPolicyId: text('retired_policy_id'),
    /** The value the tenant publishes in `_policyhost.<name>` TXT to prove control. */
    verificationToken: text('verification_token'),
    verifiedAt: ms('verified_at'),
    /** A pending claim is dropped after this time. */
    claimExpiresAt: ms('claim_expires_at'),
    lastCheckAt: ms('last_check_at'),
    /** Why the last verification check failed, or why control moved away (shown to the tenant). */
    lastCheckError: text('last_check_error'),
    /**
     * `delegated`: the owner CNAMEs `_mta-sts`, `_smtp._tls` and `_bimi` names to our zone
     * (DNS_ZONE) once, and the zone serves the TXT records (issue 12).
     */
    dnsMode: text('dns_mode', { enum: ['self', 'delegated'] })
      .notNull()
      .default('self'),
    /** The domain's label in the zone, given once and kept (stable CNAME targets). */
    dnsLabel: text('dns_label'),
  },
  (t) => [
    index('domains_tenant').on(t.tenantId),
    index('domains_remove_at').on(t.removeAt),
    // Several tenants may claim a name; only one can hold it (pending claims do not count).
    uniqueIndex('domains_name_live')
      .on(t.name)
      .where(sql`${t.status} <> 'pending'`),
    uniqueIndex('domains_tenant_name').on(t.tenantId, t.name),
    index('domains_name').on(t.name),
    index('domains_claim_expires_at').on(t.claimExpiresAt),
    uniqueIndex('domains_dns_label').on(t.dnsLabel),
  ],
)

export const hostnames = sqliteTable(
  'hostnames',
  {
    name: text('name').primaryKey(),
    domainId: text('domain_id')
      .notNull()
      .references(() => domains.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['policy', 'logo'] }).notNull(),
  },
  (t) => [index('hostnames_domain').on(t.domainId)],
)

export const mtaStsPolicies = sqliteTable('mta_sts_policies', {
  domainId: text('domain_id')
    .primaryKey()
    .references(() => domains.id, { onDelete: 'cascade' }),
  mode: text('mode', { enum: ['enforce', 'testing', 'none'] }).notNull(),
  maxAge: integer('max_age').notNull(),
  mx: text('mx', { mode: 'json' }).$type<string[]>().notNull(),
  policyId: text('policy_id').notNull(),
  text: text('text').notNull(),
  updatedAt: ms('updated_at').notNull(),
  /**
   * Bumped by every write of the row, under its lock: orders the row's writes whatever the
   * writers' clocks, so a change event carrying the text can be told stale (core/changes.ts).
   */
  revision: integer('revision').notNull().default(0),
})

export const tlsRpt = sqliteTable('tlsrpt', {
  domainId: text('domain_id')
    .primaryKey()
    .references(() => domains.id, { onDelete: 'cascade' }),
  rua: text('rua', { mode: 'json' }).$type<string[]>().notNull(),
  updatedAt: ms('updated_at').notNull(),
})

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: ms('at').notNull(),
    // No foreign keys: the trail outlives the tenants, tokens and domains it mentions.
    tenantId: text('tenant_id'),
    actorTokenId: text('actor_token_id'),
    action: text('action').notNull(),
    subject: text('subject').notNull(),
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_log_tenant_at').on(t.tenantId, t.at)],
)

/**
 * Issuance state per hostname. No foreign key to hostnames: when a domain is removed its
 * hostnames go, and this row is how the renewal job finds key material left to delete.
 * `due_at` is the one indexed time the scheduler scans: first issuance, renewal, or retry.
 */
export const certificates = sqliteTable(
  'certificates',
  {
    hostname: text('hostname').primaryKey(),
    status: text('status', { enum: ['pending', 'dns_pending', 'ok', 'failed'] }).notNull(),
    issuerName: text('issuer_name'),
    serial: text('serial'),
    issuer: text('issuer'),
    notBefore: ms('not_before'),
    notAfter: ms('not_after'),
    renewAt: ms('renew_at'),
    dueAt: ms('due_at').notNull(),
    failures: integer('failures').notNull().default(0),
    lastError: text('last_error'),
    lastAttemptAt: ms('last_attempt_at'),
    dnsStatus: text('dns_status', { enum: ['ok', 'pending'] }),
    dnsDetail: text('dns_detail'),
    // A lease, so only one process (server, CLI `renew`, another instance) orders at a time.
    leaseOwner: text('lease_owner'),
    leaseUntil: ms('lease_until'),
    updatedAt: ms('updated_at').notNull(),
  },
  // Covering (due_at, hostname): the renewal scan reads only the index, 169 -> 62 ms at 100k.
  (t) => [index('certificates_due_at_hostname').on(t.dueAt, t.hostname)],
)

/** HTTP-01 key authorizations, so any instance (or a restarted one) can answer the CA. */
export const acmeChallenges = sqliteTable(
  'acme_challenges',
  {
    token: text('token').primaryKey(),
    keyAuthorization: text('key_authorization').notNull(),
    expiresAt: ms('expires_at').notNull(),
  },
  (t) => [index('acme_challenges_expires_at').on(t.expiresAt)],
)

/** Accepted logos, content-addressed: the bytes served are exactly the bytes accepted. */
export const logos = sqliteTable('logos', {
  sha256: text('sha256').primaryKey(),
  // A blob, not text: served byte for byte, BOM and all (a VMC embeds these exact bytes).
  svg: blob('svg', { mode: 'buffer' }).notNull(),
  size: integer('size').notNull(),
  createdAt: ms('created_at').notNull(),
})

/**
 * Every logo a domain has published. Its content-addressed URL keeps working after a newer
 * logo replaces it, until the domain goes: receivers cache, and the tenant changes DNS later.
 */
export const domainLogos = sqliteTable(
  'domain_logos',
  {
    domainId: text('domain_id')
      .notNull()
      .references(() => domains.id, { onDelete: 'cascade' }),
    sha256: text('sha256')
      .notNull()
      .references(() => logos.sha256, { onDelete: 'restrict' }),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.domainId, t.sha256] })],
)

/** One BIMI assertion per domain and selector: the logo and, optionally, its mark certificate. */
export const bimiAssertions = sqliteTable(
  'bimi_assertions',
  {
    domainId: text('domain_id')
      .notNull()
      .references(() => domains.id, { onDelete: 'cascade' }),
    selector: text('selector').notNull(),
    logoSha256: text('logo_sha256')
      .notNull()
      .references(() => logos.sha256, { onDelete: 'restrict' }),
    /** The mark certificate chain (PEM), stored byte for byte. */
    vmcPem: text('vmc_pem'),
    vmcNotAfter: ms('vmc_not_after'),
    /** Whether the certificate embeds exactly this logo; `a=` is published only when it does. */
    vmcMatchesLogo: integer('vmc_matches_logo', { mode: 'boolean' }),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.domainId, t.selector] })],
)

/**
 * Per-domain report URL tokens (`https://SERVICE_HOST/tlsrpt/<token>`). The token is published
 * in DNS, so it is not a secret; it only keeps the endpoint from being enumerated. A rotated
 * token keeps working until `expires_at`.
 */
export const tlsRptTokens = sqliteTable(
  'tlsrpt_tokens',
  {
    token: text('token').primaryKey(),
    domainId: text('domain_id')
      .notNull()
      .references(() => domains.id, { onDelete: 'cascade' }),
    createdAt: ms('created_at').notNull(),
    /** Null while current; set when rotated away (grace period end). */
    expiresAt: ms('expires_at'),
  },
  (t) => [index('tlsrpt_tokens_domain').on(t.domainId)],
)

/** One received report, with its raw bytes (gzip) so nothing is lost if parsing improves. */
export const tlsReports = sqliteTable(
  'tls_reports',
  {
    id: text('id').primaryKey(),
    domainId: text('domain_id')
      .notNull()
      .references(() => domains.id, { onDelete: 'cascade' }),
    organization: text('organization').notNull(),
    reportId: text('report_id').notNull(),
    contact: text('contact'),
    startAt: ms('start_at').notNull(),
    endAt: ms('end_at').notNull(),
    /** UTC day (YYYY-MM-DD) of start_at: the unit of the health view. */
    day: text('day').notNull(),
    successful: integer('successful').notNull(),
    failed: integer('failed').notNull(),
    /** The parsed report (normalized) as JSON. */
    parsed: text('parsed', { mode: 'json' }).notNull(),
    warnings: text('warnings', { mode: 'json' }).$type<string[]>().notNull(),
    raw: blob('raw', { mode: 'buffer' }).notNull(),
    source: text('source').notNull(),
    receivedAt: ms('received_at').notNull(),
    /** Bytes this row costs (raw + parsed), for the per-domain daily storage quota. */
    storedBytes: integer('stored_bytes').notNull().default(0),
    /** Compact per-report sums for the health view (core/tls-rpt/tally.ts); null before 0007. */
    tally: text('tally', { mode: 'json' }),
  },
  (t) => [
    uniqueIndex('tls_reports_submitter').on(t.domainId, t.organization, t.reportId),
    index('tls_reports_domain_day').on(t.domainId, t.day),
    index('tls_reports_domain_received').on(t.domainId, t.receivedAt),
  ],
)

/** Every policy text a domain has published, so TLS reports can be matched to the version applied. */
export const policyVersions = sqliteTable(
  'policy_versions',
  {
    domainId: text('domain_id')
      .notNull()
      .references(() => domains.id, { onDelete: 'cascade' }),
    policyId: text('policy_id').notNull(),
    text: text('text').notNull(),
    firstServedAt: ms('first_served_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.domainId, t.policyId] })],
)

/**
 * The delegated zone's version (one row): bumped in the transaction that changes an entry. The
 * SOA serial derives from it; it starts at the Unix time of the zone's creation so a rebuilt
 * database still hands secondaries a higher serial than they hold.
 */
export const dnsZone = sqliteTable('dns_zone', {
  id: integer('id').primaryKey(),
  version: integer('version').notNull(),
  changedAt: ms('changed_at').notNull(),
})

/**
 * What the zone serves per delegated domain, as last written. A removed entry stays as a
 * tombstone (`entry` null) so an instance catching up reads `version > mine` and sees deletions.
 * No foreign key: the row must outlive its domain until the zone has dropped it.
 */
export const dnsEntries = sqliteTable(
  'dns_entries',
  {
    domainId: text('domain_id').primaryKey(),
    label: text('label').notNull(),
    /** ZoneEntry as JSON, or null: removed from the zone. */
    entry: text('entry', { mode: 'json' }).$type<unknown>(),
    /** The MTA-STS policy id the zone's `_mta-sts` record announces (RFC 8461 §3.1). */
    stsId: text('sts_id'),
    version: integer('version').notNull(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [index('dns_entries_version').on(t.version)],
)

/** Serving instances, for "every instance serves the new policy" before the zone's id moves. */
export const instances = sqliteTable('instances', {
  id: text('id').primaryKey(),
  startedAt: ms('started_at').notNull(),
  seenAt: ms('seen_at').notNull(),
})

/** Which policy id each instance serves for a domain whose zone id is about to change. */
export const policyAcks = sqliteTable(
  'policy_acks',
  {
    instanceId: text('instance_id')
      .notNull()
      .references(() => instances.id, { onDelete: 'cascade' }),
    domainId: text('domain_id').notNull(),
    policyId: text('policy_id').notNull(),
    ackedAt: ms('acked_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.instanceId, t.domainId] }),
    index('policy_acks_domain').on(t.domainId),
  ],
)

/**
 * Domains whose zone entry may be behind their policy: a change waiting for instances to serve
 * it, marked by whichever process made it. Serving instances retry these (an indexed read)
 * instead of comparing every delegated domain with its entry on each tick and reconcile.
 */
export const dnsPending = sqliteTable('dns_pending', {
  domainId: text('domain_id').primaryKey(),
  since: ms('since').notNull(),
})

/**
 * The checker's open findings per domain (issue 13), one row per problem key: what status shows
 * and what the next run is compared with (core/checks/findings.ts).
 */
export const domainFindings = sqliteTable(
  'domain_findings',
  {
    domainId: text('domain_id')
      .notNull()
      .references(() => domains.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    kind: text('kind').notNull(),
    severity: text('severity', { enum: ['error', 'warning'] }).notNull(),
    message: text('message').notNull(),
    openedAt: ms('opened_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.domainId, t.key] })],
)

/** When each kind of check last ran for a domain, and whether it could (a lookup may fail). */
export const checkRuns = sqliteTable(
  'check_runs',
  {
    domainId: text('domain_id')
      .notNull()
      .references(() => domains.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    ranAt: ms('ran_at').notNull(),
    /** null: it ran; else why it could not (shown in status, never a finding). */
    skipped: text('skipped'),
  },
  (t) => [primaryKey({ columns: [t.domainId, t.kind] })],
)

/**
 * Every change of a domain's findings, oldest first: the history an owner reads and what alerts
 * are sent from. Kept after the domain goes (the tenant's history), so no foreign key.
 */
export const findingEvents = sqliteTable(
  'finding_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tenantId: text('tenant_id').notNull(),
    domainId: text('domain_id').notNull(),
    domain: text('domain').notNull(),
    change: text('change', { enum: ['opened', 'resolved', 'severity'] }).notNull(),
    key: text('key').notNull(),
    kind: text('kind').notNull(),
    severity: text('severity', { enum: ['error', 'warning'] }).notNull(),
    message: text('message').notNull(),
    at: ms('at').notNull(),
  },
  (t) => [index('finding_events_domain').on(t.domainId, t.id)],
)

/** A tenant's webhook for alerts (issue 13): its URL and the secret its bodies are signed with. */
export const webhooks = sqliteTable('webhooks', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  url: text('url').notNull(),
  secret: text('secret').notNull(),
  createdAt: ms('created_at').notNull(),
})

/**
 * A tenant's mail address for alerts (issue 13). Mail goes out only once the address is
 * confirmed: its owner passes the code mailed to it back to the tenant, who confirms it, so a
 * tenant cannot turn alerts into mail to a stranger. `confirm_hash` (SHA-256 of the code) is
 * cleared on confirmation.
 */
export const alertContacts = sqliteTable(
  'alert_contacts',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    confirmHash: text('confirm_hash'),
    confirmAttempts: integer('confirm_attempts').notNull().default(0),
    confirmedAt: ms('confirmed_at'),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [uniqueIndex('alert_contacts_tenant_email').on(t.tenantId, t.email)],
)

/**
 * One alert to one target — a webhook or a confirmed mail contact, exactly one of the two: a
 * finding event (`finding_events.id`) to deliver, its attempts and outcome — the delivery log a
 * tenant reads, and the retry queue (`pending` by next attempt).
 */
export const alertDeliveries = sqliteTable(
  'alert_deliveries',
  {
    id: text('id').primaryKey(),
    webhookId: text('webhook_id').references(() => webhooks.id, { onDelete: 'cascade' }),
    contactId: text('contact_id').references(() => alertContacts.id, { onDelete: 'cascade' }),
    eventId: integer('event_id').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull(),
    nextAttemptAt: ms('next_attempt_at'),
    lastStatus: integer('last_status'),
    lastReason: text('last_reason'),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [
    index('alert_deliveries_due').on(t.status, t.nextAttemptAt),
    index('alert_deliveries_webhook').on(t.webhookId, t.createdAt),
    index('alert_deliveries_contact').on(t.contactId, t.createdAt),
    // Unqualified names: the rebuild that added it renames the table afterwards.
    check('alert_deliveries_one_target', sql`(webhook_id IS NULL) <> (contact_id IS NULL)`),
  ],
)

/** How far alerts have been queued: the last finding event turned into deliveries (one row). */
export const alertCursor = sqliteTable('alert_cursor', {
  id: integer('id').primaryKey(),
  eventId: integer('event_id').notNull(),
})

/**
 * A dashboard sign-in (issue 14). `id` is the SHA-256 hex of the session secret: the cookie holds
 * the secret, so a copy of the database cannot be replayed as a cookie. Deleting (or revoking)
 * the API token the session was opened with ends it.
 */
export const webSessions = sqliteTable(
  'web_sessions',
  {
    id: text('id').primaryKey(),
    tokenId: text('token_id')
      .notNull()
      .references(() => apiTokens.id, { onDelete: 'cascade' }),
    csrf: text('csrf').notNull(),
    createdAt: ms('created_at').notNull(),
    lastSeenAt: ms('last_seen_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
  },
  (t) => [index('web_sessions_token').on(t.tokenId), index('web_sessions_expires').on(t.expiresAt)],
)

/**
 * Cluster-wide leases on background jobs (issue 15): one row per job name. Whoever holds an
 * unexpired lease runs the job; `token` grows with every new holder (a fencing token), so work
 * begun under an older lease can be told apart from the current holder's.
 */
export const jobLeases = sqliteTable('job_leases', {
  name: text('name').primaryKey(),
  owner: text('owner').notNull(),
  until: ms('until').notNull(),
  token: integer('token').notNull(),
})

/**
 * Certificate bundles in the shared store (issue 15). Used by the PostgreSQL store only (SQLite
 * keeps its certificates on disk); here so both schemas stay one. The key is sealed
 * (adapters/crypto/sealed.ts), never stored in the clear; `digest` covers the row as written.
 */
export const certificateBundles = sqliteTable('certificate_bundles', {
  hostname: text('hostname').primaryKey(),
  serial: text('serial').notNull(),
  notBefore: ms('not_before').notNull(),
  notAfter: ms('not_after').notNull(),
  issuer: text('issuer').notNull(),
  chainPem: text('chain_pem').notNull(),
  keySealed: blob('key_sealed', { mode: 'buffer' }).notNull(),
  digest: text('digest').notNull(),
  writtenAt: ms('written_at').notNull(),
})

/** ACME accounts, one per directory URL, with the key sealed (PostgreSQL store only, issue 15). */
export const acmeAccounts = sqliteTable('acme_accounts', {
  directoryUrl: text('directory_url').primaryKey(),
  keySealed: blob('key_sealed', { mode: 'buffer' }).notNull(),
  accountUrl: text('account_url'),
  createdAt: ms('created_at').notNull(),
})
