/**
 * Alerts (issue 13): the checker's stored changes (finding_events, the outbox) become one
 * delivery per webhook and confirmed mail contact of the domain's tenant — webhooks signed, mail
 * through the operator's relay (SMTP_URL) — retried on the ladder of
 * core/alerts/alert-delivery.ts, each outcome kept as the tenant's delivery log. Reacts to
 * `checks.changed` on the change feed; a per-minute tick sends the retries that came due and
 * queues anything a missed event left behind. Only changes are alerted (the checker stores
 * nothing else), so an unchanged re-run sends nothing.
 */
import { alertBody, nextAttempt } from '../../core/alerts/alert-delivery.js'
import { alertMail } from '../../core/alerts/alert-mail.js'
import type {
  DeliveryResult,
  MailSender,
  PendingDelivery,
  WebhookSender,
} from '../../core/alerts/alert-ports.js'
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
  /** The mail relay; by default ServiceDeps' (null without SMTP_URL: mail deliveries fail). */
  mail?: MailSender | null
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

  private send(d: PendingDelivery, at: Date): Promise<DeliveryResult> {
    const { deps, sender } = this.opts
    const t = d.target
    if (t.channel === 'webhook') {
      return sender.send({
        url: t.url,
        secret: t.secret,
        body: alertBody(d),
        deliveryId: d.id,
        at,
      })
    }
    const mail = this.opts.mail === undefined ? (deps.mail?.sender ?? null) : this.opts.mail
    if (mail === null) {
      // SMTP_URL was removed after the contact was confirmed: nothing to retry until it is back.
      return Promise.resolve({
        ok: false,
        reason: 'mail is off (SMTP_URL unset)',
        retryable: false,
        ms: 0,
      })
    }
    return mail.send({ to: t.email, deliveryId: d.id, ...alertMail(d, deps.service.url) })
  }

  private async deliver(d: PendingDelivery): Promise<void> {
    const { deps, log } = this.opts
    const at = deps.clock.now()
    const r = await this.send(d, at)
    deps.metrics.countAlertDelivery(d.target.channel, r.ok ? 'ok' : 'failed')
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
        channel: d.target.channel,
        target: d.target.id,
        delivery: d.id,
        attempts,
        reason: r.reason,
        final: status === 'failed',
      })
    }
  }
}
