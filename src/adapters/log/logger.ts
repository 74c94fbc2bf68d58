/**
 * adapters/log: the one logger. JSON lines on stdout (or a given sink), levels, child loggers
 * that carry fields such as the request id. Implements core/ports Logger; imports only its
 * own folder (the batched stdout sink).
 */
import type { LogFields, Logger, LogLevel } from '../../core/ports.js'
import { batchedSink } from './batched-sink.js'

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

/**
 * Characters JSON.stringify leaves raw although a terminal or viewer acts on them: C1 controls,
 * zero-width marks, the line/paragraph separators and the bidi controls (U+061C, U+200E/F, U+202A–U+202E,
 * U+2066–U+2069) that can reorder a line to hide what a tenant wrote. In a JSON line they only
 * ever occur inside strings, so a \u escape keeps the line parsing to the same values.
 */
const INVISIBLE = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069]/
const ALL_INVISIBLE = new RegExp(INVISIBLE.source, 'g')
const escapeInvisible = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`

/** JSON.stringify, with INVISIBLE characters escaped too (the common line is only scanned). */
export function jsonLine(value: unknown): string {
  const line = JSON.stringify(value)
  return INVISIBLE.test(line) ? line.replace(ALL_INVISIBLE, escapeInvisible) : line
}

export type LogSink = (line: string) => void

let stdout: LogSink | undefined
/** stdout, batched per event-loop turn; whatever is pending is written when the process exits. */
function stdoutSink(): LogSink {
  if (stdout === undefined) {
    // process.stdout is synchronous for files and pipes on Linux, so the exit flush lands.
    const batched = batchedSink((text) => process.stdout.write(text))
    process.on('exit', batched.flush)
    stdout = batched.sink
  }
  return stdout
}

/** A JSON-lines logger; `now` is injected so tests can pin timestamps. */
export function createLogger(
  level: LogLevel,
  sink: LogSink = stdoutSink(),
  base: LogFields = {},
  now: () => Date = () => new Date(),
): Logger {
  const min = RANK[level]
  const write = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[lvl] < min) return
    sink(jsonLine({ time: now().toISOString(), level: lvl, msg, ...base, ...fields }))
  }
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (fields) => createLogger(level, sink, { ...base, ...fields }, now),
    enabled: (lvl) => RANK[lvl] >= min,
  }
}
