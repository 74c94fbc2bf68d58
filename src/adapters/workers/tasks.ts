/**
 * The jobs tenant input may cause, as plain data that crosses a worker boundary (structured
 * clone), and the one function that runs them. Refusals the caller can act on (DomainError)
 * come back as data; anything else thrown is a bug and stays an exception.
 */
import { validateSvgTinyPs } from '../../core/bimi/svg-validate.js'
import type { ConversionResult, MarkCertificateReport, SvgVerdict } from '../../core/bimi/types.js'
import { DomainError, type ErrorCode, type FieldIssue } from '../../core/errors.js'
import type { ProcessedReport, ProcessLimits, ReportMediaType } from '../../core/tls-rpt/decoder.js'
import type { TlsHealth } from '../../core/tls-rpt/health.js'
import { healthOfQuery, type HealthQuery } from '../../core/tls-rpt/stored-health.js'
import { readOnlyDb } from '../db/read-only.js'
import { selectHealthRows } from '../db/repos/tls-reports.js'
import { readOnlyPg } from '../pg/read-only.js'
import { tlsReportRepo } from '../pg/repos/tls-reports.js'
import { convertToTinyPs } from '../svg/convert.js'
import { processReport, rawReportText } from '../tls-rpt/process.js'
import { inspectMarkCertificate } from '../vmc/mark-certificate.js'

/** Where a worker reads report rows: the SQLite file, or PostgreSQL's URL (read-only either way). */
export type ReportSource = { sqlite: string } | { postgres: string }

export type Task =
  | { kind: 'convert'; svg: string; title?: string }
  | { kind: 'validate'; svg: string | Uint8Array }
  | {
      kind: 'inspectVmc'
      pem: string
      opts: { domain: string; selector: string; now: Date; logoSvg: string | null }
    }
  | {
      kind: 'tlsrpt'
      body: Uint8Array
      media: ReportMediaType
      limits: ProcessLimits
    }
  | { kind: 'tlsHealth'; source: ReportSource; query: HealthQuery }
  | { kind: 'rawText'; gzipped: Uint8Array }

/** What crosses to the worker: the task and the flag it sets when it starts (shared memory). */
export type WorkerJob = Task & { started?: Int32Array }

export interface TaskResults {
  convert: ConversionResult
  validate: SvgVerdict
  inspectVmc: MarkCertificateReport
  tlsrpt: ProcessedReport
  tlsHealth: TlsHealth
  rawText: string
}

export type Outcome =
  | { ok: true; value: unknown }
  | { ok: false; refusal: { code: ErrorCode; message: string; issues: FieldIssue[] } }

async function perform(task: Task): Promise<unknown> {
  switch (task.kind) {
    case 'convert':
      return convertToTinyPs(task.svg, { title: task.title })
    case 'validate':
      return validateSvgTinyPs(task.svg)
    case 'inspectVmc':
      return inspectMarkCertificate(task.pem, task.opts)
    case 'tlsrpt':
      return processReport(task.body, task.media, task.limits)
    case 'tlsHealth': {
      const q = task.query
      const rows =
        'sqlite' in task.source
          ? selectHealthRows(readOnlyDb(task.source.sqlite), q.domainId, q.fromDay, q.toDay)
          : await tlsReportRepo(readOnlyPg(task.source.postgres)).healthRows(
              q.domainId,
              q.fromDay,
              q.toDay,
            )
      return healthOfQuery(q, () => rows)
    }
    case 'rawText':
      return rawReportText(task.gzipped)
  }
}

/**
 * Runs a task; a DomainError becomes a refusal, other errors propagate (bugs → 500). `started`
 * (shared memory) is set to 1 first, so the pool starts the job's deadline only now.
 */
export async function runTask(task: Task, started?: Int32Array): Promise<Outcome> {
  if (started && Atomics.compareExchange(started, 0, 0, 1) === 0) Atomics.notify(started, 0)
  try {
    return { ok: true, value: await perform(task) }
  } catch (err) {
    if (err instanceof DomainError) {
      return { ok: false, refusal: { code: err.code, message: err.message, issues: err.issues } }
    }
    throw err
  }
}
