import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx')
let dataDir: string

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'policyhost-config-'))
})
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe('policyhost with a bad setting', () => {
  it.each([
    [
      'DNS_SERVERS',
      'not-an-ip',
      'policyhost: invalid DNS_SERVERS: not-an-ip is not an IP address or ip:port',
    ],
    ['HTTPS_PORT', 'abc', 'policyhost: invalid HTTPS_PORT: must be a port number 0-65535'],
    [
      'ACME_CA_FILE',
      '/nonexistent.pem',
      'policyhost: invalid ACME_CA_FILE: must be a readable file',
    ],
    [
      'RENEW_INTERVAL',
      '0 0 31 2 *',
      'policyhost: invalid RENEW_INTERVAL: never fires: no such date',
    ],
  ])('when %s=%s, then it exits non-zero with one stderr line naming it', (name, value, line) => {
    const r = spawnSync(TSX, ['src/cli/index.ts', 'serve'], {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, POLICIES_DIR: '', [name]: value },
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(r.status).toBe(1)
    expect(r.stderr.trim().split('\n')).toEqual([line])
  })
})
