/**
 * Tenant work in the calling thread, for one-shot CLI commands (no serving loop to protect). Its
 * own module so the server never loads svgo, X.509 parsing and the report decoder in its main
 * thread: they load in the workers. Here each loads on first use: svgo alone takes ~0.6 s to
 * import and X.509 ~0.3 s, which a command that touches no logo, certificate or report never
 * needs to pay.
 */
import type { ReportHealthRow } from '../../core/report-ports.js'
import { healthOfQuery, type HealthQuery } from '../../core/tls-rpt/stored-health.js'
import type { TenantWorkPorts } from './ports.js'

const svg = () => import('../svg/convert.js')
const svgRules = () => import('../../core/bimi/svg-validate.js')
const vmc = () => import('../vmc/mark-certificate.js')
const reports = () => import('../tls-rpt/process.js')

/** The same ports run in this thread; a refusal still rejects with its DomainError. */
export function inProcessPorts(
  readHealthRows: (query: HealthQuery) => Promise<ReportHealthRow[]>,
): TenantWorkPorts {
  return {
    bimi: {
      convert: async (input, { title }) => (await svg()).convertToTinyPs(input, { title }),
      validate: async (input) => (await svgRules()).validateSvgTinyPs(input),
      inspectVmc: async (pem, { owner: _owner, ...opts }) =>
        (await vmc()).inspectMarkCertificate(pem, opts),
    },
    process: async (body, media, limits) => (await reports()).processReport(body, media, limits),
    health: async (query) => {
      const rows = await readHealthRows(query)
      return healthOfQuery(query, () => rows)
    },
    rawText: async (gzipped) => (await reports()).rawReportText(gzipped),
  }
}
