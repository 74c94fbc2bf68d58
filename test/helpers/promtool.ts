/**
 * The real Prometheus `promtool`, for tests that check our exposition text the way Prometheus'
 * own linter does. Debian's `prometheus` package ships it as /usr/bin/promtool.
 */
import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Where promtool lives, or why it could not be had (the caller skips with that reason). */
export type PromtoolFound = { ok: true; path: string } | { ok: false; reason: string }

async function which(): Promise<string | null> {
  try {
    const { stdout } = await run('which', ['promtool'])
    return stdout.trim() || null
  } catch {
    return null
  }
}

/** Finds promtool, installing Debian's `prometheus` package first when it is missing. */
export async function ensurePromtool(): Promise<PromtoolFound> {
  const found = await which()
  if (found !== null) return { ok: true, path: found }
  if (process.getuid?.() !== 0) {
    return { ok: false, reason: 'promtool is missing and apt-get needs root' }
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  try {
    // A fresh container has no package lists; the install alone would not find the package.
    await run('apt-get', ['update'], { env, maxBuffer: 16 << 20 })
    await run('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus'], {
      env,
      maxBuffer: 16 << 20,
    })
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err)
    return { ok: false, reason: `installing the Debian package prometheus failed: ${message}` }
  }
  const installed = await which()
  return installed !== null
    ? { ok: true, path: installed }
    : { ok: false, reason: 'the prometheus package installed no promtool on the PATH' }
}

/** Outcome of `promtool check metrics`: exit code 0 means parsed and lint-clean. */
export interface PromtoolCheck {
  code: number | null
  output: string
}

/** Feeds exposition text to `promtool check metrics` on stdin. */
export function checkMetrics(promtool: string, text: string): Promise<PromtoolCheck> {
  return new Promise((resolve, reject) => {
    const child = spawn(promtool, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
    child.stdin.end(text)
  })
}
