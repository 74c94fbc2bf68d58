/**
 * Issue 10 point 9: the CLI covers what the API does for an operator, through the real binary:
 * help for every command, the domain, status, policy, TLS-RPT and logo commands in human and
 * JSON form, one line per error on stderr with exit codes 1 and 2, and no noise from `sync`.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { COMMANDS } from '../src/cli/commands.js'
import { runCli, runCliInProcess, yieldToVitest } from './helpers/cli.js'

const BASE = readFileSync(new URL('./fixtures/tlsrpt/rules/base.json', import.meta.url), 'utf8')
let dataDir: string
/** An ordinary two-colour SVG on an opaque background, without a <title>. */
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" ' +
  'fill="#ffffff"/><circle cx="50" cy="50" r="30" fill="#cc0000"/></svg>'

// In-process: the same dispatcher the binary awaits (test/helpers/cli.ts); the tests of what only
// a process shows — exit status and output of the entry point itself — spawn the binary.
const cli = (args: string[], env: Record<string, string> = {}) =>
  runCliInProcess(dataDir, args, env)
const binary = (args: string[], env: Record<string, string> = {}) => runCli(dataDir, args, env)

/** Exactly one line on stderr, and what it says. */
function oneErrorLine(stderr: string): string {
  const lines = stderr.split('\n')
  expect(lines, stderr).toHaveLength(2)
  expect(lines[1]).toBe('')
  return lines[0]!
}

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'policyhost-cli-commands-'))
})
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))
beforeEach(yieldToVitest)

describe('policyhost help', { timeout: 120_000 }, () => {
  it('when --help is given, then every command of the table is listed with its summary', async () => {
    const r = binary(['--help'])
    expect(r.code).toBe(0)
    for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c.name}`)
    expect(r.stdout).toContain('exit codes: 0 done, 1 failed')
    expect(r.stderr).toBe('')
  })

  // In-process (the dispatcher the binary runs): 28 spawns took two minutes, and the binary's
  // own help path is covered by the spawned tests around this one.
  it('when each command is asked for --help, then its usage, paragraph and options print with exit 0', async () => {
    for (const c of COMMANDS) {
      const r = await cli([...c.name.split(' '), '--help'])
      expect(r.code, c.name).toBe(0)
      expect(r.stdout.split('\n')[0], c.name).toBe(
        `usage: policyhost ${c.name}${c.usage ? ` ${c.usage}` : ''}`,
      )
      expect(r.stdout, c.name).toContain(c.help.split(' ').slice(0, 4).join(' '))
      for (const o of Object.keys(c.options ?? {})) expect(r.stdout, c.name).toContain(`--${o}`)
      expect(r.stderr, c.name).toBe('')
    }
  })

  it("when README's CLI section is read, then it lists every command with its usage, and no other", async () => {
    const readme = readFileSync('README.md', 'utf8')
    const section = readme.slice(
      readme.indexOf('## CLI\n'),
      readme.indexOf('\n## ', readme.indexOf('## CLI\n')),
    )
    const block = section.slice(
      section.indexOf('```\n') + 4,
      section.indexOf('\n```', section.indexOf('```\n') + 4),
    )
    for (const c of COMMANDS) {
      expect(block, c.name).toContain(`policyhost ${c.name}${c.usage ? ` ${c.usage}` : ''}`)
    }
    const named = block.split('\n').map((l) => l.split(/\s+/).slice(1, 3))
    for (const [first, second] of named) {
      const known = COMMANDS.some((c) => c.name === first || c.name === `${first} ${second}`)
      expect(known, `${first} ${second}`).toBe(true)
    }
    expect(named).toHaveLength(COMMANDS.length)
  })

  it('when help is asked as `help domain list` or for a group, then the same help prints', async () => {
    const direct = await cli(['domain', 'list', '--help'])
    const viaHelp = await cli(['help', 'domain', 'list'])
    expect(viaHelp.code).toBe(0)
    expect(viaHelp.stdout).toBe(direct.stdout)
    const group = await cli(['domain', '--help'])
    expect(group.code).toBe(0)
    for (const c of COMMANDS.filter((x) => x.name.startsWith('domain '))) {
      expect(group.stdout).toContain(c.name)
    }
    expect(group.stdout).not.toContain('tls-rpt')
  })

  it('when --help or --version run with a broken environment and no data dir, then neither loads the runtime', async () => {
    const missing = join(dataDir, 'never-created')
    const env = { DATA_DIR: missing, HTTP_PORT: 'eighty' }
    expect(binary(['--version'], env).code).toBe(0)
    const help = binary(['status', '--help'], env)
    expect(help.code).toBe(0)
    expect(existsSync(missing)).toBe(false)
  })

  it('when the command, subcommand, argument or option is wrong, then one stderr line with a hint and exit 2', async () => {
    // The binary exits with what main() returns (test/cli.test.ts spawns it for 0 and 1).
    const unknown = await cli(['frobnicate'])
    expect(unknown.code).toBe(2)
    expect(oneErrorLine(unknown.stderr)).toBe(
      'policyhost: unknown command "frobnicate" (run "policyhost --help" for the commands)',
    )
    const sub = await cli(['domain', 'frob'])
    expect(sub.code).toBe(2)
    expect(oneErrorLine(sub.stderr)).toBe(
      'policyhost: unknown command "domain frob" (run "policyhost domain --help" for its commands)',
    )
    const missing = await cli(['domain', 'show'])
    expect(missing.code).toBe(2)
    expect(oneErrorLine(missing.stderr)).toBe(
      'policyhost: missing DOMAIN (usage: policyhost domain show DOMAIN [--json])',
    )
    const option = await cli(['domain', 'list', '--frob'])
    expect(option.code).toBe(2)
    expect(oneErrorLine(option.stderr)).toMatch(
      /^policyhost: Unknown option '--frob' \(usage: policyhost domain list /,
    )
    expect(unknown.stdout + sub.stdout + missing.stdout + option.stdout).toBe('')
  })
})

describe('policyhost domains, status and policy', { timeout: 120_000 }, () => {
  let policyId = ''

  it('when domains exist, then domain list prints a table, --json all fields, and filters apply', async () => {
    expect((await cli(['tenant', 'create', 'acme'])).code).toBe(0)
    expect((await cli(['domain', 'add', 'example.org', '--tenant', 'acme'])).code).toBe(0)
    expect((await cli(['domain', 'add', 'gone.example'])).code).toBe(0)
    const set = await cli([
      ...['policy', 'set', 'example.org', '--mode', 'testing'],
      ...['--mx', 'mail.example.org', '--max-age', '86400'],
    ])
    expect(set.code).toBe(0)
    policyId = /^id: (\w+)$/m.exec(set.stdout)?.[1] ?? ''
    expect(policyId).not.toBe('')

    const table = await cli(['domain', 'list'])
    expect(table.code).toBe(0)
    const lines = table.stdout.trim().split('\n')
    expect(lines[0]).toBe('domain\ttenant\tstatus\tcreated\tremove at')
    expect(lines.slice(1).map((l) => l.split('\t').slice(0, 3))).toEqual([
      ['example.org', 'acme', 'active'],
      ['gone.example', 'local', 'active'],
    ])
    const listed = JSON.parse((await cli(['domain', 'list', '--tenant', 'acme', '--json'])).stdout)
    expect(listed).toEqual([
      expect.objectContaining({ name: 'example.org', tenant: 'acme', status: 'active' }),
    ])
    expect(
      JSON.parse((await cli(['domain', 'list', '--status', 'retiring', '--json'])).stdout),
    ).toEqual([])
    const badStatus = await cli(['domain', 'list', '--status', 'gone'])
    expect(badStatus.code).toBe(2)
  })

  it('when a domain is shown, then its tenant, status and policy summary print, as lines or JSON', async () => {
    const shown = await cli(['domain', 'show', 'example.org'])
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain('domain: example.org\ntenant: acme\nstatus: active\n')
    expect(shown.stdout).toContain(`policy: testing, max_age 86400, id ${policyId}\n`)
    expect(
      JSON.parse((await cli(['domain', 'show', 'example.org', '--json'])).stdout),
    ).toMatchObject({
      name: 'example.org',
      tenant: 'acme',
      status: 'active',
      policy: { id: policyId, mode: 'testing', maxAge: 86400 },
    })
    const policy = await cli(['policy', 'show', 'example.org'])
    expect(policy.stdout).toBe(
      `id: ${policyId}\nversion: STSv1\r\nmode: testing\r\nmx: mail.example.org\r\nmax_age: 86400\r\n`,
    )
    expect(
      JSON.parse((await cli(['policy', 'show', 'example.org', '--json'])).stdout),
    ).toMatchObject({
      id: policyId,
      mode: 'testing',
      mx: ['mail.example.org'],
      text: expect.stringContaining('mode: testing'),
    })
  })

  it('when status is asked, then each hostname has its certificate state, as a table or the API shape', async () => {
    const human = await cli(['status', 'example.org'])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(`policy: testing, max_age 86400, id ${policyId}`)
    expect(human.stdout).toMatch(/^mta-sts\.example\.org\tpolicy\tunchecked\tpending\t/m)
    expect(human.stdout).toContain('ready to enforce: not yet')
    const status = JSON.parse((await cli(['status', 'example.org', '--json'])).stdout)
    expect(status.policy).toEqual({ id: policyId, mode: 'testing', maxAge: 86400 })
    expect(status.hostnames).toEqual([
      expect.objectContaining({
        name: 'mta-sts.example.org',
        role: 'policy',
        certificate: expect.objectContaining({ status: 'pending', expired: false }),
      }),
    ])
    expect(status.enforceAdvice.ready).toBe(false)
    // The API's shape, warnings included: the certificates come from the local CA here.
    expect(status.warnings).toEqual([
      expect.stringContaining('certificates come from the local CA'),
    ])
    expect(human.stderr).toMatch(/^policyhost: warning: certificates come from the local CA/)
  })

  it('when the domain is unknown, then exit 1 with one line on stderr and nothing on stdout', async () => {
    for (const args of [
      ['status', 'nosuch.example'],
      ['domain', 'remove', 'nosuch.example'],
    ]) {
      const r = await cli(args)
      expect(r.code, args.join(' ')).toBe(1)
      expect(oneErrorLine(r.stderr)).toBe('policyhost: domain "nosuch.example" not found')
      expect(r.stdout).toBe('')
    }
  })

  it('when certificates were just issued, then renew HOST says the host is not due until when', async () => {
    expect((await cli(['renew'])).code).toBe(0)
    const r = await cli(['renew', 'mta-sts.example.org'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^skipped: 1$/m)
    const until =
      /^skipped mta-sts\.example\.org: not due until (\S+) \(--force renews now\)$/m.exec(
        r.stdout,
      )?.[1]
    expect(Date.parse(until ?? '')).toBeGreaterThan(Date.now())
    // Issued now: status shows the certificate with its serial and validity.
    const [host] = JSON.parse((await cli(['status', 'example.org', '--json'])).stdout).hostnames
    expect(host.certificate).toMatchObject({
      status: 'ok',
      issuer: expect.any(String),
      expired: false,
    })
    expect(host.certificate.serial).toMatch(/^[0-9a-f]+$/)
    expect(Date.parse(host.certificate.notAfter)).toBeGreaterThan(Date.now())
    const human = await cli(['status', 'example.org'])
    expect(human.stdout).toMatch(/^mta-sts\.example\.org\tpolicy\t\S+\tok\t\d{4}-/m)
  })

  it('when a domain with a published policy is removed, then it is retiring until a time, and restore undoes it', async () => {
    const retiring = await cli(['domain', 'remove', 'example.org'])
    expect(retiring.code).toBe(0)
    expect(retiring.stdout).toMatch(
      /^domain example\.org retiring until \S+Z: now serving mode "none"; publish the new _mta-sts id \(\w+\)/,
    )
    const listed = JSON.parse(
      (await cli(['domain', 'list', '--status', 'retiring', '--json'])).stdout,
    )
    expect(listed.map((d: { name: string }) => d.name)).toEqual(['example.org'])
    const again = JSON.parse((await cli(['domain', 'remove', 'example.org', '--json'])).stdout)
    expect(again).toMatchObject({ name: 'example.org', status: 'retiring' })

    const restored = await cli(['domain', 'restore', 'example.org', '--json'])
    expect(restored.code).toBe(0)
    const r = JSON.parse(restored.stdout)
    expect(r).toMatchObject({ name: 'example.org', status: 'active', previousPolicyId: policyId })
    expect(r.policyId).not.toBe(policyId)
    const twice = await cli(['domain', 'restore', 'example.org'])
    expect(twice.code).toBe(1)
    expect(oneErrorLine(twice.stderr)).toMatch(/^policyhost: domain "example\.org" is active/)

    const removed = await cli(['domain', 'remove', 'gone.example'])
    expect(removed.stdout).toMatch(/^domain gone\.example removed; delete its DNS records/)
    expect((await cli(['domain', 'show', 'gone.example'])).code).toBe(1)
  })
})

describe('policyhost sync, tls-rpt and logo', { timeout: 120_000 }, () => {
  it('when sync meets a broken file, then it is one stderr line, never a log line, and --json lists every file', async () => {
    const dir = join(dataDir, 'policies')
    mkdirSync(dir)
    writeFileSync(
      join(dir, 'example.com.json'),
      JSON.stringify({
        mtaSts: { mode: 'testing', mx: ['mx1.example.com'], maxAge: 604800 },
        tlsRpt: { rua: ['mailto:tls@example.com'] },
      }),
    )
    writeFileSync(join(dir, 'broken.example.com.json'), '{ not json')
    const r = await cli(['sync', dir])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe(`created\t${join(dir, 'example.com.json')}\n`)
    expect(oneErrorLine(r.stderr)).toMatch(
      new RegExp(`^policyhost: ${join(dir, 'broken.example.com.json')}: invalid JSON: `),
    )
    const asJson = await cli(['sync', dir, '--json'])
    expect(JSON.parse(asJson.stdout)).toEqual([
      expect.objectContaining({ result: 'error', error: expect.stringMatching(/^invalid JSON/) }),
      expect.objectContaining({ result: 'unchanged', domain: 'example.com' }),
    ])
    oneErrorLine(asJson.stderr)

    const none = await cli(['sync', join(dataDir, 'nonexistent')])
    expect(none.code).toBe(1)
    expect(none.stderr).toBe(`policyhost: ${join(dataDir, 'nonexistent')}: no such directory\n`)
    expect(none.stdout).toBe('')
  })

  it('when TLS-RPT is set, then show gives the report URL, and rotate replaces it', async () => {
    const shown = await cli(['tls-rpt', 'show', 'example.com'])
    expect(shown.code).toBe(0)
    const url = /^report URL: (https:\/\/svc\.example\.net\/tlsrpt\/\S+)$/m.exec(shown.stdout)?.[1]
    expect(url).toBeDefined()
    expect(shown.stdout).toContain('rua: mailto:tls@example.com\n')
    const rotated = JSON.parse((await cli(['tls-rpt', 'rotate', 'example.com', '--json'])).stdout)
    expect(rotated.url).toMatch(/^https:\/\/svc\.example\.net\/tlsrpt\//)
    expect(rotated.url).not.toBe(url)
    expect(Date.parse(rotated.previousValidUntil)).toBeGreaterThan(Date.now())
    const after = JSON.parse((await cli(['tlsrpt', 'show', 'example.com', '--json'])).stdout)
    expect(after).toMatchObject({ domain: 'example.com', reportUrl: rotated.url })
  })

  it('when a report from a hostile reporter is stored, then reports and health list it with its name escaped', async () => {
    const report = JSON.parse(BASE)
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
    report['date-range'] = {
      'start-datetime': `${day}T00:00:00Z`,
      'end-datetime': `${day}T23:59:59Z`,
    }
    report['organization-name'] = 'Evil\u001b[31m\nstored Org'
    report['report-id'] = 'cli-commands-1'
    writeFileSync(join(dataDir, 'report.json'), JSON.stringify(report))
    expect((await cli(['tls-rpt', 'import', join(dataDir, 'report.json')])).code).toBe(0)

    const listed = await cli(['tls-rpt', 'reports', 'example.com'])
    expect(listed.code).toBe(0)
    const rows = listed.stdout.trim().split('\n')
    expect(rows).toHaveLength(2)
    expect(rows[1]!.split('\t').slice(1)).toEqual([
      'Evil\\x1b[31m\\nstored Org',
      'cli-commands-1',
      `${day}T00:00:00.000Z`,
      `${day}T23:59:59.000Z`,
      '120',
      '3',
    ])
    const json = JSON.parse((await cli(['tls-rpt', 'reports', 'example.com', '--json'])).stdout)
    expect(json).toEqual([
      expect.objectContaining({ organization: 'Evil\u001b[31m\nstored Org', failed: 3 }),
    ])

    const health = await cli(['tls-rpt', 'health', 'example.com', '--days', '3'])
    expect(health.code).toBe(0)
    expect(health.stdout).toMatch(
      new RegExp(
        `^${day}\\t1\\t120\\t3\\tcertificate-expired 2, validation-failure 1\\tEvil\\\\x1b`,
        'm',
      ),
    )
    // eslint-disable-next-line no-control-regex -- the raw escape is what must not get through
    expect(listed.stdout + health.stdout).not.toMatch(/\x1b/)
    const h = JSON.parse(
      (await cli(['tls-rpt', 'health', 'example.com', '--days', '3', '--json'])).stdout,
    )
    expect(h.days).toHaveLength(3)
    expect(h.totals).toMatchObject({ reports: 1, successfulSessions: 120, failedSessions: 3 })
    expect((await cli(['tls-rpt', 'health', 'example.com', '--days', '0'])).code).toBe(2)
  })

  it('when an SVG without a title is converted, then the error ends with the --title hint', async () => {
    const input = join(dataDir, 'untitled.svg')
    writeFileSync(input, SVG)
    const r = await cli(['logo', 'convert', input, '--out', join(dataDir, 'untitled-out.svg')])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^error: \/svg title-missing: .*; pass --title "Your Brand"$/m)
  })

  it('when a converted logo is uploaded, then logo list shows its selector and URL', async () => {
    const input = join(dataDir, 'brand.svg')
    const output = join(dataDir, 'brand-ps.svg')
    writeFileSync(input, SVG)
    expect(
      (await cli(['logo', 'convert', input, '--title', 'Example', '--out', output])).code,
    ).toBe(0)
    const up = await cli(['logo', 'upload', 'example.com', output, '--selector', 'Brand'])
    expect(up.code, up.stderr).toBe(0)
    expect(up.stdout).toMatch(
      /^logo stored for selector brand: https:\/\/svc\.example\.net\/logos\/example\.com\/[0-9a-f]+\.svg\n$/,
    )
    const table = await cli(['logo', 'list', 'example.com'])
    expect(table.stdout).toMatch(
      /^brand\thttps:\/\/svc\.example\.net\/logos\/example\.com\/\S+\t-\t-\t/m,
    )
    const listed = JSON.parse((await cli(['logo', 'list', 'example.com', '--json'])).stdout)
    expect(listed).toEqual([
      expect.objectContaining({
        selector: 'brand',
        certificateUrl: null,
        logoSha256: expect.any(String),
      }),
    ])
    const refused = await cli(['logo', 'upload', 'example.com', input])
    expect(refused.code).toBe(1)
    expect(oneErrorLine(refused.stderr)).toMatch(/^policyhost: the logo is not valid SVG Tiny PS/)
  })

  it('when tenants are listed, then a table or JSON', async () => {
    const table = await cli(['tenant', 'list'])
    expect(table.stdout.split('\n')[0]).toBe('name\tid\tcreated')
    expect(table.stdout).toMatch(/^acme\t/m)
    expect(JSON.parse((await cli(['tenant', 'list', '--json'])).stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'acme' })]),
    )
  })
})
