/**
 * The real sender-side MTA-STS client: Debian's `mta-sts-query` (postfix-mta-sts-resolver),
 * which prints a Python repr such as
 * `(<STSFetchResult.VALID: 1>, ('abc123', {'mx': ['mail.example.test'], 'version': 'STSv1', ...}))`.
 */
import { run, type RunResult } from './processes.js'

/** Debian's script: its `#!/usr/bin/python3` avoids a non-Debian python3 on PATH. */
const MTA_STS_QUERY = '/usr/bin/mta-sts-query'
/** The client's own HTTP timeout is 4 s; DNS adds little on loopback. */
const QUERY_TIMEOUT_MS = 20_000

/** Variables that would change which CAs, proxies or Python the client uses. */
const DROPPED_ENV = /^(SSL_CERT_DIR|PYTHON\w*|https?_proxy|all_proxy|no_proxy)$/i

export interface MtaStsQueryOptions {
  /**
   * A resolv.conf for this run only. The client reads /etc/resolv.conf (c-ares for the TXT,
   * getaddrinfo for the HTTPS host) and has no option of its own, so it runs in a private mount
   * namespace (`unshare --mount`, root) with this file bind-mounted over /etc/resolv.conf;
   * nothing else in the e2e namespace sees the change. Default: the namespace's resolv.conf.
   */
  resolvConf?: string
}

/**
 * Runs `mta-sts-query domain [knownId]` trusting only `caFile` (`SSL_CERT_FILE` replaces the
 * system store).
 */
export function mtaStsQuery(
  domain: string,
  caFile: string,
  knownId?: string,
  options: MtaStsQueryOptions = {},
): Promise<RunResult> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !DROPPED_ENV.test(key)) env[key] = value
  }
  env.SSL_CERT_FILE = caFile
  const args = knownId === undefined ? [domain] : [domain, knownId]
  if (options.resolvConf === undefined) {
    return run(MTA_STS_QUERY, args, { env, timeoutMs: QUERY_TIMEOUT_MS })
  }
  // `unshare --mount` makes mounts private (--propagation private is its default).
  const script = 'mount --bind "$0" /etc/resolv.conf && exec "$@"'
  const wrapped = ['--mount', 'sh', '-c', script, options.resolvConf, MTA_STS_QUERY, ...args]
  return run('unshare', wrapped, { env, timeoutMs: QUERY_TIMEOUT_MS })
}

export type StsFetchResult = 'NONE' | 'VALID' | 'FETCH_ERROR' | 'NOT_CHANGED'

export interface ParsedQuery {
  result: StsFetchResult
  id?: string
  policy?: Record<string, unknown>
}

/** Parses the printed `(<STSFetchResult.X: n>, None | (id, {policy}))`. */
export function parseMtaStsQuery(stdout: string): ParsedQuery {
  const match = /^\(<STSFetchResult\.(\w+): \d+>, (.*)\)$/s.exec(stdout.trim())
  if (!match) throw new Error(`unexpected mta-sts-query output: ${JSON.stringify(stdout)}`)
  const result = match[1] as StsFetchResult
  const payload = parsePythonLiteral(match[2] ?? '')
  if (payload === null) return { result }
  if (!Array.isArray(payload) || typeof payload[0] !== 'string') {
    throw new Error(`unexpected mta-sts-query payload: ${match[2]}`)
  }
  return { result, id: payload[0], policy: payload[1] as Record<string, unknown> }
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '\\': '\\',
  "'": "'",
  '"': '"',
}

/** Parses the Python literals repr() prints for str, int, None, bool, list, tuple and dict. */
export function parsePythonLiteral(text: string): unknown {
  let pos = 0
  const fail = (what: string): never => {
    throw new Error(`python literal: ${what} at ${pos} in ${JSON.stringify(text)}`)
  }
  const skip = () => {
    while (/\s/.test(text[pos] ?? '')) pos++
  }
  const parseString = (): string => {
    const quote = text[pos++]
    let out = ''
    while (text[pos] !== quote) {
      const ch = text[pos++] ?? fail('unterminated string')
      if (ch !== '\\') {
        out += ch
        continue
      }
      const esc = text[pos++] ?? fail('bad escape')
      const hex = { x: 2, u: 4, U: 8 }[esc]
      if (hex) {
        out += String.fromCodePoint(parseInt(text.slice(pos, pos + hex), 16))
        pos += hex
      } else out += ESCAPES[esc] ?? fail(`escape \\${esc}`)
    }
    pos++
    return out
  }
  const parseItems = (close: string, item: () => void) => {
    pos++
    for (skip(); text[pos] !== close; skip()) {
      item()
      skip()
      if (text[pos] === ',') pos++
      else if (text[pos] !== close) fail(`expected , or ${close}`)
    }
    pos++
  }
  const parseValue = (): unknown => {
    skip()
    const ch = text[pos]
    if (ch === "'" || ch === '"') return parseString()
    if (ch === '[' || ch === '(') {
      const items: unknown[] = []
      parseItems(ch === '[' ? ']' : ')', () => items.push(parseValue()))
      return items
    }
    if (ch === '{') {
      const dict: Record<string, unknown> = {}
      parseItems('}', () => {
        const key = String(parseValue())
        skip()
        if (text[pos++] !== ':') fail('expected :')
        dict[key] = parseValue()
      })
      return dict
    }
    const word = /^(None|True|False|-?\d+)/.exec(text.slice(pos))?.[0] ?? fail('unexpected token')
    pos += word.length
    return word === 'None' ? null : word === 'True' ? true : word === 'False' ? false : Number(word)
  }
  const value = parseValue()
  skip()
  if (pos !== text.length) fail('trailing text')
  return value
}
