import type { CheckKind, Finding } from '../../core/checks/findings.js'

/** What one check of a run found, or why it could not run. */
export type Result = { kind: CheckKind; found: Finding[] } | { kind: CheckKind; skipped: string }

/** Runs one check; a lookup or connection error of ours makes it skipped, not a finding. */
export async function attempt(kind: CheckKind, check: () => Promise<Finding[]>): Promise<Result> {
  try {
    return { kind, found: await check() }
  } catch (err) {
    // A resolver error is ours or the network's, not the owner's: say it was not checked.
    const code = (err as NodeJS.ErrnoException).code
    return { kind, skipped: `lookup failed${code ? ` (${code})` : ''}` }
  }
}
