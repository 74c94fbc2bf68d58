/**
 * bench: a CPU profile of the running server during one load run (inspect.ts attaches through
 * the inspector, so the measured runs before it carry no profiler overhead), summarised as the
 * functions with the most self time.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'
import { ROOT } from './server.js'
import { exited, pinLoad, start } from './tools.js'

interface ProfNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface Profile {
  nodes: ProfNode[]
  samples: number[]
}

function where(url: string, line: number): string {
  if (!url) return ''
  const short = url
    .replace(`file://${ROOT}`, '')
    .replace(/^.*node_modules\/((@[^/]+\/)?[^/]+)\/.*$/, '$1')
  return url.startsWith('file:') && !url.includes('node_modules') ? `${short}:${line + 1}` : short
}

/** Top self-time functions of a profile, as printable lines. */
export function summarize(file: string, label: string, top = 12, sampleMs = 1): string[] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, ProfNode>()
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n)
  const name = (n: ProfNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url, n.callFrame.lineNumber)}`.trim()
  // The nearest caller in the product (dist/ or src/), so library time is attributed.
  const ours = (n: ProfNode): string | null => {
    for (let u = parent.get(n.id); u; u = parent.get(u.id)) {
      if (/\/(dist|src)\//.test(u.callFrame.url) && !u.callFrame.url.includes('node_modules'))
        return name(u)
    }
    return null
  }
  const self = new Map<string, number>()
  for (const s of p.samples) {
    const n = byId.get(s)
    if (!n) continue
    // A native binding has no URL: name the JS function that called it.
    const up = parent.get(n.id)
    const native = !n.callFrame.url && !n.callFrame.functionName.startsWith('(') && up
    const caller = /\/(dist|src)\//.test(n.callFrame.url) ? null : ours(n)
    const key =
      (native ? `${name(n)} (native, from ${name(up)})` : name(n)) + (caller ? ` <- ${caller}` : '')
    self.set(key, (self.get(key) ?? 0) + 1)
  }
  const total = p.samples.length
  const busy = total - (self.get('(idle)') ?? 0)
  const out = [
    `${label}: ${total} samples of ${sampleMs} ms, ${((100 * busy) / Math.max(1, total)).toFixed(0)}% busy; top self time (% of busy samples):`,
  ]
  const ranked = [...self.entries()].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1])
  for (const [k, v] of ranked.slice(0, top)) {
    out.push(`  ${((100 * v) / Math.max(1, busy)).toFixed(1).padStart(5)}%  ${k}`)
  }
  return out
}

/** Profiles server `pid` while `load` runs; returns the summary (or why there is none). */
export async function profileDuring(
  pid: number,
  workDir: string,
  label: string,
  load: () => Promise<unknown>,
): Promise<string[]> {
  const file = join(workDir, `${label.replace(/\W+/g, '-')}.cpuprofile`)
  const helper = start(
    pinLoad([
      'node',
      '--experimental-websocket',
      '--no-warnings',
      '--import',
      'tsx',
      join(ROOT, 'bench/inspect.ts'),
      String(pid),
      file,
    ]),
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  const ready = await new Promise<boolean>((resolve) => {
    helper.stdout!.on('data', (d: Buffer) => d.toString().includes('READY') && resolve(true))
    helper.once('exit', () => resolve(false))
  })
  if (!ready) return [`${label}: no profile (the inspector could not be attached)`]
  await load()
  helper.stdin!.end('stop\n')
  await exited(helper)
  return existsSync(file) ? summarize(file, label) : [`${label}: no profile written`]
}

/** Profiles `fn` in this process (the bench calling product code, e.g. the renewal scan). */
export async function profileHere(
  workDir: string,
  label: string,
  fn: () => Promise<unknown>,
): Promise<string[]> {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 100 })
  await session.post('Profiler.start')
  await fn()
  const { profile } = await session.post('Profiler.stop')
  session.disconnect()
  const file = join(workDir, `${label.replace(/\W+/g, '-')}.cpuprofile`)
  writeFileSync(file, JSON.stringify(profile))
  return summarize(file, label, 8, 0.1)
}
