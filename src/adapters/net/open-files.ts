/**
 * The process's limit on open files, which every connection spends one of: a connection cap
 * above it means the cap never triggers and accept() fails for everyone instead.
 */
import { readFileSync } from 'node:fs'

/**
 * Descriptors kept free of connections: the database and its WAL, certificate files read on
 * an SNI miss, DNS and ACME sockets, stdout. Generous: running out of them fails requests.
 */
export const RESERVED_FILES = 256

/** The soft RLIMIT_NOFILE from /proc/self/limits (Linux); null where unknown or unlimited. */
export function openFilesLimit(
  read = () => readFileSync('/proc/self/limits', 'utf8'),
): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(read())
    return m?.[1] === undefined || m[1] === 'unlimited' ? null : Number(m[1])
  } catch {
    return null
  }
}

/** The connection cap that fits under `limit` with RESERVED_FILES to spare (at least 1). */
export function capUnderLimit(configured: number, limit: number | null): number {
  return limit === null ? configured : Math.max(1, Math.min(configured, limit - RESERVED_FILES))
}
