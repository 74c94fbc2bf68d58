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

/** A report as a mailbox provider sends it: multipart/report with a gzip attachment (RFC 8460 §5.3). */
function eml(report: Buffer): string {
  const b64 = gzipSync(report).toString('base64').replace(/.{76}/g, '$&\r\n')
  return [
    'From: noreply-smtp-tls-reporting@google.com',
    'To: tlsrpt@example.com',
    'Subject: Report Domain: example.com Submitter: google.com Report-ID: <x>',
    'TLS-Report-Domain: example.com',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type="tlsrpt"; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'This is an aggregate TLS report from google.com',
    '--b1',
    'Content-Type: application/tlsrpt+gzip; name="google.com!example.com!1.json.gz"',
    'Content-Disposition: attachment; filename="google.com!example.com!1.json.gz"',
    'Content-Transfer-Encoding: base64',
    '',
    b64,
    '--b1--',
    '',
  ].join('\r\n')
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'policyhost-import-'))
  expect((await cli(['domain', 'add', 'example.com'])).code).toBe(0)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('policyhost tlsrpt import', () => {
  it('when .json, .json.gz and .eml reports are imported, then each is stored once', async () => {
    const withId = (id: string) =>
      Buffer.from(JSON.stringify({ ...JSON.parse(BASE.toString()), 'report-id': id }))
    writeFileSync(join(dir, 'a.json'), withId('imp-a'))
    writeFileSync(join(dir, 'b.json.gz'), gzipSync(withId('imp-b')))
    writeFileSync(join(dir, 'c.eml'), eml(withId('imp-c')))
    const r = await cli([
      'tlsrpt',
      'import',
      join(dir, 'a.json'),
      join(dir, 'b.json.gz'),
      join(dir, 'c.eml'),
    ])
    expect(r.code, r.stderr + r.stdout).toBe(0)
    expect(r.stdout).toMatch(/^stored\ta\.json\texample\.com\t/m)
    expect(r.stdout).toMatch(/^stored\tb\.json\.gz\texample\.com\t/m)
    expect(r.stdout).toMatch(
      /^stored\tc\.eml#google\.com!example\.com!1\.json\.gz\texample\.com\t/m,
    )
    const again = await cli(['tlsrpt', 'import', join(dir, 'a.json')])
    expect(again.stdout).toMatch(/^duplicate\ta\.json\texample\.com$/m)
  })

  it('when a file is not a report or for an unknown domain, then it is named and the exit is 1', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"not": "a report"}')
    const other = JSON.parse(BASE.toString())
    other.policies[0].policy['policy-domain'] = 'unknown.example'
    writeFileSync(join(dir, 'other.json'), JSON.stringify(other))
    writeFileSync(join(dir, 'note.eml'), 'From: a@b\r\nSubject: hi\r\n\r\nno attachment\r\n')
    const r = await cli([
      'tlsrpt',
      'import',
      join(dir, 'bad.json'),
      join(dir, 'other.json'),
      join(dir, 'note.eml'),
    ])
    expect(r.code).toBe(1)
    // Every CLI error is one line on stderr (README, CLI); stdout carries only what was stored.
    expect(r.stdout).toBe('')
    const lines = r.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(/^policyhost: bad\.json: not a valid TLS report/)
    expect(lines[1]).toMatch(/^policyhost: other\.json: no hosted domain "unknown\.example"/)
    expect(lines[2]).toMatch(/^policyhost: .*note\.eml: no TLS report attachment/)
  })
})
