/**
 * adapters/pg: one socket write per query instead of one per protocol message. node-postgres
 * writes a query's Parse, Bind, Describe, Execute and Sync messages with a `write` each; on a
 * socket with TCP_NODELAY that is five syscalls, five segments and five wake-ups of the backend
 * per statement. Corked on its first write in a tick and uncorked on the next, the socket sends
 * them as one writev. Profiled (bench row 15c1): half of the writing instance's samples were in
 * socket writes on PostgreSQL, against a tenth on SQLite.
 */
import type { Duplex } from 'node:stream'

/** Makes `stream` cork itself for the rest of the tick whenever it is written to. */
export function autoCork(stream: Duplex): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean
  let corked = false
  const flush = () => {
    corked = false
    stream.uncork()
  }
  stream.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true
      stream.cork()
      process.nextTick(flush)
    }
    return write(...args)
  }) as Duplex['write']
}
