/**
 * The command table and its help texts. Each command's code is imported only when it runs, so
 * reading this table (for `--help`) loads nothing else.
 */
import { ADMIN_COMMANDS } from './commands-admin.js'
import { DOMAIN_COMMANDS } from './commands-domains.js'
import { ALERT_COMMANDS } from './commands-alerts.js'
import { MORE_COMMANDS } from './commands-more.js'
import { STORE_COMMANDS } from './commands-store.js'
import type { Command } from './command.js'

export const COMMANDS: Command[] = [
  ...ADMIN_COMMANDS,
  ...DOMAIN_COMMANDS,
  ...MORE_COMMANDS,
  ...ALERT_COMMANDS,
  ...STORE_COMMANDS,
]

/** Other spellings of a command's first word. */
const GROUP_ALIASES: Record<string, string> = { tlsrpt: 'tls-rpt' }

export const EXIT_CODES = 'exit codes: 0 done, 1 failed (one line on stderr), 2 usage error'

/** The command named by the leading words of `argv`, and the words it took. */
export function findCommand(argv: string[]): { command: Command; taken: number } | null {
  const [first, second] = argv
  if (first === undefined) return null
  const group = GROUP_ALIASES[first] ?? first
  const two =
    second === undefined ? undefined : COMMANDS.find((c) => c.name === `${group} ${second}`)
  if (two) return { command: two, taken: 2 }
  const one = COMMANDS.find((c) => c.name === group)
  return one ? { command: one, taken: 1 } : null
}

/** The commands whose first word is `word` (`domain` → domain add, domain list, ...). */
export function groupOf(word: string): Command[] {
  const group = GROUP_ALIASES[word] ?? word
  return COMMANDS.filter((c) => c.name.startsWith(`${group} `))
}

const usageLine = (c: Command) => `policyhost ${c.name}${c.usage ? ` ${c.usage}` : ''}`

function listing(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2
  return commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')
}

function wrap(text: string, width = 78): string {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return lines.join('\n')
}

/** `policyhost --help`: every command with a one-line summary. */
export function mainHelp(): string {
  return [
    'usage: policyhost <command> [arguments] [options]',
    '       policyhost <command> --help    (or: policyhost help <command>)',
    '       policyhost --version',
    '',
    'commands:',
    listing(COMMANDS),
    '',
    '`tlsrpt` is accepted for `tls-rpt`.',
    EXIT_CODES,
  ].join('\n')
}

/** `policyhost domain --help`: the commands of one group. */
export function groupHelp(word: string, commands: Command[]): string {
  return [`usage: policyhost ${word} <command> ...`, '', 'commands:', listing(commands)].join('\n')
}

/** `policyhost domain list --help`: usage, the paragraph, the options. */
export function commandHelp(c: Command): string {
  const options = Object.entries(c.options ?? {}).map(([name, o]) => [
    `--${name}${o.value ? ` ${o.value}` : ''}${o.multiple ? ' (repeatable)' : ''}`,
    o.help,
  ])
  options.push(['-h, --help', 'this help'])
  const width = Math.max(...options.map(([l]) => l!.length)) + 2
  return [
    `usage: ${usageLine(c)}`,
    '',
    wrap(c.help),
    '',
    'options:',
    ...options.map(([l, h]) => `  ${l!.padEnd(width)}${h}`),
    '',
    EXIT_CODES,
  ].join('\n')
}

export { usageLine }
