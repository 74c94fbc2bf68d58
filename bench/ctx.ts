/** bench: what every phase shares — settings, the table, notes — and repeated runs. */
import { describe, medianRun, Table } from './report.js'
import { log } from './tools.js'
import type { Run } from './wrk.js'

export interface Ctx {
  entry: string[]
  entryNote: string
  workDir: string
  /** Seconds per load run, repetitions per figure, connections per run. */
  seconds: number
  reps: number
  conns: number
  /** Domains in the large setup. */
  domains: number
  /** Policy changes per second made by the concurrent API writer. */
  writesPerSecond: number
  table: Table
  notes: string[]
  profiles: string[]
  /** Other processes' CPU during each load run (% of one core, both cores together). */
  others: number[]
}

export function settings(): Omit<Ctx, 'entry' | 'entryNote' | 'workDir'> {
  const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt)
  return {
    seconds: num('BENCH_SECONDS', 10),
    reps: num('BENCH_REPS', 3),
    conns: num('BENCH_CONNECTIONS', 50),
    domains: num('BENCH_DOMAINS', 100_000),
    writesPerSecond: num('BENCH_WRITES_PER_SECOND', 10),
    table: new Table(),
    notes: [],
    profiles: [],
    others: [],
  }
}

/** Runs `fn` `n` times (logging each run) and returns the median of each field. */
export async function repeat(ctx: Ctx, label: string, n: number, fn: () => Promise<Run>) {
  const runs: Run[] = []
  for (let i = 0; i < n; i++) {
    const r = await fn()
    log(`  ${label} #${i + 1}: ${describe(r)}`)
    ctx.others.push(r.others)
    runs.push(r)
  }
  const m = medianRun(runs)
  log(`  ${label} median: ${describe(m)}`)
  return m
}

type Series = [string, () => Promise<Run>]

/** Runs labelled series with their repetitions interleaved (A B C A B C …). */
export async function interleaved<T extends Series[]>(
  ctx: Ctx,
  series: [...T],
): Promise<{ [K in keyof T]: Run }> {
  const runs: Run[][] = series.map(() => [])
  for (let i = 0; i < ctx.reps; i++) {
    for (const [k, [label, fn]] of series.entries()) {
      const r = await fn()
      log(`  ${label} #${i + 1}: ${describe(r)}`)
      ctx.others.push(r.others)
      runs[k]!.push(r)
    }
  }
  return runs.map((rs, k) => {
    const m = medianRun(rs)
    log(`  ${series[k]![0]} median: ${describe(m)}`)
    return m
  }) as { [K in keyof T]: Run }
}
