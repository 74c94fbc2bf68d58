import { createRoute, z } from '@hono/zod-openapi'
import { CHECK_KINDS } from '../../core/checks/findings.js'
import type { ServiceDeps } from '../../services/deps.js'
import { checkNow, checksOf, mxSuggestion } from '../../services/checks/domain-checks.js'
import { json, newRouter, problems } from '../openapi.js'
import { checksView } from '../views.js'
import { DomainParam, domainFromParam } from './domain-param.js'

const FindingOut = z.object({
  kind: z.enum(CHECK_KINDS),
  key: z.string().describe('Stable while the problem lasts'),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  openedAt: z.string(),
})
const RunOut = z.object({
  kind: z.enum(CHECK_KINDS),
  ranAt: z.string(),
  skipped: z.string().nullable().describe('Why it could not run last time (its findings stay)'),
})
const EventOut = z.object({
  id: z.number().int(),
  change: z.enum(['opened', 'resolved', 'severity']),
  key: z.string(),
  kind: z.enum(CHECK_KINDS),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  at: z.string(),
})
export const ChecksStateOut = z.object({ findings: z.array(FindingOut), runs: z.array(RunOut) })
const ChecksOut = ChecksStateOut.extend({
  history: z.array(EventOut).describe('Changes of state, newest first'),
})
const CheckNowOut = z.object({
  ran: z.array(z.enum(CHECK_KINDS)),
  skipped: z.array(z.object({ kind: z.enum(CHECK_KINDS), reason: z.string() })),
  changes: z.array(
    z.object({ change: z.enum(['opened', 'resolved', 'severity']), key: z.string() }),
  ),
  findings: z.array(FindingOut),
  runs: z.array(RunOut),
})
const HistoryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().min(1).optional().describe('An event id: older events only'),
})
const MxSuggestionOut = z.object({
  live: z.array(z.string()).describe('The live MX hosts, lowest preference first'),
  uncovered: z.array(z.string()).describe("Not matched by the policy's mx list (RFC 8461 §4.1)"),
  suggested: z.array(z.string()).describe('An mx list that covers them all'),
})

const runNow = createRoute({
  method: 'post',
  path: '/domains/{name}/checks',
  summary: 'Check the published records and MX coverage now (at most every 10 s per domain)',
  request: { params: DomainParam },
  responses: {
    200: json(CheckNowOut, 'What ran, what changed, and the findings now'),
    ...problems(400, 401, 404, 409, 429),
  },
})
const read = createRoute({
  method: 'get',
  path: '/domains/{name}/checks',
  summary: "The domain's open findings, when each check last ran, and the history of changes",
  request: { params: DomainParam, query: HistoryQuery },
  responses: { 200: json(ChecksOut, 'Findings and history'), ...problems(400, 401, 404) },
})
const suggestion = createRoute({
  method: 'get',
  path: '/domains/{name}/mx-suggestion',
  summary: "The policy's mx list proposed from the live MX records",
  request: { params: DomainParam },
  responses: {
    200: json(MxSuggestionOut, 'Live MX and the proposal'),
    ...problems(400, 401, 404, 409, 502),
  },
})

export function domainCheckRoutes(deps: ServiceDeps) {
  return newRouter()
    .openapi(runNow, async (c) => {
      const name = domainFromParam(c.req.valid('param').name)
      const r = await checkNow(deps, c.get('actor'), name)
      return c.json(
        {
          ran: r.ran,
          skipped: r.skipped,
          changes: r.changes.map((x) => ({ change: x.change, key: x.finding.key })),
          ...checksView(r),
        },
        200,
      )
    })
    .openapi(read, async (c) => {
      const name = domainFromParam(c.req.valid('param').name)
      const q = c.req.valid('query')
      const r = await checksOf(deps, c.get('actor'), name, { limit: q.limit, before: q.before })
      return c.json(
        {
          ...checksView(r),
          history: r.history.map((e) => ({
            id: e.id,
            change: e.change,
            key: e.key,
            kind: e.kind,
            severity: e.severity,
            message: e.message,
            at: e.at.toISOString(),
          })),
        },
        200,
      )
    })
    .openapi(suggestion, async (c) => {
      const name = domainFromParam(c.req.valid('param').name)
      return c.json(await mxSuggestion(deps, c.get('actor'), name), 200)
    })
}
