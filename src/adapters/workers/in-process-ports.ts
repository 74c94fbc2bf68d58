/**
 * Tenant work in the calling thread, for one-shot CLI commands (no serving loop to protect). Its
 * own module so the server never loads svgo, X.509 parsing and the report decoder in its main
 * thread: they load in the workers.
 */
import { validateSvgTinyPs } from '../../core/bimi/svg-validate.js'
import type { ReportHealthRow } from '../../core/report-ports.js'
import { healthOfQuery, type HealthQuery } from '../../core/tls-rpt/stored-health.js'
import { convertToTinyPs } from '../svg/convert.js'
import { processReport, rawReportText } from '../tls-rpt/process.js'
import { inspectMarkCertificate } from '../vmc/mark-certificate.js'
import type { TenantWorkPorts } from './ports.js'

/** The same ports run in this thread; a refusal still rejects with its DomainError. */
export function inProcessPorts(
  readHealthRows: (query: HealthQuery) => Promise<ReportHealthRow[]>,
): TenantWorkPorts {
  return {
    bimi: {
      convert: async (svg, { title }) => convertToTinyPs(svg, { title }),
      validate: async (svg) => validateSvgTinyPs(svg),
      inspectVmc: async (pem, { owner: _owner, ...opts }) => inspectMarkCertificate(pem, opts),
    },
    process: async (body, media, limits) => processReport(body, media, limits),
    health: async (query) => {
      const rows = await readHealthRows(query)
      return healthOfQuery(query, () => rows)
    },
    rawText: async (gzipped) => rawReportText(gzipped),
  }
}
