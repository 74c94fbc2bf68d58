/**
 * The CLI as an operator runs it — a clean environment with the data dir given, no policies
 * folder, domains verified at creation — either through its real entry point (`tsx
 * src/cli/index.ts`, ~3 s a call) or in this process through the same dispatcher the entry point
 * awaits (`main(argv, env)`, milliseconds): the binary for what only a process shows (exit
 * status, the entry line), in-process for the breadth of commands.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { main } from '../../src/cli/run.js'

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx')

/**
 * `policyhost serve` for `spawn(process.execPath, SERVE_ARGS)`: node loads tsx itself, so a signal
 * reaches the server's own handlers. Through the `tsx` binary a wrapper relays it instead, and
 * SIGKILLs the server (exit 130) when the server's acknowledgement takes over 30 ms — a busy
 * machine, not our shutdown. Production runs `node dist/cli/index.js`, with no wrapper.
 */
export const SERVE_ARGS: readonly string[] = ['--import', 'tsx', 'src/cli/index.ts', 'serve']

const cliEnv = (dataDir: string, env: Record<string, string>) => ({
  PATH: process.env.PATH,
  DATA_DIR: dataDir,
  POLICIES_DIR: '',
  SERVICE_HOST: 'svc.example.net',
  DOMAIN_VERIFICATION: 'off',
  ...env,
})

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
    env: cliEnv(dataDir, env),
    encoding: 'utf8',
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/**
 * Runs `policyhost ARGS` in this process: what it writes to stdout and stderr is captured (one
 * call at a time; vitest runs a file's tests one after another) and the umask it sets restored.
 */
export async function runCliInProcess(
  dataDir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const captured = { stdout: '', stderr: '' }
  const capture = (key: 'stdout' | 'stderr') => (chunk: string | Uint8Array) => {
    captured[key] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    return true
  }
  const saved = { out: process.stdout.write, err: process.stderr.write, umask: process.umask() }
  process.stdout.write = capture('stdout') as typeof process.stdout.write
  process.stderr.write = capture('stderr') as typeof process.stderr.write
  try {
    const code = await main(args, cliEnv(dataDir, env))
    return { code, ...captured }
  } finally {
    process.stdout.write = saved.out
    process.stderr.write = saved.err
    process.umask(saved.umask)
  }
}

/**
 * spawnSync blocks the test worker's event loop; back to back, spawns blocked it for over a
 * minute and vitest's own RPC to the worker timed out. Await this between tests (beforeEach).
 */
export const yieldToVitest = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20))
