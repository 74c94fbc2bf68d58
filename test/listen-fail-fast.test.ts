import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, it } from 'vitest'

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx')
let root: string
let held: Server
let heldPort: number

/** `policyhost serve` as a process; a server that never exits is killed and reported as such. */
function serve(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  // A data dir of its own: two processes migrating one fresh database at once race on its
  // CREATE TABLEs (the tests below run concurrently).
  const dataDir = mkdtempSync(join(root, 'data-'))
  return new Promise((resolve) => {
    const child = spawn(TSX, ['src/cli/index.ts', 'serve'], {
      env: {
        PATH: process.env.PATH,
        DATA_DIR: dataDir,
        POLICIES_DIR: '',
        SERVICE_HOST: 'svc.example.net',
        BIND_ADDRESS: '127.0.0.1',
        LOG_LEVEL: 'error',
        ...env,
      },
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    // Still running well after start-up means it stayed half-started: stop it, report null.
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    child.on('exit', (code) => {
      clearTimeout(killer)
      resolve({ code, stderr })
    })
  })
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'policyhost-listen-'))
  held = createServer()
  await new Promise<void>((r) => held.listen(0, '127.0.0.1', r))
  heldPort = (held.address() as { port: number }).port
})
afterAll(async () => {
  await new Promise((r) => held.close(r))
  rmSync(root, { recursive: true, force: true })
})

// Two processes at once: each is mostly start-up time, and neither sees the other's port.
describe.concurrent('policyhost serve when a port is taken', () => {
  it.for(['HTTPS_PORT', 'HTTP_PORT'])(
    'when %s is in use, then it exits non-zero with one line naming the variable and address',
    { timeout: 30_000 },
    async (variable, { expect }) => {
      const r = await serve({ HTTP_PORT: '0', HTTPS_PORT: '0', [variable]: String(heldPort) })
      expect(r.code).not.toBe(0)
      expect(r.code).not.toBeNull()
      const lines = r.stderr.trim().split('\n')
      expect(lines).toEqual([
        `policyhost: cannot listen on 127.0.0.1:${heldPort} (${variable}): address in use`,
      ])
    },
  )
})
