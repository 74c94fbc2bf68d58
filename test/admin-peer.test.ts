/**
 * Issue 9, finding 4: the plain-HTTP admin API decided "local use only" by the Host header, so a
 * peer on the network sending `Host: localhost` got in. A real socket from a non-loopback address
 * needs one on this machine: the probe runs in a network namespace of its own (root, `unshare`).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..')

function canUnshare(): boolean {
  try {
    execFileSync('unshare', ['-n', 'true'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

interface Probe {
  remote: Record<string, { status: number; body: string }>
  local: { status: number; body: string }
  peers: Array<string | null>
}

describe.skipIf(!canUnshare())('admin API over plain HTTP', () => {
  it('when a non-loopback peer sends Host: localhost (any spelling), then 404 saying HTTPS only; loopback still answers; log lines carry the peer', () => {
    const run = spawnSync(
      'unshare',
      ['-n', process.execPath, '--import', 'tsx', 'test/helpers/peer-probe.ts'],
      // The namespace has no route to the suite's PostgreSQL (TEST_STORE=postgres): the probe's
      // server keeps its store in SQLite; what is tested is the listener's peer check.
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, TEST_STORE: 'sqlite' },
      },
    )
    expect(run.status, run.stderr).toBe(0)
    const probe = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Probe

    for (const [host, res] of Object.entries(probe.remote)) {
      expect(res.status, host).toBe(404)
      expect(JSON.parse(res.body).detail, host).toMatch(
        /HTTPS only: https:\/\/sts\.policyhost\.test\/api\/v1/,
      )
      expect(res.body, host).not.toContain('"name"')
    }
    expect(probe.local.status).toBe(200)
    expect(probe.peers).toContain('198.51.100.10')
    expect(probe.peers).toContain('127.0.0.1')
  })
})
