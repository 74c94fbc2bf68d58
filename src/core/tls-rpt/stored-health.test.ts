import { describe, expect, it } from 'vitest'
import { tlsHealth, type HealthReport } from './health.js'
import { parseReport } from './report.js'
import { healthOfStored } from './stored-health.js'
import { tallyReport } from './tally.js'

const served = [
  {
    policyId: 'p1',
    text: 'version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmax_age: 86400\r\n',
  },
]
const now = new Date('2026-11-05T10:00:00Z')

function report(id: string, start: string, ok: number, failed: number): HealthReport {
  const parsed = parseReport({
    'organization-name': 'Sender Inc.',
    'date-range': {
      'start-datetime': start,
      'end-datetime': start.replace('00:00:00', '23:59:59'),
    },
    'contact-info': 'tlsrpt@sender.example',
    'report-id': id,
    policies: [
      {
        policy: {
          'policy-type': 'sts',
          'policy-domain': 'example.com',
          'policy-string': [
            'version: STSv1',
            'mode: testing',
            'mx: mx1.example.com',
            'max_age: 86400',
          ],
          'mx-host': ['mx1.example.com'],
        },
        summary: { 'total-successful-session-count': ok, 'total-failure-session-count': failed },
        'failure-details': [
          {
            'result-type': 'certificate-expired',
            'receiving-mx-hostname': 'mx1.example.com',
            'sending-mta-ip': '192.0.2.1',
            'failed-session-count': failed,
          },
        ],
      },
    ],
  })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues))
  return { id, submitter: 'Sender Inc.', report: parsed.report }
}

describe('healthOfStored', () => {
  it('when rows hold tallies as text, or (older rows) only the parsed report, then the view equals the one from whole reports', () => {
    const a = report('r1', '2026-11-04T00:00:00Z', 90, 10)
    const b = report('r2', '2026-11-05T00:00:00Z', 40, 2)
    const tallied = tallyReport(a.report).find((t) => t.domain === 'example.com')!.tally
    const stored = [
      {
        id: 'r1',
        organization: 'Sender Inc.',
        reportId: 'r1',
        startAt: a.report.dateRange.start,
        tally: JSON.stringify(tallied),
        parsed: null,
      },
      {
        id: 'r2',
        organization: 'Sender Inc.',
        reportId: 'r2',
        startAt: b.report.dateRange.start,
        tally: null,
        // Stored as JSON, its dates come back as strings.
        parsed: JSON.stringify(b.report),
      },
    ]

    const view = healthOfStored({ domain: 'example.com', stored, served, now, days: 3 })
    const expected = tlsHealth({ domain: 'example.com', reports: [a, b], served, now, days: 3 })

    expect(view).toEqual(expected)
    expect(view.days.map((d) => [d.day, d.successfulSessions, d.failedSessions])).toEqual([
      ['2026-11-03', 0, 0],
      ['2026-11-04', 90, 10],
      ['2026-11-05', 40, 2],
    ])
  })
})
