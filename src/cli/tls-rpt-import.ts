import { fileTools, type ReportFile, type Runtime } from '../main.js'
import { importReport } from '../services/tls-rpt/report-import.js'
import { escapeText, oneLine, out, UsageError } from './output.js'

/** A file or attachment that could not be stored: one line on stderr, as every CLI error. */
const fail = (name: string, err: unknown) =>
  process.stderr.write(`policyhost: ${name}: ${oneLine(err)}\n`)

/**
 * Imports mailed reports through the same validation as the HTTPS endpoint: each stored or
 * duplicate report one line on stdout, each failure one line on stderr; the rest still import.
 */
export async function importFiles(rt: Runtime, files: string[]): Promise<number> {
  if (files.length === 0) throw new UsageError('missing FILE')
  const { readReportFile } = await fileTools()
  let failed = 0
  for (const path of files) {
    let reports: ReportFile[]
    try {
      reports = await readReportFile(path)
      if (reports.length === 0) throw new Error('no TLS report attachment')
    } catch (err) {
      failed++
      fail(escapeText(path), err)
      continue
    }
    for (const r of reports) {
      // The attachment name is the sender's text: escaped, so it cannot forge a line.
      const name = escapeText(r.name)
      try {
        const res = await importReport(rt.deps, {
          body: r.body,
          media: r.media,
          source: `import:${r.name}`,
          maxDecompressed: rt.config.TLSRPT_MAX_DECOMPRESSED,
        })
        const id = res.id ? `\t${escapeText(res.id)}` : ''
        out(`${res.duplicate ? 'duplicate' : 'stored'}\t${name}\t${escapeText(res.domain)}${id}`)
      } catch (err) {
        failed++
        fail(name, err)
      }
    }
  }
  return failed > 0 ? 1 : 0
}
