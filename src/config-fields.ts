/**
 * The field parsers config.ts (and config-dns.ts) build the environment schema from: numbers
 * within bounds, ports, lists, booleans and list checks, each failing with a message that says
 * what is expected (loadConfig adds the variable's name).
 */
import { accessSync, constants, statSync } from 'node:fs'
import { isIP } from 'node:net'
import { z } from 'zod'

/** A number within bounds; every failure (not a number, a fraction, out of range) says what is expected. */
export function numberIn(
  min: number,
  max: number | undefined,
  opts: { int: boolean; what?: string },
) {
  const what = opts.what ?? (opts.int ? 'a whole number' : 'a number')
  const error = `must be ${what} ${max === undefined ? `≥ ${min}` : `${min}-${max}`}`
  const n = z.coerce.number({ error }).min(min, { error })
  const bounded = max === undefined ? n : n.max(max, { error })
  return opts.int ? bounded.int({ error }) : bounded
}
export const whole = (min: number, max?: number) => numberIn(min, max, { int: true })
export const port = numberIn(0, 65535, { int: true, what: 'a port number' })
/** A comma-separated list; blanks dropped. */
export const csv = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
  )
export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

/** A list refinement whose message names the first bad entry. */
export function each(ok: (entry: string) => boolean, problem: string) {
  return (entries: string[], ctx: z.RefinementCtx) => {
    const bad = entries.find((e) => !ok(e))
    if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `${bad} ${problem}` })
  }
}

/** `ip`, `ip:port` or `[ipv6]:port`, as node's Resolver.setServers takes them; port 1-65535. */
export function isResolver(entry: string): boolean {
  if (isIP(entry) !== 0) return true
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(entry)
  if (m === null) return false
  const portNumber = Number(m[3])
  if (portNumber < 1 || portNumber > 65535) return false
  return m[1] !== undefined ? isIP(m[1]) === 6 : isIP(m[2] ?? '') === 4
}

/** Checked at start so a wrong path stops the process, not the first certificate order. */
export function readableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}
