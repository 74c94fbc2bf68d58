/**
 * Response schemas of the TLS report routes, so that openapi.json describes the health view
 * and a report's detail field by field (issue 10 point 6) instead of "any object".
 */
import { z } from '@hono/zod-openapi'

const Count = z.number().int().nonnegative()
const Failing = z.object({ name: z.string(), failedSessions: Count })

/** The figures of one day, or of the whole window (core/tls-rpt/health-tally.ts). */
const HealthFigures = z.object({
  reports: Count,
  reportIds: z.array(z.string()),
  successfulSessions: Count,
  failedSessions: Count,
  failuresByResultType: z.array(z.object({ resultType: z.string(), failedSessions: Count })),
  topFailingMxHosts: z.array(Failing),
  topFailingSendingIps: z.array(Failing),
  reporters: z.array(z.string()),
  appliedPolicies: z.array(
    z.object({
      policyId: z.string().openapi({ description: "One of our policy ids, or 'unknown'" }),
      sessions: Count,
    }),
  ),
})

export const TlsHealthOut = z
  .object({
    domain: z.string(),
    from: z.string().openapi({ description: 'First UTC day of the window (YYYY-MM-DD)' }),
    to: z.string().openapi({ description: 'Last UTC day (today, not over yet)' }),
    days: z.array(
      HealthFigures.extend({
        day: z.string(),
        silentReporters: z.array(z.string()).openapi({
          description: 'Reporters seen earlier in the window but not on this (finished) day',
        }),
      }),
    ),
    totals: HealthFigures.extend({
      daysWithReports: Count,
      mxWithSuccessfulSessions: z.array(z.object({ mx: z.string(), successfulSessions: Count })),
    }),
  })
  .openapi('TlsHealth')

export const TlsReportOut = z
  .object({
    id: z.string(),
    organization: z.string(),
    reportId: z.string(),
    contact: z.string().nullable(),
    startAt: z.string(),
    endAt: z.string(),
    day: z.string(),
    successful: Count,
    failed: Count,
    parsed: z.looseObject({}).openapi({
      description:
        'The report as normalized (RFC 8460 §4), bounded: policies and failure details past the ' +
        'stored limits are summed in omitted* members',
    }),
    warnings: z.array(z.string()),
    source: z.string(),
    receivedAt: z.string(),
    storedBytes: Count,
    rawJson: z.string().openapi({ description: 'The report exactly as received (decompressed)' }),
  })
  .openapi('TlsReport')
