import { readFileSync } from 'node:fs'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { serviceWorld, type ServiceWorld, failure } from '../../../test/helpers/services.js'
import { addDomain } from '../domains/domains.js'
import { RateLimiter } from '../engines/rate-limit.js'
import { setTlsRpt } from './tls-rpt.js'
import { receiveReport, type IntakeLimits } from './report-intake.js'

// Real reports (the same files as ../shared/tlsrpt/realworld, kept in the repo for CI).
const REAL = new URL('../../../test/fixtures/tlsrpt/realworld/', import.meta.url)
const RULES = new URL('../../../test/fixtures/tlsrpt/rules/', import.meta.url)
const real = (f: string) => new Uint8Array(readFileSync(new URL(f, REAL)))
const rule = (f: string) => new Uint8Array(readFileSync(new URL(f, RULES)))
const utf8 = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
const JSON_TYPE = 'application/tlsrpt+json'
const GZ_TYPE = 'application/tlsrpt+gzip'

let world: ServiceWorld
afterEach(() => world.close())

const limits = (perSource = 100, perTenant = 100): IntakeLimits => ({
  maxDecompressed: 1_048_576,
  perSource: new RateLimiter(perSource),
  perTenant: new RateLimiter(perTenant),
})

/** Tenant alpha with TLS-RPT on for each name; returns the report token per name. */
async function endpoints(names: string[], env: Record<string, string> = {}) {
  world = await serviceWorld(env)
  const a = await world.tenant('alpha')
  const tokens: Record<string, string> = {}
  for (const name of names) {
    await addDomain(world.deps, a.actor, { name })
    const { reportUrl } = await setTlsRpt(world.deps, a.actor, name, { rua: [] })
    tokens[name] = reportUrl.split('/tlsrpt/')[1]!
  }
  return { a, tokens }
}

const count = async () =>
  Number((await world.store.sql<{ n: unknown }>('SELECT count(*) AS n FROM tls_reports'))[0]?.n)

describe('receiveReport', () => {
  it.each([
    ['google-2022-09-15.json', JSON_TYPE, 'test.xmox.nl'],
    ['google-2022-09-15.json.gz', GZ_TYPE, 'test.xmox.nl'],
    ['microsoft-2023-01-10.json', JSON_TYPE, 'test.xmox.nl'],
    ['mailru-2024-02-22.json', JSON_TYPE, 'example.com'],
    ['google-2024-09-03-no-policy-found.json', JSON_TYPE, 'cardinalhealth.ca'],
    ['parsedmarc-sample-validation-failure.json', JSON_TYPE, 'example.com'],
  ])(
    'when the real report %s arrives, then it is stored with its counts and its raw bytes as gzip',
    async (file, type, domain) => {
      const { tokens } = await endpoints([domain])
      const body = real(file)
      const json = JSON.parse(
        type === GZ_TYPE ? new TextDecoder().decode(gunzip(body)) : new TextDecoder().decode(body),
      ) as { 'report-id': string; policies: { summary: Record<string, number> }[] }
      const sum = (k: string) => json.policies.reduce((n, p) => n + p.summary[k]!, 0)

      const out = await receiveReport(world.deps, limits(), {
        token: tokens[domain]!,
        contentType: `${type}; charset=utf-8`,
        body,
        source: 'https:192.0.2.1',
      })

      expect(out).toMatchObject({ duplicate: false, domain })
      const [row] = (await world.store.sql(
        'SELECT report_id, successful, failed, raw, source FROM tls_reports WHERE id = ?',
        out.id,
      )) as [
        {
          report_id: string
          successful: number
          failed: number
          raw: Buffer
          source: string
        },
      ]
      expect(row.report_id).toBe(json['report-id'])
      // The summary columns add up the report's own per-policy summaries.
      expect(row.successful).toBe(sum('total-successful-session-count'))
      expect(row.failed).toBe(sum('total-failure-session-count'))
      expect(row.source).toBe('https:192.0.2.1')
      // Stored as gzip whichever way it came, and it inflates to the JSON that was sent.
      expect(JSON.parse(new TextDecoder().decode(gunzip(row.raw)))).toEqual(json)
      expect(world.logged('tlsrpt_received')).toMatchObject([{ domain, duplicate: false }])
    },
  )

  it('when a report arrives with a Microsoft-style date without a time zone, then it is stored with the quirk as a warning', async () => {
    const { tokens } = await endpoints(['test.xmox.nl'])

    const out = await receiveReport(world.deps, limits(), {
      token: tokens['test.xmox.nl']!,
      contentType: JSON_TYPE,
      body: real('microsoft-2023-01-10.json'),
      source: 'https:192.0.2.1',
    })

    expect(out.warnings.join('\n')).toContain('has no time zone')
  })

  it('when the same reporter sends the same report id again, then it is a quiet success and nothing more is stored', async () => {
    const { tokens } = await endpoints(['test.xmox.nl'])
    const input = {
      token: tokens['test.xmox.nl']!,
      contentType: JSON_TYPE,
      body: real('google-2022-09-15.json'),
      source: 'https:192.0.2.1',
    }
    const first = await receiveReport(world.deps, limits(), input)

    const again = await receiveReport(world.deps, limits(), {
      ...input,
      contentType: GZ_TYPE,
      body: real('google-2022-09-15.json.gz'),
    })

    expect(first.duplicate).toBe(false)
    expect(again).toEqual({ id: null, duplicate: true, domain: 'test.xmox.nl', warnings: [] })
    expect(await count()).toBe(1)
  })

  it.each([
    ['an unknown token', { token: 'no-such-token-at-all-x' }, 'NOT_FOUND'],
    ['a text/plain body', { contentType: 'text/plain' }, 'UNSUPPORTED_MEDIA_TYPE'],
    ['no content type', { contentType: undefined }, 'UNSUPPORTED_MEDIA_TYPE'],
    ['gzip labelled as JSON', { body: real('google-2022-09-15.json.gz') }, 'BAD_REQUEST'],
    ['JSON labelled as gzip', { contentType: GZ_TYPE }, 'BAD_REQUEST'],
    ['a report dated eight months ahead', { body: rule('base.json') }, 'BAD_REQUEST'],
    ['a report for another domain', { body: real('mailru-2024-02-22.json') }, 'VALIDATION'],
    ['a body that is not JSON', { body: new TextEncoder().encode('{"a":') }, 'BAD_REQUEST'],
  ] as const)(
    'when the intake gets %s, then %s, nothing is stored, and the refusal is logged with its reason',
    async (_, change, code) => {
      const { tokens } = await endpoints(['test.xmox.nl'])

      const err = await failure(
        receiveReport(world.deps, limits(), {
          token: tokens['test.xmox.nl']!,
          contentType: JSON_TYPE,
          body: real('google-2022-09-15.json'),
          source: 'https:192.0.2.1',
          ...change,
        }),
      )

      expect(err.code).toBe(code)
      expect(await count()).toBe(0)
      expect(world.logged('tlsrpt_refused')).toMatchObject([
        { level: 'warn', status: code, reason: err.message, source: 'https:192.0.2.1' },
      ])
    },
  )

  it('when a report is dated in the future beyond two days, then the issue names the date field', async () => {
    const { tokens } = await endpoints(['example.com'])

    const err = await failure(
      receiveReport(world.deps, limits(), {
        token: tokens['example.com']!,
        contentType: JSON_TYPE,
        body: rule('base.json'),
        source: 'https:192.0.2.1',
      }),
    )

    expect(err.issues.map((i) => i.path)).toEqual([
      'date-range.start-datetime',
      'date-range.end-datetime',
    ])
    world.clock.current = new Date('2026-11-02T00:00:00Z')
    const later = await receiveReport(world.deps, limits(), {
      token: tokens['example.com']!,
      contentType: JSON_TYPE,
      body: rule('base.json'),
      source: 'https:192.0.2.1',
    })
    expect(later.duplicate).toBe(false)
  })

  it('when a report names a subdomain held by the same tenant, then it is accepted; one held by another tenant is refused', async () => {
    const { a, tokens } = await endpoints(['parent.example'])
    const b = await world.tenant('beta')
    await addDomain(world.deps, a.actor, { name: 'mine.parent.example' })
    await addDomain(world.deps, b.actor, { name: 'theirs.parent.example' })
    const withDomains = (...names: string[]) =>
      utf8({
        'organization-name': 'Reporter',
        'date-range': {
          'start-datetime': '2026-02-27T00:00:00Z',
          'end-datetime': '2026-02-27T23:59:59Z',
        },
        'contact-info': 'tlsrpt@reporter.example',
        'report-id': names.join('+'),
        policies: names.map((n) => ({
          policy: { 'policy-type': 'no-policy-found', 'policy-domain': n },
          summary: { 'total-successful-session-count': 1, 'total-failure-session-count': 0 },
        })),
      })
    const send = (body: Uint8Array) =>
      receiveReport(world.deps, limits(), {
        token: tokens['parent.example']!,
        contentType: JSON_TYPE,
        body,
        source: 'https:192.0.2.1',
      })

    expect((await send(withDomains('parent.example', 'mine.parent.example'))).duplicate).toBe(false)
    const err = await failure(send(withDomains('parent.example', 'theirs.parent.example')))
    expect(err.code).toBe('VALIDATION')
    expect(err.issues[0]?.message).toBe('"theirs.parent.example" is not parent.example')
    expect(await count()).toBe(1)
  })

  it('when a domain is a pending claim, then its report URL takes no reports', async () => {
    world = await serviceWorld({ DOMAIN_VERIFICATION: 'dns' })
    const a = await world.tenant('alpha')
    await addDomain(world.deps, a.actor, { name: 'test.xmox.nl' })
    const { reportUrl } = await setTlsRpt(world.deps, a.actor, 'test.xmox.nl', { rua: [] })

    const err = await failure(
      receiveReport(world.deps, limits(), {
        token: reportUrl.split('/tlsrpt/')[1]!,
        contentType: JSON_TYPE,
        body: real('google-2022-09-15.json'),
        source: 'https:192.0.2.1',
      }),
    )

    expect(err.code).toBe('NOT_FOUND')
  })
})

describe('intake limits', () => {
  it('when one address sends more than its per-minute limit, then RATE_LIMITED with a retry time, even for unknown tokens', async () => {
    const { tokens } = await endpoints(['test.xmox.nl'])
    const l = limits(2)
    const send = (token: string, source = 'https:192.0.2.1') =>
      receiveReport(world.deps, l, {
        token,
        contentType: JSON_TYPE,
        body: real('google-2022-09-15.json'),
        source,
      })
    await failure(send('unknown-token-aaaaaaaaa'))
    await send(tokens['test.xmox.nl']!)

    const err = await failure(send(tokens['test.xmox.nl']!))

    expect(err.code).toBe('RATE_LIMITED')
    expect(err.retryAfterSeconds).toBe(60)
    // Another address is not limited by the first one's count.
    expect((await send(tokens['test.xmox.nl']!, 'https:192.0.2.2')).duplicate).toBe(true)
  })

  it('when IPv6 senders share a /64, then they share one per-source budget', async () => {
    const { tokens } = await endpoints(['test.xmox.nl'])
    const l = limits(1)
    const send = (source: string) =>
      receiveReport(world.deps, l, {
        token: tokens['test.xmox.nl']!,
        contentType: JSON_TYPE,
        body: real('google-2022-09-15.json'),
        source,
      })
    await send('https:2001:db8:1:2::1')

    expect((await failure(send('https:2001:db8:1:2::ffff'))).code).toBe('RATE_LIMITED')
    expect((await send('https:2001:db8:1:3::1')).duplicate).toBe(true)
  })

  it("when strangers send junk to a tenant's URL, then the tenant's budget is not spent", async () => {
    const { tokens } = await endpoints(['test.xmox.nl'])
    const l = limits(100, 1)
    const token = tokens['test.xmox.nl']!
    for (let i = 0; i < 3; i++) {
      await failure(
        receiveReport(world.deps, l, {
          token,
          contentType: JSON_TYPE,
          body: new TextEncoder().encode('not json'),
          source: `https:198.51.100.${i}`,
        }),
      )
    }

    const ok = await receiveReport(world.deps, l, {
      token,
      contentType: JSON_TYPE,
      body: real('google-2022-09-15.json'),
      source: 'https:192.0.2.1',
    })
    const over = await failure(
      receiveReport(world.deps, l, {
        token,
        contentType: JSON_TYPE,
        body: real('microsoft-2023-01-10.json'),
        source: 'https:192.0.2.1',
      }),
    )

    expect(ok.duplicate).toBe(false)
    expect(over.code).toBe('RATE_LIMITED')
    expect(over.message).toContain('TLSRPT_RATE_PER_TENANT')
  })

  it('when a domain has had its reports for the day, then RATE_LIMITED until 00:00 UTC, then accepted again', async () => {
    const { tokens } = await endpoints(['test.xmox.nl'], { TLSRPT_REPORTS_PER_DOMAIN_DAY: '1' })
    const send = (file: string) =>
      receiveReport(world.deps, limits(), {
        token: tokens['test.xmox.nl']!,
        contentType: JSON_TYPE,
        body: real(file),
        source: 'https:192.0.2.1',
      })
    await send('google-2022-09-15.json')

    const err = await failure(send('microsoft-2023-01-10.json'))

    expect(err.code).toBe('RATE_LIMITED')
    expect(err.message).toContain('TLSRPT_REPORTS_PER_DOMAIN_DAY')
    // START is 12:00 UTC: twelve hours to midnight.
    expect(err.retryAfterSeconds).toBe(12 * 3600)
    world.clock.advance(12 * 3600)
    expect((await send('microsoft-2023-01-10.json')).duplicate).toBe(false)
  })

  it('when a report would pass the daily stored bytes, then PAYLOAD_TOO_LARGE naming TLSRPT_BYTES_PER_DOMAIN_DAY', async () => {
    const { tokens } = await endpoints(['test.xmox.nl'], { TLSRPT_BYTES_PER_DOMAIN_DAY: '1000' })

    const err = await failure(
      receiveReport(world.deps, limits(), {
        token: tokens['test.xmox.nl']!,
        contentType: JSON_TYPE,
        body: real('google-2022-09-15.json'),
        source: 'https:192.0.2.1',
      }),
    )

    expect(err.code).toBe('PAYLOAD_TOO_LARGE')
    expect(err.message).toContain('TLSRPT_BYTES_PER_DOMAIN_DAY')
    expect(await count()).toBe(0)
  })

  it('when the report inflates past the limit, then PAYLOAD_TOO_LARGE', async () => {
    const { tokens } = await endpoints(['test.xmox.nl'])
    const bomb = gzipSync(Buffer.alloc(200_000, 0x20))

    const err = await failure(
      receiveReport(
        world.deps,
        { ...limits(), maxDecompressed: 100_000 },
        {
          token: tokens['test.xmox.nl']!,
          contentType: GZ_TYPE,
          body: new Uint8Array(bomb),
          source: 'https:192.0.2.1',
        },
      ),
    )

    expect(err.code).toBe('PAYLOAD_TOO_LARGE')
  })
})

const gunzip = (bytes: Uint8Array) => new Uint8Array(gunzipSync(bytes))

describe('receiveReport metrics', () => {
  it('when a report with failures is accepted and then sent again, then metrics count it once, with its failed sessions summed by result type', async () => {
    const { tokens } = await endpoints(['example.com'])
    const counted: unknown[] = []
    const deps = {
      ...world.deps,
      metrics: { ...world.deps.metrics, countTlsRptReport: (r: unknown) => void counted.push(r) },
    }
    const input = {
      token: tokens['example.com']!,
      contentType: JSON_TYPE,
      body: real('parsedmarc-sample-validation-failure.json'),
      source: 'https:192.0.2.1',
    }

    await receiveReport(deps, limits(), input)
    const again = await receiveReport(deps, limits(), input)

    expect(again.duplicate).toBe(true)
    expect(counted).toEqual([
      { domain: 'example.com', failures: [{ resultType: 'validation-failure', sessions: 3 }] },
    ])
  })
})
