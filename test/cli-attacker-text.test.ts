/**
 * Issue 9, finding 10: a mailed report's attachment name is attacker text. Printed raw, its
 * newlines and ANSI escapes forged a "stored" line on the operator's terminal; the CLI now shows
 * control and bidi characters as escapes, one line per attachment.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliInProcess } from './helpers/cli.js'

const BASE = readFileSync(new URL('./fixtures/tlsrpt/rules/base.json', import.meta.url))
let dir: string

// In-process through the dispatcher the binary awaits (test/helpers/cli.ts); test/cli.test.ts
// covers the binary itself.
const cli = (args: string[]) => runCliInProcess(dir, args)

/** An RFC 2231 attachment name: newline, tab, ESC [31m and U+202E, percent-encoded. */
const FORGED = 'r.json%0Astored%09forged.json%09example.com%1B%5B31m%E2%80%AEnosj.r'

function eml(report: Buffer): string {
  const b64 = gzipSync(report).toString('base64').replace(/.{76}/g, '$&\r\n')
  return [
    'From: reports@example.net',
    'To: tlsrpt@example.com',
    'Subject: Report Domain: example.com',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type="tlsrpt"; boundary="b1"',
    '',
    '--b1',
    'Content-Type: application/tlsrpt+gzip',
    `Content-Disposition: attachment; filename*=utf-8''${FORGED}`,
    'Content-Transfer-Encoding: base64',
    '',
    b64,
    '--b1--',
    '',
  ].join('\r\n')
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'policyhost-escape-'))
  expect((await cli(['domain', 'add', 'example.com'])).code).toBe(0)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('attacker text on the terminal', () => {
  it('when an attachment name carries newlines, ANSI escapes and bidi controls, then it is printed escaped on one line', async () => {
    const report = { ...JSON.parse(BASE.toString()), 'report-id': 'escape-1' }
    writeFileSync(join(dir, 'forged.eml'), eml(Buffer.from(JSON.stringify(report))))

    const r = await cli(['tlsrpt', 'import', join(dir, 'forged.eml')])

    expect(r.code, r.stderr + r.stdout).toBe(0)
    const lines = r.stdout.split('\n').filter(Boolean)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(
      /^stored\tforged\.eml#r\.json\\nstored\\tforged\.json\\texample\.com\\x1b\[31m\\u202enosj\.r\texample\.com\t/,
    )
    // eslint-disable-next-line no-control-regex -- control characters are what it looks for
    expect(r.stdout).not.toMatch(/[\x1b\u202e]/)
  })
})
