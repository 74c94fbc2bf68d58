/**
 * Cluster-wide leases on background jobs (issue 15): every instance schedules the same jobs;
 * for a job that must run once per period across the deployment (checks, alerts, pruning), an
 * instance runs it only while it holds the job's lease.
 *
 * Contract (both stores keep it, as certmagic's Locker writes its own):
 * - **One holder.** `acquire` succeeds for one caller at a time: when the row is free (no row,
 *   or `until` has passed) or already held by the same owner. It is one conditional write, so
 *   two instances racing for it cannot both win.
 * - **Fencing token.** Every successful `acquire` returns a token larger than any returned
 *   before for that name. Work that writes after a long pause compares its token with the
 *   store's (`renew` does) and stops when a newer holder exists.
 * - **Re-check after taking it.** Holding the lease says nothing about what the previous holder
 *   finished: a job reads what is due from the store after acquiring, never from before.
 * - **Expiry, not release, is the safety net.** A holder that dies keeps the lease until
 *   `until`; others take it over then. `until` must exceed the job's run time plus clock skew
 *   between instances (times come from each instance's clock; run NTP).
 * - **Holding to the next period.** `release` may keep the lease until a later time (the next
 *   scheduled tick), so instances whose tick comes a few seconds later (random delays) do not
 *   run the same period's job again.
 */
export interface Lease {
  name: string
  owner: string
  token: number
  until: Date
}

export interface LeaseRepo {
  /** Takes `name` until `until` when free at `now` or already ours; null when another holds it. */
  acquire(name: string, owner: string, now: Date, until: Date): Promise<Lease | null>
  /** Extends our lease; false when it is no longer ours (a newer token exists): stop working. */
  renew(lease: Lease, until: Date): Promise<boolean>
  /** Ends our hold at `until` (now, or the next period's start); no-op when no longer ours. */
  release(lease: Lease, until: Date): Promise<void>
}
