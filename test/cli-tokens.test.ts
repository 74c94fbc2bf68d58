import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliInProcess } from './helpers/cli.js'

let dataDir: string

// In-process through the dispatcher the binary awaits (test/helpers/cli.ts); test/cli.test.ts
// covers the binary itself.
const cli = (args: string[]) => runCliInProcess(dataDir, args)

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'policyhost-cli-tokens-'))
})
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe('policyhost token list / rotate / revoke (issue 10 point 3)', () => {
  it("when a tenant's first token is listed, rotated and revoked, then the CLI shows each step and never a secret", async () => {
    const created = await cli(['tenant', 'create', 'acme'])
    expect(created.code).toBe(0)
    const tenant = JSON.parse(created.stdout)
    expect(tenant.tokenId).toEqual(expect.any(String))

    const listed = await cli(['token', 'list', '--tenant', 'acme', '--json'])
    expect(listed.code).toBe(0)
    expect(JSON.parse(listed.stdout)).toEqual([
      {
        id: tenant.tokenId,
        label: 'initial',
        tenant: 'acme',
        createdAt: tenant.createdAt,
        lastUsedAt: null,
        revokedAt: null,
      },
    ])
    expect(listed.stdout).not.toContain(tenant.token)

    const rotated = await cli(['token', 'rotate', tenant.tokenId])
    expect(rotated.code).toBe(0)
    const secret = rotated.stdout.trim()
    expect(secret).toMatch(/^ph_[A-Za-z0-9_-]{43}$/)
    expect(secret).not.toBe(tenant.token)
    expect(rotated.stderr).toContain(`replaces ${tenant.tokenId}`)

    const table = await cli(['token', 'list'])
    expect(table.code).toBe(0)
    const lines = table.stdout.trim().split('\n')
    expect(lines[0]).toBe('id\tlabel\ttenant\tcreated\tlast used\trevoked')
    const first = lines.find((l) => l.startsWith(tenant.tokenId))?.split('\t')
    expect(first?.[2]).toBe('acme')
    expect(first?.[5]).not.toBe('-')
    const next = lines.filter((l) => l.includes('\tacme\t') && !l.startsWith(tenant.tokenId))
    expect(next).toHaveLength(1)
    const nextId = next[0]?.split('\t')[0] ?? ''
    expect(table.stdout).not.toContain(secret)

    const revoked = await cli(['token', 'revoke', nextId])
    expect(revoked.code).toBe(0)
    const after = JSON.parse((await cli(['token', 'list', '--tenant', 'acme', '--json'])).stdout)
    expect(after.every((t: { revokedAt: string | null }) => t.revokedAt !== null)).toBe(true)
  })

  it('when the token is unknown, then one line on stderr and exit 1', async () => {
    const r = await cli(['token', 'rotate', 'nope'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe('policyhost: token "nope" not found')
  })
})
