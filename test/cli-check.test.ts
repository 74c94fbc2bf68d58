/**
 * `policyhost check DOMAIN` (issue 13) in-process: the wiring from the CLI to the checker, with
 * DNS pointed at a loopback port where nothing answers (lookups fail at once, nothing leaves
 * the machine), so every check reports why it could not run; the checks themselves are tested
 * with a table resolver in src/services/checks.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliInProcess } from './helpers/cli.js'

let dataDir: string
const ENV = { DNS_SERVERS: '127.0.0.1:9', MX_PROBE: 'off', POLICY_FETCH: 'off' }
const cli = (args: string[]) => runCliInProcess(dataDir, args, ENV)

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'policyhost-cli-check-'))
  expect((await cli(['domain', 'add', 'example.org'])).code).toBe(0)
  const set = ['policy', 'set', 'example.org', '--mode', 'enforce', '--mx', 'mx.example.org']
  expect((await cli([...set, '--max-age', '86400'])).code).toBe(0)
})
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe('policyhost check', () => {
  it('when the lookups cannot be made, then each check says why it was not run, and nothing is reported as found', async () => {
    const r = await cli(['check', 'example.org'])

    expect(r.code).toBe(0)
    expect(r.stdout).toContain('not checked: sts-record (lookup failed')
    expect(r.stdout).toContain('not checked: starttls (MX_PROBE=off)')
    expect(r.stdout).toContain('no problems found')
    expect(r.stderr).toBe('')
  })

  it('when --json is given, then the outcome is one JSON document', async () => {
    const r = await cli(['check', 'example.org', '--json'])

    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    // Without DNS: our own certificates, BIMI (nothing published, so nothing to look up) and
    // the TLS reports received.
    expect(doc.ran).toEqual(['bimi', 'tls-rpt', 'certificate'])
    expect(doc.skipped.map((s: { kind: string }) => s.kind).sort()).toEqual([
      'mx',
      'policy-host',
      'starttls',
      'sts-record',
      'tlsrpt-record',
    ])
    expect(doc.findings).toEqual([])
  })

  it('when the domain is unknown, then one line on stderr and exit 1', async () => {
    const r = await cli(['check', 'nope.example'])

    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('nope.example')
  })
})
