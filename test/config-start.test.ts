import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliInProcess } from './helpers/cli.js'

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
  ])(
    'when %s=%s, then it exits non-zero with one stderr line naming it',
    async (name, value, line) => {
      // In-process through the dispatcher the binary awaits (its exit status is the return value;
      // test/cli.test.ts spawns the binary with a bad variable). Loopback and ephemeral ports, so a
      // setting wrongly accepted would start a harmless server, and the test would still fail.
      const r = await runCliInProcess(dataDir, ['serve'], {
        BIND_ADDRESS: '127.0.0.1',
        HTTP_PORT: '0',
        HTTPS_PORT: '0',
        [name]: value,
      })
      expect(r.code).toBe(1)
      expect(r.stderr.trim().split('\n')).toEqual([line])
    },
  )
})
