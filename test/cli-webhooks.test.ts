/** `policyhost webhook …` (issue 13) in-process: add (secret once), list, deliveries, remove. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliInProcess } from './helpers/cli.js'

let dataDir: string
const cli = (args: string[]) => runCliInProcess(dataDir, args)

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'policyhost-cli-webhooks-'))
})
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe('policyhost webhook', () => {
  it('when a webhook is added, listed, read and removed, then each step says so and the secret shows only once', async () => {
    const added = await cli(['webhook', 'add', 'https://hooks.example.net/policyhost', '--json'])
    expect(added.code).toBe(0)
    const { id, secret } = JSON.parse(added.stdout) as { id: string; secret: string }
    expect(secret.length).toBeGreaterThan(20)

    const listed = await cli(['webhook', 'list', '--json'])
    expect(JSON.parse(listed.stdout).webhooks).toEqual([
      { id, url: 'https://hooks.example.net/policyhost', createdAt: expect.any(String) },
    ])
    expect(listed.stdout).not.toContain(secret)
    const log = await cli(['webhook', 'deliveries', id, '--json'])
    expect(JSON.parse(log.stdout)).toEqual({ deliveries: [] })

    const removed = await cli(['webhook', 'remove', id])
    expect(removed.code).toBe(0)
    expect(JSON.parse((await cli(['webhook', 'list', '--json'])).stdout).webhooks).toEqual([])
  })

  it('when the URL is not https, or the webhook unknown, then one line on stderr and exit 1', async () => {
    const http = await cli(['webhook', 'add', 'http://hooks.example.net/x'])
    const unknown = await cli(['webhook', 'remove', 'nope'])

    for (const r of [http, unknown]) {
      expect(r.code).toBe(1)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
    expect(http.stderr).toContain('https')
  })
})
