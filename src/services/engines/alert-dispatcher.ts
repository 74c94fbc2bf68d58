/**
 * Alerts by webhook (issue 13): the checker's stored changes (finding_events, the outbox) become
 * one delivery per webhook of the domain's tenant, sent signed, retried on the ladder of
 * core/alerts/alert-delivery.ts, each outcome kept as the tenant's delivery log. Reacts to
 * `checks.changed` on the change feed; a per-minute tick sends the retries that came due and
 * queues anything a missed event left behind. Only changes are alerted (the checker stores
 * nothing else), so an unchanged re-run sends nothing.
 */
import { alertBody, nextAttempt } from '../../core/alerts/alert-delivery.js'
import type { PendingDelivery, WebhookSender } from '../../core/alerts/alert-ports.js'
import type { Change } from '../../core/changes.js'
import type { Logger } from '../../core/ports.js'
import type { ServiceDeps } from '../deps.js'

/** Events queued and deliveries sent per pass; the rest wait for the next pass or tick. */
const BATCH = 100
/** Deliveries in flight at once: a slow receiver must not hold the others' alerts. */
const PARALLEL = 4

export interface AlertDispatcherOptions {
  deps: ServiceDeps
  sender: WebhookSender
  log: Logger
}

export class AlertDispatcher {
  private pass: Promise<void> = Promise.resolve()
  private again = false
  private busy = false

  constructor(private readonly opts: AlertDispatcherOptions) {}

  /** Change-feed subscriber: new findings changes are queued and sent at once. */
  apply(change: Change): void {
    if (change.type === 'checks.changed') this.kick()
  }

  /** Periodic: retries that came due, and events a missed notification left queued. */
  tick(): Promise<void> {
    this.kick()
    return this.settled()
  }

  /** Resolves when no pass is running or wanted. */
  async settled(): Promise<void> {
    while (this.busy) await this.pass
  }

  /** One pass at a time; a kick during a pass runs one more after it. */
  private kick(): void {
    if (this.busy) {
      this.again = true
      return
    }
    this.busy = true
    this.pass = (async () => {
      do {
        this.again = false
        try {
          await this.runPass()
        } catch (err) {
          this.opts.log.error('alert_pass_failed', { error: (err as Error).message })
        }
      } while (this.again)
      this.busy = false
    })()
  }

  private async runPass(): Promise<void> {
    const { deps } = this.opts
    const now = () => deps.clock.now()
    await deps.repos.alerts.enqueue(now(), deps.newId, BATCH)
    const due = await deps.repos.alerts.due(now(), BATCH)
    const queue = [...due]
    const worker = async () => {
      for (let d = queue.shift(); d; d = queue.shift()) await this.deliver(d)
    }
    await Promise.all(Array.from({ length: PARALLEL }, worker))
  }

  private async deliver(d: PendingDelivery): Promise<void> {
    const { deps, sender, log } = this.opts
    const at = deps.clock.now()
    const r = await sender.send({
      url: d.url,
      secret: d.secret,
      body: alertBody(d),
      deliveryId: d.id,
      at,
    })
    const attempts = d.attempts + 1
    const next = r.ok || !r.retryable ? null : nextAttempt(attempts, at)
    const status = r.ok ? 'delivered' : next === null ? 'failed' : 'pending'
    await deps.repos.alerts.settle(
      d.id,
      {
        status,
        attempts,
        nextAttemptAt: next,
        lastStatus: r.ok ? r.status : (r.status ?? null),
        lastReason: r.ok ? null : r.reason,
      },
      deps.clock.now(),
    )
    if (!r.ok) {
      log.info('alert_delivery_failed', {
        webhookId: d.webhookId,
        delivery: d.id,
        attempts,
        reason: r.reason,
        final: status === 'failed',
      })
    }
  }
}
