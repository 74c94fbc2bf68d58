/**
 * bench: medians of repeated runs and the printed table. Every comparison row carries the
 * reference measured in the same bench run, the ratio, the target and whether it holds.
 */
import type { Run } from './wrk.js'

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** The run whose requests/s is the median one, with every field taken as the median. */
export function medianRun(runs: Run[]): Run {
  const pick = (f: (r: Run) => number) => median(runs.map(f))
  return {
    requests: pick((r) => r.requests),
    rps: pick((r) => r.rps),
    p50ms: pick((r) => r.p50ms),
    p99ms: pick((r) => r.p99ms),
    errors: runs.reduce((s, r) => s + r.errors, 0),
    wallS: pick((r) => r.wallS),
    serverCpuS: pick((r) => r.serverCpuS),
    userS: pick((r) => r.userS),
    sysS: pick((r) => r.sysS),
    readsPerReq: pick((r) => r.readsPerReq),
    writesPerReq: pick((r) => r.writesPerReq),
    cpuPerReqMs: pick((r) => r.cpuPerReqMs),
    loadCpuS: pick((r) => r.loadCpuS),
    cores: (runs[0]?.cores ?? []).map((_, i) => pick((r) => r.cores[i] ?? 0)),
    others: Math.max(...runs.map((r) => r.others)),
    resumed: runs.some((r) => r.resumed !== undefined)
      ? runs.reduce((s, r) => s + (r.resumed ?? 0), 0)
      : undefined,
  }
}

export const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '-')
export const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-')
export const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-')
export const f3 = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : '-')

/** CPU (% of one core) that other processes used during the run, on both cores together. */
export const othersPct = (r: Run) =>
  Math.max(0, r.cores.reduce((a, b) => a + b, 0) - (100 * (r.serverCpuS + r.loadCpuS)) / r.wallS)

/** One line about a run: how busy the cores were and who used the CPU. */
export function describe(r: Run): string {
  const cores = r.cores.map((c, i) => `core${i} ${f0(c)}%`).join(' ')
  const pct = (s: number) => f0((100 * s) / r.wallS)
  const res = r.resumed === undefined ? '' : `, resumed ${r.resumed}`
  return (
    `${f0(r.rps)} req/s, p50 ${f2(r.p50ms)} ms, p99 ${f2(r.p99ms)} ms, errors ${r.errors}${res}; ` +
    `server ${pct(r.serverCpuS)}% CPU (user ${pct(r.userS)} + sys ${pct(r.sysS)}), ` +
    `${f3(r.cpuPerReqMs)} ms/req, ${f1(r.readsPerReq)} read + ${f1(r.writesPerReq)} write syscalls/req; ` +
    `generator ${pct(r.loadCpuS)}%; ${cores}; others ${f0(r.others)}%`
  )
}

export interface Row {
  n: string
  figure: string
  setup: string
  ours: string
  ref?: string
  ratio?: number
  target?: string
  ok?: boolean
  /** The runs the figure comes from: the table shows the most other processes used in them. */
  from?: Run[]
}

export class Table {
  readonly rows: Row[] = []
  add(row: Row): void {
    this.rows.push(row)
  }

  print(): string {
    const head = [
      '#',
      'figure',
      'setup',
      'ours',
      'nginx / reference',
      'ratio',
      'target',
      'met',
      'others',
    ]
    const sorted = [...this.rows].sort((a, b) => a.n.localeCompare(b.n, 'en', { numeric: true }))
    const cells = sorted.map((r) => [
      r.n,
      r.figure,
      r.setup,
      r.ours,
      r.ref ?? '',
      r.ratio === undefined ? '' : `${f2(r.ratio)}x`,
      r.target ?? '',
      r.ok === undefined ? '' : r.ok ? 'yes' : 'NO',
      r.from ? `${f0(Math.max(...r.from.map((x) => x.others)))}%` : '',
    ])
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
    const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`
    return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')
  }
}
