/**
 * PostgreSQL's text and jsonb cannot hold U+0000 (SQLSTATE 22021 / 22P05); SQLite's can. Text
 * that reporters and probed servers choose (a TLS report's strings, an SMTP banner quoted in a
 * finding) is stored on PostgreSQL with each NUL as U+FFFD, the replacement character, rather
 * than failing the write. Raw bytes (bytea) are kept as they came.
 */
export function withoutNul<T>(value: T): T {
  if (typeof value === 'string')
    return (value.includes('\u0000') ? value.replaceAll('\u0000', '\ufffd') : value) as T
  if (Array.isArray(value)) return value.map(withoutNul) as T
  if (
    value !== null &&
    typeof value === 'object' &&
    !(value instanceof Date) &&
    !ArrayBuffer.isView(value)
  ) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [withoutNul(k), withoutNul(v)]),
    ) as T
  }
  return value
}
