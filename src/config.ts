/**
 * The only module that reads process.env. Every setting is parsed once by zod into a frozen
 * Config that runtime/ and cli/ pass to whatever needs it. A bad value stops start-up with one
 * line naming the variable.
 */
import { isIP } from 'node:net'
import { availableParallelism } from 'node:os'
import { z } from 'zod'
import { isValidCron, neverFires } from './adapters/scheduler/cron.js'
import { canonicalHost } from './core/canonical-host.js'
import { CHECKS_ENV } from './config-checks.js'
import { DASHBOARD_ENV } from './config-dashboard.js'
import { DNS_ENV, zoneError } from './config-dns.js'
import { STORE_ENV, storeProblem } from './config-store.js'
import {
  bool,
  csv,
  each,
  isResolver,
  numberIn,
  port,
  readableFile,
  whole,
} from './config-fields.js'

/** LE staging: a misconfigured install must not burn production rate limits (issue 3 switches). */
export const LETS_ENCRYPT_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory'
export const LETS_ENCRYPT_PRODUCTION = 'https://acme-v02.api.letsencrypt.org/directory'

const Env = z.object({
  /** The service's own name: admin API, /healthz, and the CNAME target for customer hosts. */
  SERVICE_HOST: z
    .string()
    .regex(
      /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i,
      'must be a hostname',
    )
    .transform((s) => s.toLowerCase())
    .default('localhost'),
  /** Holds the SQLite file and, by default, the certificate store. */
  DATA_DIR: z.string().min(1).default('./data'),
  HTTP_PORT: port.default(8080),
  HTTPS_PORT: port.default(8443),
  /**
   * The port outsiders reach SERVICE_HOST's HTTPS on, for the URLs handed out (report URL, logo
   * URLs). Default: 443 for a public name (a port mapping in front), HTTPS_PORT for a local one.
   */
  PUBLIC_HTTPS_PORT: numberIn(1, 65535, { int: true, what: 'a port number' }).optional(),
  /** Address the listeners bind to. */
  BIND_ADDRESS: z.string().min(1).default('0.0.0.0'),
  // Connection limits and deadlines of both listeners (issue 9): idle sockets must not take the
  // file descriptors that policy fetches need.
  /**
   * Open connections across both listeners; more are closed at accept. Keep it below the
   * process's file-descriptor limit (`ulimit -n`) with room for the database, keys and logs.
   */
  MAX_CONNECTIONS: whole(1, 1_000_000).default(10_000),
  /** Open connections from one source address (an IPv6 /64 counts as one source). */
  MAX_CONNECTIONS_PER_SOURCE: whole(1, 1_000_000).default(256),
  /** Seconds a TLS handshake may take (node's default, 120 s, let silent sockets pile up). */
  TLS_HANDSHAKE_TIMEOUT_SECONDS: whole(1, 120).default(10),
  /** Seconds from connection (or handshake) until a request's headers are complete. */
  HEADERS_TIMEOUT_SECONDS: whole(1, 300).default(10),
  /** Seconds a whole request (headers and body) may take. */
  REQUEST_TIMEOUT_SECONDS: whole(1, 3600).default(30),
  /** Seconds an idle keep-alive connection stays open between requests. */
  KEEP_ALIVE_TIMEOUT_SECONDS: whole(1, 600).default(5),
  /**
   * Seconds between SIGTERM and closing the listeners, while /readyz already answers 503, so a
   * load balancer that polls it stops sending first. 0: close at once (one machine, no balancer).
   */
  SHUTDOWN_DRAIN_SECONDS: whole(0, 300).default(0),
  /** Optional operator bootstrap token; stored hashed, revoked when the variable changes. */
  ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  /** Declarative domain files applied at start into the `local` tenant; empty disables. */
  POLICIES_DIR: z.string().default('./policies'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Largest accepted admin API request body, in bytes. */
  API_BODY_LIMIT: whole(1024, 10_485_760).default(65_536),
  /** How often (seconds) a server notices changes made by another process (CLI, instance). */
  SNAPSHOT_POLL_SECONDS: numberIn(0.1, 3600, { int: false }).default(2),
  /** `Cache-Control: max-age` on policies; RFC 8461 §8.2 suggests 60 s for shared hosts. */
  POLICY_CACHE_SECONDS: whole(0, 86400).default(60),
  /** Largest TLS report body on the wire, bytes (413 above). */
  TLSRPT_MAX_BYTES: whole(1024, 104_857_600).default(1_048_576),
  /** Largest TLS report after gunzip, bytes: a gzip bomb stops here. */
  TLSRPT_MAX_DECOMPRESSED: whole(1024, 1_073_741_824).default(10_485_760),
  /** Reports accepted per minute from one source address, and for one tenant. */
  TLSRPT_RATE_PER_SOURCE: whole(1).default(120),
  TLSRPT_RATE_PER_TENANT: whole(1).default(1_200),
  // Quotas and stored-report bounds (issue 9): defaults; PUT /tenants/:id/quotas overrides.
  /** Domains one tenant may hold, pending claims included. */
  QUOTA_DOMAINS_PER_TENANT: whole(0).default(100),
  /** BIMI selectors per domain. */
  QUOTA_SELECTORS_PER_DOMAIN: whole(0).default(10),
  /** Logos a domain's history keeps (each stays served at its URL until the domain goes). */
  QUOTA_LOGOS_PER_DOMAIN: whole(0).default(20),
  /** Bytes of those logos together. */
  QUOTA_LOGO_BYTES_PER_DOMAIN: whole(0).default(1_048_576),
  /** TLS reports one domain may receive per UTC day (429 beyond). */
  TLSRPT_REPORTS_PER_DOMAIN_DAY: whole(0).default(1_000),
  /** Stored bytes (raw gzip + bounded parsed form) per domain per UTC day (413 beyond). */
  TLSRPT_BYTES_PER_DOMAIN_DAY: whole(0).default(52_428_800),
  /** Policies kept in detail per stored report; the rest are summed. */
  TLSRPT_STORED_POLICIES: whole(1, 1_000).default(100),
  /** Failure-detail rows kept per stored policy; the rest are summed per result type. */
  TLSRPT_STORED_DETAILS: whole(1, 10_000).default(100),
  /**
   * Size budget of one report's stored parsed form (JSON characters); rows beyond it are summed.
   * Real reports take a few KB; the raw report (gzip) keeps every row anyway.
   */
  TLSRPT_STORED_PARSED_BYTES: whole(16_384, 16_777_216).default(65_536),
  // ACME settings, used by the certificate issuer (issue 3).
  CERTS_DIR: z.string().optional(),
  /** An ACME directory URL, or `letsencrypt` (staging unless ACME_PRODUCTION=true); unset → local CA. */
  ACME_DIRECTORY_URL: z.union([z.literal('letsencrypt'), z.string().url()]).optional(),
  /** A PEM file of extra CAs to trust when talking to the ACME server (private CAs, tests). */
  ACME_CA_FILE: z.string().min(1).refine(readableFile, 'must be a readable file').optional(),
  /** Deadline for one certificate order. */
  ACME_ORDER_TIMEOUT_SECONDS: whole(5, 3600).default(120),
  /**
   * Most TLS contexts cached in memory (LRU); the rest load from disk on demand. Each costs
   * ~30 KB (an OpenSSL SSL_CTX with its chain: 2,000 took 55 MB), so 1,000 keeps 100k domains
   * within 300 MB after handshake load (row 4c); a miss costs ~2 ms of CPU on Node 20 (row 3d).
   */
  TLS_CONTEXT_CACHE: whole(1, 1_000_000).default(1_000),
  /** Resolvers for the DNS preflight (`ip` or `ip:port`, comma-separated); default: system. */
  DNS_SERVERS: csv.superRefine(each(isResolver, 'is not an IP address or ip:port')),
  ACME_EMAIL: z.string().email().optional(),
  ACME_EAB_KID: z.string().optional(),
  ACME_EAB_HMAC_KEY: z.string().optional(),
  ACME_KEY_TYPE: z.enum(['ecdsa-p256', 'rsa-2048']).default('ecdsa-p256'),
  ACME_CONCURRENCY: whole(1, 64).default(4),
  ACME_PRODUCTION: bool.default(false),
  RENEW_INTERVAL: z
    .string()
    .superRefine((expr, ctx) => {
      // Checked first: node-cron refuses such dates too, but calls them malformed.
      if (neverFires(expr)) ctx.addIssue({ code: 'custom', message: 'never fires: no such date' })
      else if (!isValidCron(expr))
        ctx.addIssue({ code: 'custom', message: 'must be a cron expression' })
    })
    .default('*/15 * * * *'),
  /** Public addresses of this service, for the DNS preflight when CNAMEs are flattened. */
  PUBLIC_ADDRESSES: csv.superRefine(each((a) => isIP(a) !== 0, 'is not an IP address')),
  // Tenant work off the serving loop (issue 9 point 2): SVG, mark certificates, TLS reports.
  /** Worker threads for tenant jobs; default min(2, cores), so a core is left to serving. */
  WORKERS_TENANT_JOBS: whole(1, 64).default(Math.max(1, Math.min(2, availableParallelism()))),
  /** Deadline of one job once a worker starts it, ms; the thread is killed past it (422). */
  WORKER_JOB_TIMEOUT_MS: whole(10, 600_000).default(5_000),
  /** V8 heap limit of each worker, MB (old generation). At least 64: svgo alone needs ~25–30 and a
   *  limit of 32 failed even a 10-byte logo now and then (CI, 2026-12-06). Past it 422. */
  WORKER_MAX_OLD_MB: whole(64, 16_384).default(128),
  /** Jobs one tenant may have queued or running at once (429 beyond). */
  WORKER_JOBS_PER_TENANT: whole(1, 1_000).default(2),
  /** Jobs waiting for a worker, all tenants together (503 with Retry-After beyond). */
  WORKER_QUEUE_MAX: whole(0, 100_000).default(16),
  // Proof of domain control (issue 9).
  /** `dns`: a new domain is pending until its `_policyhost` TXT proves control; `off`: at once. */
  DOMAIN_VERIFICATION: z.enum(['dns', 'off']).default('dns'),
  /** Hours a pending claim waits for its proof before it is deleted. */
  DOMAIN_CLAIM_TTL_HOURS: whole(1, 8760).default(72),
  /** Names no tenant may register, each with everything under it (comma-separated). */
  RESERVED_DOMAINS: csv.pipe(
    z.array(
      z
        .string()
        .regex(
          /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i,
          'must be hostnames',
        )
        .transform(canonicalHost),
    ),
  ),
  ...DNS_ENV,
  ...CHECKS_ENV,
  ...DASHBOARD_ENV,
  ...STORE_ENV,
})

/** Every variable the service reads (README's configuration table lists each; a test checks). */
export const CONFIG_VARIABLES: readonly string[] = Object.freeze(Object.keys(Env.shape))

/** Variables for which an empty value is meaningful (POLICIES_DIR='' disables the sync). */
const EMPTY_IS_A_VALUE = new Set(['POLICIES_DIR'])

export type Config = Readonly<
  z.output<typeof Env> & { dbPath: string; certsDir: string; acmeDirectoryUrl: string | null }
>

/** Thrown with a single line that names the offending variable. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Parse the environment (or a given record, for tests) into a frozen Config. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "unset", except where empty is itself a setting.
  const input = Object.fromEntries(
    Object.entries(env).filter(
      ([k, v]) => v !== undefined && (v !== '' || EMPTY_IS_A_VALUE.has(k)),
    ),
  )
  const parsed = Env.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const name = String(issue?.path[0] ?? 'environment')
    throw new ConfigError(`invalid ${name}: ${issue?.message ?? 'bad value'}`)
  }
  const c = parsed.data
  if (Boolean(c.ACME_EAB_KID) !== Boolean(c.ACME_EAB_HMAC_KEY)) {
    throw new ConfigError('invalid ACME_EAB_KID/ACME_EAB_HMAC_KEY: set both or neither')
  }
  if (c.HEADERS_TIMEOUT_SECONDS > c.REQUEST_TIMEOUT_SECONDS) {
    throw new ConfigError(
      'invalid HEADERS_TIMEOUT_SECONDS: must not exceed REQUEST_TIMEOUT_SECONDS (node requires it)',
    )
  }
  const zoneProblem = c.DNS_ZONE === undefined ? null : zoneError(c.DNS_ZONE, c.DNS_NAMESERVERS)
  if (zoneProblem !== null) throw new ConfigError(zoneProblem)
  const storeMismatch = storeProblem(c)
  if (storeMismatch !== null) throw new ConfigError(storeMismatch)
  return Object.freeze({
    ...c,
    dbPath: `${c.DATA_DIR}/policyhost.sqlite`,
    certsDir: c.CERTS_DIR ?? `${c.DATA_DIR}/certs`,
    acmeDirectoryUrl: acmeDirectory(c.ACME_DIRECTORY_URL, c.ACME_PRODUCTION),
  })
}

/** `letsencrypt` means staging until the operator opts into production. */
function acmeDirectory(value: string | undefined, production: boolean): string | null {
  if (value === undefined) return null
  if (value === 'letsencrypt') return production ? LETS_ENCRYPT_PRODUCTION : LETS_ENCRYPT_STAGING
  if (value === LETS_ENCRYPT_PRODUCTION && !production) {
    throw new ConfigError(
      "invalid ACME_DIRECTORY_URL: production Let's Encrypt needs ACME_PRODUCTION=true",
    )
  }
  return value
}
