/**
 * The domain checker in the background (issue 13): every live domain once per CHECK_INTERVAL,
 * spread over it — each tick checks a batch sized so that all come round once per interval,
 * never-checked and longest-unchecked first — and soon after a change of something it checks
 * (a change-feed subscriber: status, policy, TLS-RPT, DNS mode). A domain whose check throws is
 * logged and left for the next round; it never stops the others.
 */
import type { Change, DomainAspect } from '../../core/changes.js'
import type { Logger } from '../../core/ports.js'
import { checkDomain } from '../checks/check-domain.js'
import type { ServiceDeps } from '../deps.js'

export interface DomainCheckerOptions {
  deps: ServiceDeps
  log: Logger
  /** CHECK_INTERVAL_HOURS in ms. */
  intervalMs: number
  /** How often tick() is called (the scheduler's period). */
  tickMs: number
  /**
   * Wait after a change before checking: a policy change is often followed by its TLS-RPT or
   * DNS-mode change within seconds, and one check should see them all.
   */
  settleMs: number
}

/** What a change must touch for the checks' outcome to move. */
const CHECKED: ReadonlySet<DomainAspect> = new Set(['status', 'policy', 'tls-rpt', 'dns'])

export class DomainChecker {
  private readonly soon = new Map<string, NodeJS.Timeout>()
  private readonly running = new Set<Promise<void>>()
  private stopped = false

  constructor(private readonly opts: DomainCheckerOptions) {}

  /** Change-feed subscriber: a check of the domain after settleMs (one per burst of changes). */
  apply(change: Change): void {
    if (this.stopped || change.type !== 'domain.changed' || !CHECKED.has(change.what)) return
    const { domainId } = change
    clearTimeout(this.soon.get(domainId))
    const timer = setTimeout(() => {
      this.soon.delete(domainId)
      this.track(this.checkOne(domainId))
    }, this.opts.settleMs)
    timer.unref()
    this.soon.set(domainId, timer)
  }

  /** The scheduled round: one batch of due domains, checked one after another. */
  async tick(now: Date): Promise<number> {
    const { intervalMs, tickMs, deps } = this.opts
    const before = new Date(now.getTime() - intervalMs)
    // Sized from the live count so every domain is checked once per interval; at least one.
    const live = await deps.repos.checks.liveCount()
    const batch = Math.max(1, Math.ceil((live * tickMs) / intervalMs))
    const domainIds = await deps.repos.checks.due(before, batch)
    for (const id of domainIds) {
      if (this.stopped) break
      await this.checkOne(id)
    }
    return domainIds.length
  }

  /** Resolves once the checks started by changes so far have finished (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running)
  }

  /** Cancels waiting checks; those running finish (settled()). */
  stop(): void {
    this.stopped = true
    for (const timer of this.soon.values()) clearTimeout(timer)
    this.soon.clear()
  }

  private track(p: Promise<void>): void {
    this.running.add(p)
    void p.finally(() => this.running.delete(p))
  }

  private async checkOne(domainId: string): Promise<void> {
    try {
      const domain = await this.opts.deps.repos.domains.byId(domainId)
      if (domain === null || domain.status === 'pending') return
      const outcome = await checkDomain(this.opts.deps, domain)
      if (outcome.changes.length > 0) {
        this.opts.log.info('checks_changed', {
          domain: domain.name,
          opened: outcome.changes.filter((c) => c.change === 'opened').length,
          resolved: outcome.changes.filter((c) => c.change === 'resolved').length,
        })
      }
    } catch (err) {
      this.opts.log.error('check_failed', { domainId, error: (err as Error).message })
    }
  }
}
