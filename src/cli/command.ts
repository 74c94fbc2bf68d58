/**
 * What a CLI command is: its words, usage, help and options, and a `run` that imports its code
 * only when called, so `--help` and `--version` never load the runtime. Types only, and the
 * checks of the positional arguments against the usage.
 */
import type { Config } from '../config.js'
import type { Runtime } from '../main.js'
import { UsageError } from './output.js'

export interface OptionSpec {
  type: 'string' | 'boolean'
  multiple?: boolean
  short?: string
  /** The value's placeholder in the help (`NAME`). */
  value?: string
  help: string
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>

export interface Call {
  /** The positional arguments after the command's words, checked against `args`. */
  args: string[]
  opts: OptionValues
}

interface Base {
  /** Its words: `domain list`. */
  name: string
  /** One line for the command list. */
  summary: string
  /** Arguments and options after the name: `DOMAIN [--json]`. */
  usage: string
  /** Positional arguments: `DOMAIN`, `[HOST]`, `FILE...`, or empty. */
  args: string
  /** One paragraph for `--help`. */
  help: string
  options?: Record<string, OptionSpec>
}

/**
 * `nothing`: no configuration (logo convert). `config`: the environment only (serve opens its
 * own runtime). `runtime`: the database and services, as the operator; `quiet` runs it with
 * error-level logs, for commands that report every outcome themselves.
 */
export type Command = Base &
  (
    | { needs: 'nothing'; run(c: Call): Promise<number> }
    | { needs: 'config'; run(c: Call & { config: Config }): Promise<number> }
    | {
        needs: 'runtime'
        quiet?: boolean
        run(c: Call & { config: Config; rt: Runtime }): Promise<number>
      }
  )

/** Checks the positional arguments against `spec` (`DOMAIN FILE`, `[HOST]`, `FILE...`). */
export function checkArgs(spec: string, args: string[]): void {
  const words = spec.split(' ').filter(Boolean)
  const variadic = words.at(-1)?.endsWith('...') ?? false
  const required = words.filter((w) => !w.startsWith('['))
  if (args.length < required.length) {
    throw new UsageError(`missing ${required[args.length]?.replace('...', '')}`)
  }
  if (!variadic && args.length > words.length) {
    throw new UsageError(`unexpected argument "${args[words.length]}"`)
  }
}

/** A string option (parseArgs gives strings for `type: 'string'`). */
export const str = (o: OptionValues, key: string): string | undefined => {
  const v = o[key]
  return typeof v === 'string' ? v : undefined
}

/** A boolean option. */
export const flag = (o: OptionValues, key: string): boolean => o[key] === true
