/**
 * adapters/log: the one logger. JSON lines on stdout (or a given sink), levels, child loggers
 * that carry fields such as the request id. Implements core/ports Logger; imports core/ and its
 * own folder (the batched stdout sink).
 */
import type { LogFields, Logger, LogLevel } from '../../core/ports.js'
import { escapeHiddenInJson } from '../../core/safe-text.js'
import { batchedSink } from './batched-sink.js'

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

/** JSON.stringify, with the hidden characters it leaves raw (bidi controls…) escaped too. */
export const jsonLine = (value: unknown): string => escapeHiddenInJson(JSON.stringify(value))

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
