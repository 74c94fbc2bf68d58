/**
 * The service ports for tenant work (ServiceDeps `bimi` and `tlsrpt.process`), either through
 * the worker pool (the server) or in this thread (one-shot CLI commands, where a pool only adds
 * start-up time and there is no other tenant to protect: in-process-ports.ts).
 */
import type { MarkCertificateInspector, SvgConverter, SvgValidator } from '../../core/bimi/types.js'
import type {
  HealthAggregator,
  RawReportReader,
  ReportProcessor,
} from '../../core/tls-rpt/decoder.js'
import type { WorkerPool } from './pool.js'
import type { ReportSource } from './tasks.js'

export interface TenantWorkPorts {
  bimi: { convert: SvgConverter; validate: SvgValidator; inspectVmc: MarkCertificateInspector }
  process: ReportProcessor
  health: HealthAggregator
  rawText: RawReportReader
}

/**
 * Reports queue per tenant apart from that tenant's SVG and certificate jobs (`tlsrpt:` key):
 * reporters send in bursts that WORKER_JOBS_PER_TENANT would refuse, so a tenant's reports may
 * fill at most the workers plus half of the queue, leaving the rest to everyone else.
 */
const reportQueue = (owner: string) => `tlsrpt:${owner}`

/** Ports whose jobs run in `pool`, queued per owner. */
export function pooledPorts(
  pool: WorkerPool,
  queue: { size: number; maxQueued: number },
  /** Where the workers read (read-only) report rows for the health view. */
  source: ReportSource,
) {
  const intakeShare = queue.size + Math.ceil(queue.maxQueued / 2)
  const ports: TenantWorkPorts = {
    bimi: {
      convert: (svg, { title, owner }) => pool.run(owner, { kind: 'convert', svg, title }),
      validate: (svg, { owner }) => pool.run(owner, { kind: 'validate', svg }),
      inspectVmc: (pem, { owner, ...opts }) => pool.run(owner, { kind: 'inspectVmc', pem, opts }),
    },
    process: (body, media, limits, owner) =>
      pool.run(
        reportQueue(owner),
        { kind: 'tlsrpt', body, media, limits },
        { perOwner: intakeShare },
      ),
    health: (query, owner) => pool.run(owner, { kind: 'tlsHealth', source, query }),
    rawText: (gzipped, owner) => pool.run(owner, { kind: 'rawText', gzipped }),
  }
  return ports
}
