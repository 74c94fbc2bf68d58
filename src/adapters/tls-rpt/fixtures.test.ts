import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseReport } from '../../core/tls-rpt/report.js'
import type { ReportMediaType } from './decode.js'
import { decodeReport } from './decode.js'

const FIXTURES = new URL('../../../test/fixtures/tlsrpt/', import.meta.url)
const SHARED = new URL('../../../../shared/tlsrpt/realworld/', import.meta.url)
// specs B.4: 10 MiB after inflating, the "ten megabytes" of RFC 8460 §5.2.
const LIMITS = { maxDecompressed: 10 * 1024 * 1024 }

interface Row {
  file: string
  content_type: string
  expected_status: string
  verdict: string
  rule: string
}

function readExpected(dir: string): Row[] {
  const [header = '', ...lines] = readFileSync(new URL(`${dir}/EXPECTED.tsv`, FIXTURES), 'utf8')
    .trim()
    .split('\n')
  const columns = header.split('\t')
  return lines.map(
    (line) =>
      Object.fromEntries(line.split('\t').map((cell, i) => [columns[i], cell])) as unknown as Row,
  )
}

/** What the intake would answer: a status and the reason, issues or warnings behind it. */
function intake(body: Uint8Array, mediaType: string): { status: string; texts: string[] } {
  const decoded = decodeReport(body, mediaType as ReportMediaType, LIMITS)
  if (!decoded.ok) return { status: String(decoded.status), texts: [decoded.reason] }
  const parsed = parseReport(decoded.json)
  if (!parsed.ok) {
    return { status: '400', texts: parsed.issues.map((i) => `${i.path}: ${i.message}`) }
  }
  return { status: '2xx', texts: parsed.warnings }
}

const realworld = readExpected('realworld')
const rules = readExpected('rules')

describe('real-world reports (test/fixtures/tlsrpt/realworld/EXPECTED.tsv)', () => {
  it('when EXPECTED.tsv is read, then it lists every sample', () => {
    expect(realworld.map((row) => row.file)).toHaveLength(9)
  })

  it.each(realworld)(
    'when $file is posted as $content_type, then $expected_status ($verdict)',
    (row) => {
      const { status, texts } = intake(
        readFileSync(new URL(`realworld/${row.file}`, FIXTURES)),
        row.content_type,
      )
      expect(status).toBe(row.expected_status)
      // valid: no warning at all; quirk: exactly the warnings listed, in order, joined by "; "
      // (a warning may itself hold "; ", so the column is compared joined, not split).
      if (row.verdict === 'valid') expect(texts).toEqual([])
      else if (row.verdict === 'quirk') expect(texts.join('; ')).toBe(row.rule)
      else expect(texts.some((text) => text.includes(row.rule))).toBe(true)
    },
  )

  it.skipIf(!existsSync(SHARED))(
    'when ../shared is present, then our copies are byte-identical',
    () => {
      for (const { file } of realworld) {
        const ours = readFileSync(new URL(`realworld/${file}`, FIXTURES))
        expect(ours.equals(readFileSync(new URL(file, SHARED))), file).toBe(true)
      }
    },
  )
})

describe('one fixture per rule (test/fixtures/tlsrpt/rules/EXPECTED.tsv)', () => {
  it.each(rules)('when $file is posted, then $expected_status: $rule', (row) => {
    const { status, texts } = intake(
      readFileSync(new URL(`rules/${row.file}`, FIXTURES)),
      row.content_type,
    )
    expect({ status, texts }).toMatchObject({ status: row.expected_status })
    if (row.verdict === 'valid') expect(texts).toEqual([])
    else if (row.verdict === 'quirk') expect(texts.join('; ')).toBe(row.rule)
    else
      expect(texts, texts.join('\n')).toEqual(
        expect.arrayContaining([expect.stringContaining(row.rule)]),
      )
  })

  it('when a refusal is for one rule, then it names no other problem', () => {
    // Each fixture bends one rule of base.json, so a second issue would mean a noisy check.
    for (const row of rules.filter((r) => r.verdict === 'invalid')) {
      const { texts } = intake(
        readFileSync(new URL(`rules/${row.file}`, FIXTURES)),
        row.content_type,
      )
      expect(texts, row.file).toHaveLength(1)
    }
  })
})
