/**
 * adapters/changes: the change feed inside one process (core/changes.ts has the contract).
 * `publish` calls every subscriber synchronously in subscription order, so each sees events in
 * publish order, then waits for the async ones; a failing subscriber is logged and skipped.
 */
import type { Change, ChangeFeed, ChangeHandler } from '../../core/changes.js'
import type { Logger } from '../../core/ports.js'

export function inProcessFeed(log: Logger): ChangeFeed {
  const handlers = new Set<ChangeHandler>()
  const failed = (change: Change, err: unknown) =>
    log.error('change_subscriber_failed', {
      change: change.type,
      error: err instanceof Error ? err.message : String(err),
    })
  return {
    async publish(change) {
      const pending: Promise<void>[] = []
      // A copy: a handler that unsubscribes (or subscribes) does not change this delivery.
      for (const handler of [...handlers]) {
        try {
          const r = handler(change)
          if (r) pending.push(r.catch((err: unknown) => failed(change, err)))
        } catch (err) {
          failed(change, err)
        }
      }
      await Promise.all(pending)
    },
    subscribe(handler) {
      // Wrapped, so one function subscribed twice is two subscriptions, removed one at a time.
      const h: ChangeHandler = (c) => handler(c)
      handlers.add(h)
      return () => void handlers.delete(h)
    },
  }
}
