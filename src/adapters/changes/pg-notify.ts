/**
 * adapters/changes: the change feed across instances on one PostgreSQL (issue 15). Each process
 * keeps its in-process feed (in-process.ts); what it publishes there is also sent with
 * `pg_notify` once committed, and what other processes send arrives on a LISTEN connection and
 * is published locally. The contract is core/changes.ts's; what this adapter adds to it:
 *
 * - **Own events once.** A notification carries its sender's `origin`; a process ignores its
 *   own (it delivered them locally, before sending).
 * - **No event is lost unnoticed.** PostgreSQL delivers a NOTIFY to every connection listening
 *   when it commits; one sent while a listener is reconnecting is gone. So whenever the LISTEN
 *   connection is (re)established the feed publishes `reconcile`, and it also does every
 *   `reconcileMs` (a safety net for a NOTIFY that failed to send: the write committed, the
 *   notification did not).
 * - **Never a failed publish.** A failing `pg_notify` is logged; the local delivery already
 *   happened and the others catch up at the next reconcile.
 * - **A policy write announces itself.** Its event (with the carried text) is sent by the write
 *   statement (`announcing`, core/changes.ts), so it reaches the others at the write's commit
 *   and costs no round trip of its own; here it is then only delivered locally. Being part of
 *   the write, a NOTIFY that PostgreSQL refuses (its queue full: a listener stuck for long)
 *   fails the write instead of being logged.
 * - **Small payloads.** Events name (core/changes.ts); a policy write's carried text that
 *   would take the payload over NOTIFY's 8000-byte limit is dropped (the others read the
 *   policy), and any other event over it is sent as `reconcile` instead.
 */
import pg from 'pg'
import type { Announcement, Change, ChangeFeed } from '../../core/changes.js'
import type { Logger } from '../../core/ports.js'

/** The one channel every instance of a deployment listens on. */
export const CHANGE_CHANNEL = 'policyhost_changes'
/** NOTIFY's payload limit is 8000 bytes (PostgreSQL docs, NOTIFY). */
const MAX_PAYLOAD = 7900
const MAX_RECONNECT_MS = 5000
const NOTIFY_STATEMENT = 'policyhost_notify'

export interface PgFeedOptions {
  /** For sending: any pooled connection will do. */
  pool: pg.Pool
  /** For listening: a dedicated connection of its own (a pooled one would be handed out). */
  url: string
  /** This process's subscribers. */
  local: ChangeFeed
  /** Unique per process, so its own notifications are recognised. */
  origin: string
  log: Logger
  /** Full reconcile period, a safety net (0: none). */
  reconcileMs: number
  /** First wait before reconnecting a lost LISTEN connection; doubles up to 5 s. */
  reconnectMs?: number
  /**
   * After each (re)connect or loss: whether the LISTEN connection is up (for /healthz); `start`
   * may give it instead.
   */
  listening?: (ok: boolean) => void
}

export interface PgChangeFeed extends ChangeFeed {
  announcing: NonNullable<ChangeFeed['announcing']>
  /**
   * Connects the listener; resolves once LISTEN is in place (or the first attempt failed, when
   * it keeps retrying). Call it before loading the views from the store: a commit between the
   * two is then in that load or notified after it. The first connection publishes no
   * `reconcile` (the caller's load is one); every later one does.
   */
  start(listening?: (ok: boolean) => void): Promise<void>
  stop(): Promise<void>
}

interface Wire {
  o: string
  c: Change
}

export function pgChangeFeed(options: PgFeedOptions): PgChangeFeed {
  const o = { ...options }
  let client: pg.Client | null = null
  let stopped = false
  let retryTimer: NodeJS.Timeout | undefined
  let reconcileTimer: NodeJS.Timeout | undefined
  let backoff = o.reconnectMs ?? 500
  let connectedBefore = false
  let attempts = 0

  const send = async (change: Change) => {
    let payload = JSON.stringify({ o: o.origin, c: change } satisfies Wire)
    if (Buffer.byteLength(payload) > MAX_PAYLOAD && change.type === 'domain.changed') {
      const { policy: _, ...named } = change
      payload = JSON.stringify({ o: o.origin, c: named } satisfies Wire)
    }
    if (Buffer.byteLength(payload) > MAX_PAYLOAD) {
      payload = JSON.stringify({ o: o.origin, c: { type: 'reconcile' } } satisfies Wire)
    }
    try {
      // Named: each pooled connection parses it once, not once per event.
      await o.pool.query({
        name: NOTIFY_STATEMENT,
        text: 'SELECT pg_notify($1, $2)',
        values: [CHANGE_CHANNEL, payload],
      })
    } catch (err) {
      o.log.warn('change_notify_failed', { change: change.type, error: (err as Error).message })
    }
  }

  const received = (msg: pg.Notification) => {
    if (msg.channel !== CHANGE_CHANNEL || msg.payload === undefined) return
    let wire: Wire
    try {
      wire = JSON.parse(msg.payload) as Wire
    } catch {
      o.log.warn('change_notification_unreadable', { bytes: msg.payload.length })
      return
    }
    if (wire.o === o.origin || typeof wire.c?.type !== 'string') return
    void o.local.publish(withSaneCarried(wire.c))
  }

  const lost = (err?: Error) => {
    if (client === null) return
    const dead = client
    client = null
    dead.removeAllListeners()
    dead.on('error', () => {})
    void dead.end().catch(() => {})
    o.listening?.(false)
    if (stopped) return
    o.log.warn('change_listener_lost', { error: err?.message ?? 'connection ended' })
    schedule()
  }

  const schedule = () => {
    clearTimeout(retryTimer)
    retryTimer = setTimeout(() => void connect(), backoff)
    retryTimer.unref()
    // At most 5 s: a notification missed while away is made good by the reconcile on
    // reconnecting, so the sooner the better, and an attempt costs one connection.
    backoff = Math.min(backoff * 2, MAX_RECONNECT_MS)
  }

  const connect = async (): Promise<void> => {
    if (stopped || client !== null) return
    attempts++
    const c = new pg.Client({ connectionString: o.url, connectionTimeoutMillis: 5000 })
    c.on('error', (err) => lost(err))
    c.on('end', () => lost())
    c.on('notification', received)
    try {
      await c.connect()
      await c.query(`LISTEN ${CHANGE_CHANNEL}`)
    } catch (err) {
      c.removeAllListeners()
      c.on('error', () => {})
      void c.end().catch(() => {})
      o.listening?.(false)
      if (!stopped) {
        o.log.warn('change_listener_connect_failed', { error: (err as Error).message })
        schedule()
      }
      return
    }
    if (stopped) {
      await c.end().catch(() => {})
      return
    }
    client = c
    backoff = o.reconnectMs ?? 500
    o.listening?.(true)
    // Whatever was sent while no listener was up is gone: rebuild (core/changes.ts, gaps). A
    // first attempt that failed counts as a gap too: the caller's load may have missed events.
    if (connectedBefore || attempts > 1) await o.local.publish({ type: 'reconcile' })
    connectedBefore = true
  }

  return {
    async publish(change) {
      await o.local.publish(change)
      if (change.type !== 'reconcile') await send(change)
    },
    announcing: {
      announcement: (change) => announcement(o.origin, change),
      publishAnnounced: (change) => o.local.publish(change),
    },
    subscribe: (handler) => o.local.subscribe(handler),
    async start(listening) {
      if (listening) o.listening = listening
      await connect()
      if (o.reconcileMs > 0) {
        reconcileTimer = setInterval(
          () => void o.local.publish({ type: 'reconcile' }),
          o.reconcileMs,
        )
        reconcileTimer.unref()
      }
    },
    async stop() {
      stopped = true
      clearTimeout(retryTimer)
      clearInterval(reconcileTimer)
      const c = client
      client = null
      if (c) {
        c.removeAllListeners()
        c.on('error', () => {})
        await c.end().catch(() => {})
      }
    },
  }
}

/**
 * The payload of a policy write's event, split where its revision goes: `policy` is the last
 * key of `c` and `revision` the last of `policy`, so the payload ends `"revision":N}}}`. Null
 * for any other event, and when the text would take it over the limit (then the write is
 * published as usual, and `send` drops the carried text).
 */
export function announcement(origin: string, change: Change): Announcement | null {
  if (change.type !== 'domain.changed' || change.policy === undefined) return null
  const { type, domainId, domain, what } = change
  const c = { type, domainId, domain, what, policy: { text: change.policy.text } }
  const whole = JSON.stringify({ o: origin, c })
  const head = `${whole.slice(0, -'}}}'.length)},"revision":`
  // 20 digits: any revision a bigint holds.
  if (Buffer.byteLength(head) + 20 + 3 > MAX_PAYLOAD) return null
  return { head, tail: '}}}' }
}

/**
 * A carried policy is taken as served text, so one that is not a string with a whole revision
 * (anyone who may NOTIFY on the channel could send one) is dropped: the event then names only.
 */
function withSaneCarried(change: Change): Change {
  if (change.type !== 'domain.changed' || change.policy === undefined) return change
  const { text, revision } = change.policy as { text?: unknown; revision?: unknown }
  if (typeof text === 'string' && Number.isSafeInteger(revision)) return change
  const { policy: _, ...named } = change
  return named
}
