/**
 * The change port: after a write commits, the store publishes what changed; the in-memory views
 * (policy snapshot, SNI cache, logo cache), the certificate manager and later the DNS zone, the
 * checker and the dashboard subscribe. No writer calls a subscriber, and no subscriber is bound
 * to a writer.
 *
 * Contract (every adapter keeps it — in-process, SQLite `data_version`, PostgreSQL
 * LISTEN/NOTIFY — as certmagic's `Storage` and `Locker` write theirs down):
 *
 * - **After commit only.** An event is published once the write it describes is durable; a
 *   rolled-back write publishes nothing. A subscriber reading the store on an event sees at
 *   least that write.
 * - **Events name; one carries a policy.** An event says which domain, tenant or hostname
 *   changed, never a secret (keys, tokens); subscribers read the store. So an event may be
 *   stale or repeated without harm, and each is small plain JSON (a NOTIFY payload). The one
 *   exception is a policy write (`domain.changed`, `what: 'policy'`), which may carry the text
 *   now served with the policy row's revision (PolicyRepo.put): the row's writes each add one
 *   under its lock, so a subscriber that keeps the revision it holds can tell a stale or
 *   repeated event and ignore it, and must read the store (as for any event) when it holds
 *   nothing for the domain. An adapter may drop the carried part (a payload too large): the
 *   event then names only.
 * - **Order.** Within one process, every subscriber is called with the events in the order they
 *   were published; an async handler's work on one event may overlap the next (handlers that
 *   re-read the store do not mind). Across processes there is no order.
 * - **At-least-once.** An event may be delivered more than once; subscribers are idempotent
 *   (re-reading the store twice gives the same view).
 * - **Gaps: reconcile.** Where events may have been missed — another process committed (seen
 *   through SQLite's `data_version`), a LISTEN connection dropped, a subscriber started late — the
 *   adapter delivers `{ type: 'reconcile' }`, and a subscriber then rebuilds from the store.
 * - **Errors stay with the subscriber.** A handler that throws (or rejects) is logged and the
 *   others still run; `publish` never fails because of a subscriber.
 * - **Read your writes.** `publish` resolves once this process's subscribers have handled the
 *   event, so a write that awaits it returns with the in-memory views already updated.
 *   A handler that publishes does so after an await: published synchronously, its event would
 *   reach the later subscribers before the one in hand.
 */

/** What part of a domain changed: subscribers that do not serve that part may skip it. */
export type DomainAspect =
  /** A pending claim was made (nothing is served for it yet). */
  | 'claim'
  /** Became live, retiring or active again (the policy may have changed with it). */
  | 'status'
  | 'policy'
  | 'tls-rpt'
  /** Logos, selectors or mark certificates. */
  | 'bimi'
  /** Hostnames were added or taken away (a logo host, or names lost to another tenant). */
  | 'hostnames'
  /** Its DNS mode (self or delegated to our zone) changed. */
  | 'dns'

/** What a policy write carries: the text served from now on, ordered by the row's revision. */
export interface CarriedPolicy {
  text: string
  revision: number
}

export type Change =
  | {
      type: 'domain.changed'
      domainId: string
      domain: string
      what: DomainAspect
      /** Only with `what: 'policy'`, and only if the adapter kept it (see the contract). */
      policy?: CarriedPolicy
    }
  /** The domain row is gone, with its hostnames (`hostnames`: those it had; their certs are orphans). */
  | { type: 'domain.removed'; domainId: string; domain: string; hostnames: string[] }
  | { type: 'tenant.changed'; tenantId: string }
  /** A certificate was stored for `hostname` (`serial`), or dropped (`serial` null). */
  | { type: 'certificate.stored'; hostname: string; serial: string | null }
  /** The stored certificate of `hostname` cannot be used (found while serving TLS). */
  | { type: 'certificate.damaged'; hostname: string; reason: string }
  /** The delegated zone's entry for the domain was written (zone version `version`). */
  | { type: 'zone.changed'; domainId: string; version: number }
  /** The checker stored changes of the domain's findings (issue 13): alerts, status. */
  | { type: 'checks.changed'; domainId: string }
  /** Events may have been missed: rebuild from the store. */
  | { type: 'reconcile' }

/** Handles one event; may be async. Must be idempotent (at-least-once delivery). */
export type ChangeHandler = (change: Change) => void | Promise<void>

/**
 * A policy write's notification to the other processes, sent by the store inside the write's
 * own transaction (so delivered at its commit, with no round trip of its own; bench row 15c1).
 * The row's revision is known only once written, so the payload is split where it goes: the
 * store sends `head + revision + tail`.
 */
export interface Announcement {
  head: string
  tail: string
}

/** The publishing side, given to stores (and the few writers outside them). */
export interface ChangePublisher {
  /** Publishes a committed change; resolves when this process's subscribers have handled it. */
  publish(change: Change): Promise<void>
  /**
   * Only feeds that reach other processes through the store itself (PostgreSQL's NOTIFY) have
   * it. `announcement(change)`: the payload of a policy write's event whose revision is still
   * unknown (its `policy.revision` is ignored), or null when it cannot be carried that way (too
   * large): then publish it as usual. A store given an announcement sends it in the write's
   * transaction or fails the write; after such a write has committed, `publishAnnounced(change)`
   * delivers the event to this process only — the others had it from the store.
   */
  announcing?: {
    announcement(change: Change): Announcement | null
    publishAnnounced(change: Change): Promise<void>
  }
}

export interface ChangeFeed extends ChangePublisher {
  /** Adds a subscriber; returns the function that removes it. */
  subscribe(handler: ChangeHandler): () => void
}
