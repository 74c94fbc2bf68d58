/**
 * Service tests' world: the real migrations on a fresh store (world-store.ts: in-memory SQLite,
 * or PostgreSQL with TEST_STORE=postgres), the real repositories and change feed, ServiceDeps
 * built by runtime/service-deps.ts from a parsed config (the server's wiring), tenant work
 * in-process, a clock moved by hand and DNS answered from a table. No socket, no file: a service
 * test costs milliseconds.
 */
import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import type { Config } from '../../src/config.js'
import { loadConfig } from '../../src/config.js'
import type { Actor } from '../../src/core/actor.js'
import type { Change, ChangeFeed } from '../../src/core/changes.js'
import type { DnsResolver } from '../../src/core/certs/types.js'
import { DomainError } from '../../src/core/errors.js'
import { inProcessFeed } from '../../src/adapters/changes/in-process.js'
import { createLogger } from '../../src/adapters/log/logger.js'
import { inProcessPorts } from '../../src/adapters/workers/in-process-ports.js'
import { serviceDeps } from '../../src/runtime/service-deps.js'
import type { ServiceDeps } from '../../src/services/deps.js'
import { addDomain } from '../../src/services/domains/domains.js'
import { createTenant } from '../../src/services/tenants/tenants.js'
import { logEntries, MutableClock, SERVICE_HOST, type LogEntry } from './test-server.js'
import { openWorldStore, type WorldStore } from './world-store.js'

/** DNS from a table: name → TXT strings, CNAME targets, addresses; a name in `failing` throws. */
export class TableDns implements DnsResolver {
  readonly txts = new Map<string, string[]>()
  readonly cnames = new Map<string, string[]>()
  readonly addrs = new Map<string, string[]>()
  readonly failing = new Set<string>()
  private answer(table: Map<string, string[]>, name: string): Promise<string[]> {
    if (this.failing.has(name)) return Promise.reject(new Error(`queryTxt ESERVFAIL ${name}`))
    return Promise.resolve(table.get(name) ?? [])
  }
  txt = (name: string) => this.answer(this.txts, name)
  cname = (name: string) => this.answer(this.cnames, name)
  addresses = (name: string) => this.answer(this.addrs, name)
  /** name → exchanges, in preference order (10, 20, …). */
  readonly mxs = new Map<string, string[]>()
  mx = async (name: string) =>
    (await this.answer(this.mxs, name)).map((exchange, i) => ({
      preference: 10 * (i + 1),
      exchange,
    }))
}

export interface ServiceWorld {
  deps: ServiceDeps
  config: Config
  /** The store: raw SQL for set-ups a service cannot make (portable SQL, `?` placeholders). */
  store: WorldStore
  clock: MutableClock
  dns: TableDns
  /** Every change event published, in order. */
  changes: Change[]
  /** The change feed the repositories publish on, for engines a test wires itself. */
  feed: ChangeFeed
  logged(msg?: string): LogEntry[]
  /** The audit trail's rows, oldest first; with `action`, only those. */
  audit(action?: string): Promise<AuditRow[]>
  /** The operator, as the admin token authenticates it. */
  operator: Actor
  /** A tenant and the actor its token authenticates. */
  tenant(name: string): Promise<{ id: string; actor: Actor }>
  close(): Promise<void>
}

/** One audit_log row as stored (`detail` parsed). */
export interface AuditRow {
  at: number
  tenantId: string | null
  actorTokenId: string | null
  action: string
  subject: string
  detail: AuditDetail
}

type AuditDetail = Record<string, unknown> | null

export const START = new Date('2026-03-01T12:00:00Z')

/** A real BIMI logo (Fastmail's, SVG Tiny PS), for tests that need one stored. */
export const REAL_LOGO = new Uint8Array(
  readFileSync(new URL('../fixtures/svg/real-fastmail-fm.svg', import.meta.url)),
)

/** A fresh world; `env` overrides the test defaults (see baseEnv in test-server.ts). */
export async function serviceWorld(env: Record<string, string> = {}): Promise<ServiceWorld> {
  const config = loadConfig({
    DATA_DIR: '/nonexistent/policyhost-service-test',
    SERVICE_HOST,
    PUBLIC_HTTPS_PORT: '443',
    POLICIES_DIR: '',
    LOG_LEVEL: 'debug',
    DOMAIN_VERIFICATION: 'off',
    // No outgoing SMTP unless a test points the probe at its own server (issue 13).
    MX_PROBE: 'off',
    POLICY_FETCH: 'off',
    ...env,
  })
  const lines: string[] = []
  const log = createLogger('debug', (l) => lines.push(l))
  const store = await openWorldStore()
  const feed = inProcessFeed(log)
  const changes: Change[] = []
  feed.subscribe((c) => void changes.push(c))
  const repos = store.repos(feed)
  const clock = new MutableClock(new Date(START))
  const dns = new TableDns()
  const work = inProcessPorts((q) => repos.reports.healthRows(q.domainId, q.fromDay, q.toDay))
  const deps = serviceDeps(config, {
    repos,
    clock,
    log,
    dns,
    work,
    serviceUrl: `https://${SERVICE_HOST}`,
    serviceWarnings: [],
  })
  const operator: Actor = { kind: 'operator', tokenId: 'operator-test-token' }
  return {
    deps,
    config,
    store,
    clock,
    dns,
    changes,
    feed,
    operator,
    logged: (msg) => logEntries(lines, msg),
    async audit(action) {
      const rows = await store.sql<Omit<AuditRow, 'detail'> & { detail: unknown }>(
        'SELECT at, tenant_id AS "tenantId", actor_token_id AS "actorTokenId", action, subject, detail FROM audit_log ORDER BY id',
      )
      return rows
        .map((r) => ({
          ...r,
          at: Number(r.at),
          // SQLite returns the JSON text; PostgreSQL returns jsonb already parsed.
          detail: (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as AuditDetail,
        }))
        .filter((r) => action === undefined || r.action === action)
    },
    async tenant(name) {
      const created = await createTenant(deps, operator, { name })
      return {
        id: created.id,
        actor: { kind: 'tenant', tenantId: created.id, tokenId: `t-${name}` },
      }
    },
    close: () => store.close(),
  }
}

/** The DomainError a service call rejects with; the test fails if it resolves or throws else. */
export async function failure(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(DomainError)
  return err as DomainError
}

/**
 * Tenant `alpha` and its domain `alpha.example` (verified at creation, as DOMAIN_VERIFICATION
 * is off unless a test turns it on); the change events of the set-up are cleared.
 */
export async function alphaWithDomain(world: ServiceWorld) {
  const a = await world.tenant('alpha')
  const domain = await addDomain(world.deps, a.actor, { name: 'alpha.example' })
  world.changes.length = 0
  return { a, domain }
}
