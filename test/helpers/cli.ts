/**
 * The CLI through its real entry point (`tsx src/cli/index.ts`), as an operator runs it: a clean
 * environment with the data dir given, no policies folder, domains verified at creation.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `policyhost ARGS` on `dataDir`; `env` adds or overrides variables. */
export function runCli(
  dataDir: string,
  args: string[],
  env: Record<string, string> = {},
): CliResult {
  const r = spawnSync(TSX, ['src/cli/index.ts', ...args], {
    env: {
      PATH: process.env.PATH,
      DATA_DIR: dataDir,
      POLICIES_DIR: '',
      SERVICE_HOST: 'svc.example.net',
      DOMAIN_VERIFICATION: 'off',
      ...env,
    },
    encoding: 'utf8',
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/**
 * spawnSync blocks the test worker's event loop; back to back, spawns blocked it for over a
 * minute and vitest's own RPC to the worker timed out. Await this between tests (beforeEach).
 */
export const yieldToVitest = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20))
