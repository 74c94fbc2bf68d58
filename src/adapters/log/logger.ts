/**
 * adapters/log: the one logger. JSON lines on stdout (or a given sink), levels, child loggers
 * that carry fields such as the request id. Implements core/ports Logger; imports nothing else.
 */
import type { LogFields, Logger, LogLevel } from '../../core/ports.js'

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export type LogSink = (line: string) => void

const stdoutSink: LogSink = (line) => {
  process.stdout.write(line + '\n')
}

/** A JSON-lines logger; `now` is injected so tests can pin timestamps. */
export function createLogger(
  level: LogLevel,
  sink: LogSink = stdoutSink,
  base: LogFields = {},
  now: () => Date = () => new Date(),
): Logger {
  const min = RANK[level]
  const write = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[lvl] < min) return
    sink(JSON.stringify({ time: now().toISOString(), level: lvl, msg, ...base, ...fields }))
  }
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (fields) => createLogger(level, sink, { ...base, ...fields }, now),
  }
}
