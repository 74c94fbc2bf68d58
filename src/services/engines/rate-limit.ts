/**
 * Fixed-window counters per key (source address, tenant), in memory: enough to keep one noisy
 * or hostile sender from filling the database; each instance limits on its own.
 */
export class RateLimiter {
  private windowStart = 0
  private counts = new Map<string, number>()

  constructor(
    private readonly perWindow: number,
    private readonly windowMs = 60_000,
  ) {}

  /** Counts one event for `key`; false when the key is over its limit in this window. */
  take(key: string, now: number): boolean {
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now
      this.counts = new Map()
    }
    const n = (this.counts.get(key) ?? 0) + 1
    this.counts.set(key, n)
    return n <= this.perWindow
  }
}
