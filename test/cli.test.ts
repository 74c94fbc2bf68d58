import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { runCli, runCliInProcess, yieldToVitest } from './helpers/cli.js'

let dataDir: string

/** The binary itself, for what only the entry point shows (version, start-up errors, usage). */
const binary = (args: string[], env: Record<string, string> = {}) => runCli(dataDir, args, env)
/** The same dispatcher in this process, for the commands' behaviour. */
const cli = (args: string[], env: Record<string, string> = {}) =>
  runCliInProcess(dataDir, args, env)

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'policyhost-cli-'))
})
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))
beforeEach(yieldToVitest)

describe('policyhost CLI', () => {
  it('when asked for --version (or -V), then it prints the package version alone', async () => {
    const version = JSON.parse(readFileSync('package.json', 'utf8')).version
    // The binary for the long form; the short one is the same dispatcher's alias.
    for (const r of [binary(['--version']), await cli(['-V'])]) {
      expect(r.code).toBe(0)
      expect(r.stdout).toBe(`${version}\n`)
    }
  })

  it('when a tenant is created, then its first token is printed once and stored only as a hash', async () => {
    const r = await cli(['tenant', 'create', 'acme'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ name: 'acme' })
    expect(out.token).toMatch(/^ph_[A-Za-z0-9_-]{43}$/)
    const db = new Database(join(dataDir, 'policyhost.sqlite'), { readonly: true })
    const rows = db.prepare('select sha256 from api_tokens where tenant_id = ?').all(out.id) as {
      sha256: string
    }[]
    db.close()
    expect(rows).toHaveLength(1)
    expect(JSON.stringify(rows)).not.toContain(out.token)
  })

  it('when tokens are created, then only the secret goes to stdout', async () => {
    const op = await cli(['token', 'create', '--operator'])
    expect(op.code).toBe(0)
    expect(op.stdout.trim()).toMatch(/^ph_[A-Za-z0-9_-]{43}$/)
    expect(op.stderr).toContain('shown only this once')
    const t = await cli(['token', 'create', '--tenant', 'acme', '--label', 'ci'])
    expect(t.code).toBe(0)
    expect(t.stdout.trim()).toMatch(/^ph_/)
  })

  it('when token create names neither or an unknown tenant, then it fails with one line', async () => {
    const neither = await cli(['token', 'create'])
    expect(neither.code).toBe(2)
    expect(neither.stderr).toBe(
      'policyhost: give exactly one of --operator or --tenant NAME ' +
        '(usage: policyhost token create --operator | --tenant NAME [--label L])\n',
    )
    const unknown = await cli(['token', 'create', '--tenant', 'nobody'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr.trim()).toBe('policyhost: tenant "nobody" not found')
  })

  it('when a domain gets a policy, then records come out as JSON and BIND', async () => {
    expect((await cli(['domain', 'add', 'Example.ORG.', '--tenant', 'acme'])).code).toBe(0)
    const set = await cli([
      'policy',
      'set',
      'example.org',
      '--mode',
      'enforce',
      '--mx',
      'mail.example.org',
      '--max-age',
      '86400',
    ])
    expect(set.code).toBe(0)
    const id = /^id: ([A-Za-z0-9]{1,32})$/m.exec(set.stdout)?.[1]
    expect(id).toBeDefined()
    expect(set.stdout).toContain(
      'version: STSv1\r\nmode: enforce\r\nmx: mail.example.org\r\nmax_age: 86400\r\n',
    )
    const again = await cli([
      'policy',
      'set',
      'example.org',
      '--mode',
      'enforce',
      '--mx',
      'mail.example.org',
      '--max-age',
      '86400',
    ])
    expect(again.stdout).toContain(`id: ${id} (unchanged)`)
    const listed = await cli(['records', 'example.org'])
    const records = JSON.parse(listed.stdout)
    // Certificates from the local CA: said on stderr, the records alone on stdout.
    expect(listed.stderr).toMatch(/^policyhost: warning: certificates come from the local CA/)
    expect(records).toContainEqual(
      expect.objectContaining({
        name: 'mta-sts.example.org',
        type: 'CNAME',
        value: 'svc.example.net.',
      }),
    )
    expect(records).toContainEqual(
      expect.objectContaining({
        name: '_mta-sts.example.org',
        type: 'TXT',
        value: `v=STSv1; id=${id}`,
      }),
    )
    const bind = await cli(['records', 'example.org', '--format', 'bind'])
    expect(bind.stdout).toMatch(/^; WARNING: certificates come from the local CA/)
    expect(bind.stdout).toContain('mta-sts.example.org. IN CNAME svc.example.net.')
    expect(bind.stdout).toContain(`_mta-sts.example.org. IN TXT "v=STSv1; id=${id}"`)
  })

  it('when a domain is claimed with DNS proof on, then verify says why it is pending and --trust verifies it', async () => {
    const env = { DOMAIN_VERIFICATION: 'dns', DNS_SERVERS: '127.0.0.1:9' }
    const added = await cli(['domain', 'add', 'claimed.example'], env)
    expect(added.code).toBe(0)
    expect(added.stdout).toMatch(
      /^domain claimed\.example claimed \(pending until .+\); publish _policyhost\.claimed\.example TXT "policyhost-verify=[A-Za-z0-9_-]{43}"/,
    )
    const checked = await cli(['domain', 'verify', 'claimed.example'], env)
    expect(checked.code).toBe(1)
    expect(checked.stdout).toMatch(
      /^pending: the DNS lookup of _policyhost\.claimed\.example TXT failed/,
    )
    const trusted = await cli(
      ['domain', 'verify', 'claimed.example', '--trust', '--tenant', 'local'],
      env,
    )
    expect(trusted.code).toBe(0)
    expect(trusted.stdout.trim()).toBe('verified: control of claimed.example is proven (trust)')
  }, 90_000)

  it('when a policy is invalid, then the exit is 1 with every problem on one line', async () => {
    const r = await cli([
      'policy',
      'set',
      'example.org',
      '--mode',
      'enforce',
      '--mx',
      'mail*.example.org',
      '--max-age',
      '99999999999',
    ])
    expect(r.code).toBe(1)
    const lines = r.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^policyhost: invalid input: /)
    expect(lines[0]).toContain('mx.0')
    expect(lines[0]).toContain('maxAge')
  })

  it('when a policies folder has a broken file, then it is named with its field and the rest applies', async () => {
    const dir = join(dataDir, 'policies')
    mkdirSync(dir)
    writeFileSync(
      join(dir, 'good.example.com.json'),
      JSON.stringify({ mtaSts: { mode: 'testing', mx: ['mx.good.example.com'], maxAge: 604800 } }),
    )
    writeFileSync(
      join(dir, 'bad.example.com.json'),
      JSON.stringify({ mtaSts: { mode: 'enforced', mx: [], maxAge: 1 } }),
    )
    writeFileSync(join(dir, 'broken.example.com.json'), '{ not json')
    const r = await cli(['sync', dir])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe(`created\t${join(dir, 'good.example.com.json')}\n`)
    const errors = r.stderr.trim().split('\n')
    expect(errors).toHaveLength(2)
    expect(errors[0]).toMatch(/^policyhost: .*bad\.example\.com\.json: mtaSts\.mode: /)
    expect(errors[1]).toMatch(/^policyhost: .*broken\.example\.com\.json: invalid JSON/)
    const again = await cli(['sync', dir])
    expect(again.stdout).toContain(`unchanged\t${join(dir, 'good.example.com.json')}`)
  })

  it('when an environment variable is bad, then start-up stops with one line naming it', async () => {
    const r = binary(['migrate'], { HTTP_PORT: 'eighty' })
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/^policyhost: invalid HTTP_PORT: /)
  })

  it('when the command is unknown, then usage is suggested and the exit is 2', async () => {
    const r = await cli(['frobnicate'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('unknown command "frobnicate"')
  })
})

describe('policyhost renew', () => {
  it('when certificates are due, then renew issues them from the local CA and says so', async () => {
    const r = await cli(['renew'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^obtained: [1-9]\d*$/m)
    expect(r.stdout).toContain('failed: 0')
    const again = await cli(['renew'])
    expect(again.stdout).toMatch(/^obtained: 0$/m)
  })

  it('when one host is forced, then only it is renewed', async () => {
    const r = await cli(['renew', 'mta-sts.example.org', '--force'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^renewed: 1$/m)
    const db = new Database(join(dataDir, 'policyhost.sqlite'), { readonly: true })
    const row = db
      .prepare("select status, serial from certificates where hostname = 'mta-sts.example.org'")
      .get() as {
      status: string
      serial: string
    }
    db.close()
    expect(row.status).toBe('ok')
    expect(row.serial).toMatch(/^[0-9a-f]+$/)
  })

  it('when the host is not ours, then the exit is 1 with one line', async () => {
    const r = await cli(['renew', 'mta-sts.nosuch.example'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe('policyhost: no hostname "mta-sts.nosuch.example" is served here')
  })
})

describe('policyhost logo convert', () => {
  const SVG_IN =
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" x="0" y="0" width="100" height="100" viewBox="0 0 100 100">' +
    '<rect width="100" height="100" style="fill:#ffffff"/><circle cx="50" cy="50" r="30" fill="#cc0000"/></svg>'

  it('when an ordinary SVG is converted, then a valid Tiny PS logo is written and the changes listed', async () => {
    const input = join(dataDir, 'in.svg')
    const output = join(dataDir, 'out.svg')
    writeFileSync(input, SVG_IN)
    const r = await cli(['logo', 'convert', input, '--title', 'Example', '--out', output])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/^changed: /m)
    expect(r.stderr).not.toMatch(/^error: /m)
    const svg = readFileSync(output, 'utf8')
    expect(svg).toContain('baseProfile="tiny-ps"')
    expect(svg).toContain('<title>Example</title>')
  })

  it('when the result is still invalid, then the errors are listed and the exit is 1', async () => {
    const input = join(dataDir, 'raster.svg')
    writeFileSync(
      input,
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50"><rect width="100" height="50" fill="#123456"/></svg>',
    )
    const r = await cli(['logo', 'convert', input, '--title', 'Wide'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^error: \/svg aspect-ratio: /m)
  })
})
