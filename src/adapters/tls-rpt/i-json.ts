// RFC 7493 §2.1: code points that I-JSON texts must not hold, even as \u escapes: lone surrogates
// (paired ones are one code point under /u) and the 66 noncharacters.
const PLANE_ENDS = Array.from({ length: 17 }, (_, plane) =>
  [0xfffe, 0xffff].map((low) => plane * 0x10000 + low),
)
const FORBIDDEN = new RegExp(
  `[\\uD800-\\uDFFF\\uFDD0-\\uFDEF${PLANE_ENDS.flat()
    .map((cp) => `\\u{${cp.toString(16)}}`)
    .join('')}]`,
  'u',
)

/** Nesting allowed in a report: RFC 8460 §4.4 needs 5 levels; extensions get the rest. */
export const MAX_DEPTH = 64

type Frame = { keys: Set<string>; expectKey: boolean } | null

/** What makes a JSON text fail I-JSON; `depth` is found before the text is parsed. */
export interface IJsonProblem {
  rule: 'depth' | 'duplicate-name' | 'code-point'
  reason: string
}

const QUOTE = 0x22
const BACKSLASH = 0x5c

function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === BACKSLASH) i++
    else if (c === QUOTE) return i
  }
  return text.length
}

function decodeToken(token: string): string | null {
  try {
    return JSON.parse(token) as string
  } catch {
    // Malformed JSON is reported by JSON.parse over the whole text.
    return null
  }
}

/**
 * Finds what JSON.parse accepts but I-JSON (RFC 7493) forbids: duplicate member names, lone
 * surrogates and noncharacters, and (our cap) nesting deeper than MAX_DEPTH. It walks the raw
 * text once, so it sees `"a"` and `"\u0061"` as the same name.
 */
export function findIJsonProblem(text: string): IJsonProblem | null {
  // Raw (unescaped) noncharacters; well-formed UTF-16 from a strict decoder has no lone surrogates.
  if (FORBIDDEN.test(text)) {
    return { rule: 'code-point', reason: 'holds a noncharacter (RFC 7493 §2.1)' }
  }
  const stack: Frame[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '{' || c === '[') {
      stack.push(c === '{' ? { keys: new Set(), expectKey: true } : null)
      if (stack.length > MAX_DEPTH) {
        return { rule: 'depth', reason: `nests deeper than ${MAX_DEPTH} levels` }
      }
    } else if (c === '}' || c === ']') stack.pop()
    else if (c === ',' || c === ':') {
      const top = stack.at(-1)
      if (top) top.expectKey = c === ','
    } else if (c === '"') {
      const end = endOfString(text, i)
      const token = text.slice(i, end + 1)
      const top = stack.at(-1)
      const isKey = top?.expectKey === true
      // Only a \u escape can produce a forbidden code point that the raw-text test missed.
      if (isKey || token.includes('\\u')) {
        const value = decodeToken(token)
        if (value !== null && FORBIDDEN.test(value)) {
          const reason = 'holds an escaped lone surrogate or noncharacter (RFC 7493 §2.1)'
          return { rule: 'code-point', reason }
        }
        if (top && isKey && value !== null) {
          // RFC 7493 §2.3: "Objects in I-JSON messages MUST NOT have members with duplicate names."
          if (top.keys.has(value)) {
            const name = JSON.stringify(value.slice(0, 64))
            return {
              rule: 'duplicate-name',
              reason: `repeats the member name ${name} (RFC 7493 §2.3)`,
            }
          }
          top.keys.add(value)
        }
      }
      i = end
    }
  }
  return null
}
