/**
 * Text from outside (a tenant's label, a mailed report's attachment name) shown to an operator:
 * characters a terminal or log viewer acts on or hides must show as escapes, or they forge
 * lines (newlines, ANSI escapes) and reorder or hide what was written (bidi controls such as
 * U+202E, zero-width marks). Issue 9, finding 10.
 */

/**
 * Controls (C0, DEL, C1: \p{Cc}), format characters (bidi controls U+061C, U+200E/F,
 * U+202A–U+202E, U+2066–U+2069, zero-width marks, BOM, tag characters: \p{Cf}) and the line and
 * paragraph separators.
 */
export const HIDDEN = /[\p{Cc}\p{Cf}\u2028\u2029]/u
// JSON.stringify escapes every C0 control inside strings, so a raw tab, CR or LF in its output is
// whitespace between tokens (pretty-printed JSON) and must stay as it is.
const HIDDEN_IN_JSON = /[\x7f-\x9f\p{Cf}\u2028\u2029]/u
const HIDDEN_IN_JSON_ALL = new RegExp(HIDDEN_IN_JSON.source, 'gu')
const HIDDEN_OR_BACKSLASH = /[\\\p{Cc}\p{Cf}\u2028\u2029]/gu

const NAMED: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' }
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0')

/** For a terminal: one line, each hidden character as `\n`, `\x1b`, `\u202e` or `\u{e0041}`. */
export function escapeForTerminal(s: string): string {
  return s.replace(HIDDEN_OR_BACKSLASH, (ch) => {
    const named = NAMED[ch]
    if (named !== undefined) return named
    const code = ch.codePointAt(0)!
    if (code < 0x100) return `\\x${hex(code, 2)}`
    return code > 0xffff ? `\\u{${hex(code, 1)}}` : `\\u${hex(code, 4)}`
  })
}

/**
 * For a JSON text (a log line): the hidden characters JSON.stringify leaves raw, as `\u`
 * escapes of their UTF-16 units (DEL, C1 controls, format characters, U+2028/2029). They can only
 * occur inside strings, so the text still parses to the same values; the common line is scanned
 * and returned as it is.
 */
export function escapeHiddenInJson(json: string): string {
  if (!HIDDEN_IN_JSON.test(json)) return json
  return json.replace(HIDDEN_IN_JSON_ALL, (ch) => {
    let out = ''
    for (let i = 0; i < ch.length; i++) out += `\\u${hex(ch.charCodeAt(i), 4)}`
    return out
  })
}
