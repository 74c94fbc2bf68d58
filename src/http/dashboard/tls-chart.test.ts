import { describe, expect, it } from 'vitest'
import type { DayHealth } from '../../core/tls-rpt/health.js'
import { CHART_HEIGHT, chartBars, chartSummary, TlsChart } from './tls-chart.js'

const day = (d: string, ok: number, failed: number): DayHealth => ({
  day: d,
  reports: ok + failed > 0 ? 1 : 0,
  reportIds: [],
  successfulSessions: ok,
  failedSessions: failed,
  failuresByResultType: [],
  topFailingMxHosts: [],
  topFailingSendingIps: [],
  reporters: [],
  appliedPolicies: [],
  silentReporters: [],
})

// The plot's height: CHART_HEIGHT less the top and bottom margins (8 + 24).
const PLOT = CHART_HEIGHT - 32

describe('chartBars', () => {
  it.each([
    ['the busiest day fills the plot', [day('a', 100, 0)], [PLOT], [0]],
    ['an empty window draws nothing', [day('a', 0, 0), day('b', 0, 0)], [0, 0], [0, 0]],
    ['bars scale to the busiest day', [day('a', 50, 50), day('b', 200, 0)], [52, PLOT], [52, 0]],
    ['a handful of failures among many is still drawn', [day('a', 1_000_000, 1)], [PLOT - 2], [2]],
  ])('when %s, then the heights are as drawn', (_name, days, ok, failed) => {
    const { bars } = chartBars(days)
    expect(bars.map((b) => b.okHeight)).toEqual(ok)
    expect(bars.map((b) => b.failHeight)).toEqual(failed)
    // The failed part sits right on top of the successful part, inside the plot.
    for (const b of bars) {
      expect(b.failY + b.failHeight).toBeCloseTo(b.okY, 1)
      expect(b.failY).toBeGreaterThanOrEqual(8)
    }
  })
})

describe('TlsChart', () => {
  it('when drawn, then it is an image named by its title and described in words', () => {
    const days = [day('2026-12-01', 3, 1), day('2026-12-02', 1, 0)]

    const svg = String(TlsChart({ days, id: 'c' }))

    expect(svg).toContain('role="img"')
    expect(svg).toContain('aria-labelledby="c-title c-desc"')
    expect(svg).toContain('<desc id="c-desc">From 2026-12-01 to 2026-12-02: 4 sessions successful')
    expect(svg).toContain('<title>2026-12-01: 3 sessions successful, 1 session failed</title>')
    expect(svg).not.toContain('style=')
    expect(chartSummary(days)).toContain('1 of 2 days had failures')
  })
})
