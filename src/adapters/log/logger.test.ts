import { describe, expect, it } from 'vitest'
import { createLogger } from './logger.js'

const at = () => new Date('2026-12-01T00:00:00Z')

describe('createLogger', () => {
  it('when a logged string carries bidi and other invisible controls, then the line shows them as \\u escapes and parses back to the same string', () => {
    const lines: string[] = []
    const log = createLogger('info', (l) => lines.push(l), {}, at)
    const label = 'ops\u202etxt.exe\u2066\u2069\u200e\u200f\u061c\u2028\u0085\x00\x1b[31m'

    log.info('token_created', { label })

    expect(lines).toHaveLength(1)
    const line = lines[0]!
    expect(line).toContain('ops\\u202etxt.exe\\u2066\\u2069\\u200e\\u200f\\u061c\\u2028\\u0085')
    expect(line).toContain('\\u0000\\u001b[31m')
    // eslint-disable-next-line no-control-regex -- control characters are what it looks for
    const raw = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/
    expect(line).not.toMatch(raw)
    expect(JSON.parse(line).label).toBe(label)
  })
})
