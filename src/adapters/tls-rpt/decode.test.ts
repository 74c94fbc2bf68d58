import { gzipSync } from 'node:zlib'
import type * as Zlib from 'node:zlib'
import { afterAll, describe, expect, it, vi } from 'vitest'
import type { ReportDecoder } from '../../core/tls-rpt/decoder.js'
import type { ReportMediaType } from './decode.js'

// Wrap gunzipSync so the tests can see the options it was called with. Files share a module
// registry (vitest.config.ts: isolate off), so decode.js is loaded afresh after the mock.
vi.resetModules()
vi.doMock('node:zlib', async (importOriginal) => {
  const zlib = await importOriginal<typeof Zlib>()
  return { ...zlib, gunzipSync: vi.fn(zlib.gunzipSync) }
})
const { gunzipSync } = await import('node:zlib')
const { decodeReport } = await import('./decode.js')

const JSON_TYPE = 'application/tlsrpt+json'
const GZIP_TYPE = 'application/tlsrpt+gzip'
const MiB = 1024 * 1024
const LIMITS = { maxDecompressed: 10 * MiB }
const bytes = (text: string) => new TextEncoder().encode(text)
const REPORT = '{"report-id":"r1","policies":[{"summary":{"n":1}}]}'

// The adapter is the implementation of the core port.
const asPort: ReportDecoder = decodeReport

describe('decodeReport', () => {
  it('when a JSON body is posted, then the text and the parsed value come back', () => {
    expect(asPort(bytes(REPORT), JSON_TYPE, LIMITS)).toEqual({
      ok: true,
      json: JSON.parse(REPORT),
      text: REPORT,
    })
  })

  it('when the same body is gzipped, then it decodes to the same value', () => {
    expect(decodeReport(gzipSync(bytes(REPORT)), GZIP_TYPE, LIMITS)).toEqual(
      decodeReport(bytes(REPORT), JSON_TYPE, LIMITS),
    )
  })

  it('when 50 MiB of zeros arrive gzipped, then 413 comes back fast, stopped by maxOutputLength', () => {
    const bomb = gzipSync(new Uint8Array(50 * MiB), { level: 9 })
    expect(bomb.byteLength).toBeLessThan(100 * 1024)
    vi.mocked(gunzipSync).mockClear()
    const result = decodeReport(bomb, GZIP_TYPE, LIMITS)
    expect(result).toEqual({
      ok: false,
      status: 413,
      reason: `the report inflates to more than ${10 * MiB} bytes (maxOutputLength)`,
    })
    // Fast because zlib stops at the cap (below). How fast is for the bench: a wall-clock
    // bound (200 ms) here is a timed test, and fails whenever the machine is busy.
    expect(vi.mocked(gunzipSync)).toHaveBeenCalledWith(bomb, { maxOutputLength: 10 * MiB })
    // zlib threw ERR_BUFFER_TOO_LARGE itself: nothing past the cap was handed back to us.
    expect(vi.mocked(gunzipSync).mock.results[0]?.type).toBe('throw')
  })

  it.each<[string, number, number | 'ok']>([
    ['exactly the cap', REPORT.length, 'ok'],
    ['one byte over the cap', REPORT.length - 1, 413],
  ])('when a gzipped report inflates to %s (cap %i), then the answer is %s', (_, max, expected) => {
    const result = decodeReport(gzipSync(bytes(REPORT)), GZIP_TYPE, { maxDecompressed: max })
    expect(result.ok ? 'ok' : result.status).toBe(expected)
  })

  it.each<[string, number, number | 'ok']>([
    ['exactly the cap', REPORT.length, 'ok'],
    ['one byte over the cap', REPORT.length - 1, 413],
  ])('when a plain report is %s (cap %i), then the answer is %s', (_, max, expected) => {
    const result = decodeReport(bytes(REPORT), JSON_TYPE, { maxDecompressed: max })
    expect(result.ok ? 'ok' : result.status).toBe(expected)
  })

  it.each(['text/plain', 'application/json', 'application/gzip', ''])(
    'when the media type is %j at run time, then 415',
    (mediaType) => {
      const result = decodeReport(bytes(REPORT), mediaType as ReportMediaType, LIMITS)
      expect(result).toMatchObject({ ok: false, status: 415 })
    },
  )

  it.each<[string, string, Uint8Array]>([
    ['an empty gzip body', 'not gzip', new Uint8Array()],
    ['JSON under the gzip type', 'not gzip', bytes(REPORT)],
    ['a zlib (not gzip) stream', 'not gzip', new Uint8Array([0x78, 0x9c, 1, 2, 3])],
    ['the gzip magic alone', 'corrupt', new Uint8Array([0x1f, 0x8b])],
    ['a bad CRC', 'corrupt', corruptCrc(gzipSync(bytes(REPORT)))],
  ])('when the body is %s, then 400 says %j', (_, reason, body) => {
    const result = decodeReport(body, GZIP_TYPE, LIMITS)
    expect(result).toMatchObject({
      ok: false,
      status: 400,
      reason: expect.stringContaining(reason),
    })
  })

  it.each<[string, string, string]>([
    ['a BOM before the JSON', 'byte order mark', '\ufeff{}'],
    ['a syntax error', 'not valid JSON at position 6', '{"a":1'],
    ['single quotes', 'not valid JSON', "{'a':1}"],
    ['a comment', 'not valid JSON', '{} // done'],
    ['a lone surrogate escape', 'lone surrogate', '{"a":"\\udfff"}'],
    [
      'a duplicate name in the third level',
      'repeats the member name "c"',
      '{"a":{"b":{"c":1,"c":2}}}',
    ],
  ])('when the text has %s, then 400 says %j', (_, reason, text) => {
    const result = decodeReport(bytes(text), JSON_TYPE, LIMITS)
    expect(result).toMatchObject({
      ok: false,
      status: 400,
      reason: expect.stringContaining(reason),
    })
  })

  it('when a syntax error quotes attacker text, then the reason does not repeat it', () => {
    const result = decodeReport(bytes('{"a": <script>}'), JSON_TYPE, LIMITS)
    expect(result.ok ? '' : result.reason).not.toContain('<script>')
  })

  it.each<[string, number[]]>([
    ['Latin-1', [0x7b, 0x22, 0xfc, 0x22, 0x3a, 0x31, 0x7d]],
    ['an encoded surrogate (CESU-8)', [0x22, 0xed, 0xa0, 0x80, 0x22]],
    ['an overlong slash', [0x22, 0xc0, 0xaf, 0x22]],
    ['a truncated sequence', [0x22, 0xe2, 0x82, 0x22]],
  ])('when the bytes are %s, then 400 says not UTF-8', (_, raw) => {
    const result = decodeReport(new Uint8Array(raw), JSON_TYPE, LIMITS)
    expect(result).toMatchObject({
      ok: false,
      status: 400,
      reason: 'the report is not valid UTF-8',
    })
  })

  it('when the top level is not an object, then decoding still succeeds (the schema refuses it)', () => {
    expect(decodeReport(bytes('[1,2]'), JSON_TYPE, LIMITS)).toMatchObject({
      ok: true,
      json: [1, 2],
    })
  })
})

function corruptCrc(gz: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(gz)
  // RFC 1952 §2.2: CRC32 sits in the 8-byte trailer, before ISIZE.
  copy[copy.length - 8] = (copy[copy.length - 8] ?? 0) ^ 0xff
  return copy
}

// Later files get the real zlib.
afterAll(() => {
  vi.doUnmock('node:zlib')
  vi.resetModules()
})
