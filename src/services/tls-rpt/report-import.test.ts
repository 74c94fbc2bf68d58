import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { serviceWorld, START, type ServiceWorld, failure } from '../../../test/helpers/services.js'
import { addDomain } from '../domains/domains.js'
import { importReport } from './report-import.js'

const REAL = new URL('../../../test/fixtures/tlsrpt/realworld/', import.meta.url)
const real = (f: string) => new Uint8Array(readFileSync(new URL(f, REAL)))

let world: ServiceWorld
afterEach(() => world.close())

const input = (file: string) => ({
  body: real(file),
  media: file.endsWith('.gz')
    ? ('application/tlsrpt+gzip' as const)
    : ('application/tlsrpt+json' as const),
  source: `import:${file}`,
  maxDecompressed: 1_048_576,
})

describe('importReport', () => {
  it('when the operator imports a mailed report for a hosted domain, then it is stored under that domain, and a repeat is a duplicate', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    const domain = await addDomain(world.deps, a.actor, { name: 'test.xmox.nl' })

    const first = await importReport(world.deps, input('google-2022-09-15.json.gz'))
    const again = await importReport(world.deps, input('google-2022-09-15.json'))

    expect(first).toMatchObject({ duplicate: false, domain: 'test.xmox.nl' })
    expect(again).toMatchObject({ id: null, duplicate: true })
    const row = await world.store.sql<{ domain_id: string; source: string; received_at: number }>(
      'SELECT domain_id, source, received_at FROM tls_reports',
    )
    expect(row).toEqual([
      {
        domain_id: domain.id,
        source: 'import:google-2022-09-15.json.gz',
        received_at: START.getTime(),
      },
    ])
  })

  it("when the daily report quota is used up, then an operator's import is still stored (the quotas bound the public URL)", async () => {
    world = await serviceWorld({ TLSRPT_REPORTS_PER_DOMAIN_DAY: '0' })
    const a = await world.tenant('alpha')
    await addDomain(world.deps, a.actor, { name: 'test.xmox.nl' })

    const out = await importReport(world.deps, input('microsoft-2023-01-10.json'))

    expect(out.duplicate).toBe(false)
  })

  it('when no hosted domain matches the report, then NOT_FOUND, logged, and nothing stored', async () => {
    world = await serviceWorld()

    const err = await failure(importReport(world.deps, input('mailru-2024-02-22.json')))

    expect(err.code).toBe('NOT_FOUND')
    expect(err.message).toBe('no hosted domain "example.com" for this report')
    expect(world.logged('tlsrpt_refused')).toMatchObject([
      { status: 'NOT_FOUND', source: 'import:mailru-2024-02-22.json' },
    ])
  })

  it('when the file is not a TLS report, then BAD_REQUEST', async () => {
    world = await serviceWorld()

    const err = await failure(
      importReport(world.deps, {
        ...input('mailru-2024-02-22.json'),
        body: new TextEncoder().encode('{"hello": "world"}'),
      }),
    )

    expect(err.code).toBe('BAD_REQUEST')
    expect(err.issues.length).toBeGreaterThan(1)
  })
})
