/**
 * The CLI's dispatcher: finds the command in the table, parses its options, prints help, loads
 * the configuration and the runtime only when the command needs them, and turns every failure
 * into one line on stderr: exit 1 when the command failed, 2 for a usage error.
 */
import { VERSION } from '../version.js'
import { parseArgs } from 'node:util'
import { checkArgs, type Call, type Command, type OptionSpec } from './command.js'
import { commandHelp, findCommand, groupHelp, groupOf, mainHelp, usageLine } from './commands.js'
import { oneLine, out, UsageError } from './output.js'

const isHelp = (a: string | undefined) => a === '--help' || a === '-h'

/**
 * Runs the command line `argv` with the environment `env` (the process's, unless a test runs
 * the CLI in-process); returns the exit code. Never throws.
 */
export async function main(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const seen: { command?: Command } = {}
  try {
    return await dispatch(argv, seen, env)
  } catch (err) {
    const code = (err as { code?: unknown }).code
    const usage =
      err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
    let hint = ''
    if (err instanceof UsageError && err.hint) hint = ` (${err.hint})`
    else if (usage) {
      hint = seen.command
        ? ` (usage: ${usageLine(seen.command)})`
        : ' (run "policyhost --help" for the commands)'
    }
    // node's parseArgs explains at length how to pass a value starting with '-': the first
    // sentence says what was wrong.
    const message =
      usage && !(err instanceof UsageError) ? firstSentence(oneLine(err)) : oneLine(err)
    process.stderr.write(`policyhost: ${message}${hint}\n`)
    return usage ? 2 : 1
  }
}

const firstSentence = (s: string) => s.replace(/\. .*$/, '')

async function dispatch(
  argv: string[],
  seen: { command?: Command },
  env: Record<string, string | undefined>,
): Promise<number> {
  const [first, second] = argv
  if (first === undefined) {
    out(mainHelp())
    return 2
  }
  if (first === '--version' || first === '-V') {
    out(VERSION)
    return 0
  }
  if (isHelp(first)) {
    out(mainHelp())
    return 0
  }
  if (first === 'help') return help(argv.slice(1))
  const found = findCommand(argv)
  if (!found) {
    const group = groupOf(first)
    if (group.length === 0) throw new UsageError(`unknown command "${first}"`)
    if (second === undefined || second.startsWith('-')) {
      if (isHelp(second)) {
        out(groupHelp(first, group))
        return 0
      }
      throw new UsageError(`"${first}" needs a command`, `run "policyhost ${first} --help"`)
    }
    throw new UsageError(
      `unknown command "${first} ${second}"`,
      `run "policyhost ${first} --help" for its commands`,
    )
  }
  const { command, taken } = found
  seen.command = command
  const { values, positionals } = parseArgs({
    args: argv.slice(taken),
    allowPositionals: true,
    strict: true,
    options: { ...parserOptions(command.options ?? {}), help: { type: 'boolean', short: 'h' } },
  })
  if (values.help) {
    out(commandHelp(command))
    return 0
  }
  checkArgs(command.args, positionals)
  const call: Call = { args: positionals, opts: values }
  if (command.needs === 'nothing') return command.run(call)
  const { loadConfig } = await import('../config.js')
  const config = loadConfig(env)
  // Whatever the runtime creates (database, journal files, keys, exports) is the service's
  // alone: tenants' reports and token hashes must not be readable by other local users.
  process.umask(0o077)
  if (command.needs === 'config') return command.run({ ...call, config })
  const { openRuntime } = await import('../main.js')
  const level = config.LOG_LEVEL === 'debug' ? 'debug' : command.quiet ? 'error' : 'warn'
  const rt = await openRuntime(
    { ...config, LOG_LEVEL: level },
    { logSink: (line) => process.stderr.write(line + '\n'), oneShot: true },
  )
  try {
    return await command.run({ ...call, config, rt })
  } finally {
    await rt.close()
  }
}

/** `policyhost help [COMMAND...]`. */
function help(words: string[]): number {
  if (words.length === 0) {
    out(mainHelp())
    return 0
  }
  const found = findCommand(words)
  if (found && found.taken === words.length) {
    out(commandHelp(found.command))
    return 0
  }
  const group = groupOf(words[0]!)
  if (words.length === 1 && group.length > 0) {
    out(groupHelp(words[0]!, group))
    return 0
  }
  throw new UsageError(`unknown command "${words.join(' ')}"`)
}

function parserOptions(options: Record<string, OptionSpec>) {
  return Object.fromEntries(
    Object.entries(options).map(([name, o]) => [
      name,
      {
        type: o.type,
        ...(o.multiple ? { multiple: true } : {}),
        ...(o.short ? { short: o.short } : {}),
      },
    ]),
  )
}
