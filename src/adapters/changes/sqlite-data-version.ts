/**
 * adapters/changes: other processes on the same SQLite file (the CLI, another instance) publish
 * to their own feed only; their commits show here as a new `PRAGMA data_version`, which this
 * watcher polls and turns into a `reconcile` event (core/changes.ts: a gap means rebuild).
 */
import type { ChangePublisher } from '../../core/changes.js'
import type { Logger } from '../../core/ports.js'

export interface DataVersionWatch {
  /** Begins polling (once the listeners are up: a reconcile may start certificate orders). */
  start(): void
  stop(): void
}

export interface DataVersionOptions {
  /** `PRAGMA data_version` of this process's connection: changes when another one commits. */
  marker: () => Promise<number>
  intervalMs: number
  feed: ChangePublisher
  log: Logger
  /** After each poll: whether reading the marker worked (for /healthz). */
  polled?: (ok: boolean) => void
}

/**
 * Reads the baseline before it resolves: create it before the first full load, so a commit
 * between the two is either in that load or reported by a later reconcile.
 */
export async function watchDataVersion(o: DataVersionOptions): Promise<DataVersionWatch> {
  let seen = await o.marker()
  let busy = false
  let timer: NodeJS.Timeout | undefined
  const tick = () => {
    if (busy) return
    busy = true
    o.marker()
      .then(async (marker) => {
        o.polled?.(true)
        if (marker === seen) return
        seen = marker
        await o.feed.publish({ type: 'reconcile' })
      })
      .catch((err: Error) => {
        o.polled?.(false)
        o.log.error('snapshot_poll_failed', { error: err.message })
      })
      .finally(() => {
        busy = false
      })
  }
  return {
    start() {
      if (timer) return
      timer = setInterval(tick, o.intervalMs)
      timer.unref()
    },
    stop: () => clearInterval(timer),
  }
}
