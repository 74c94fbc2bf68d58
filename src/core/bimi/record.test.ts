import { describe, expect, it } from 'vitest'
import { parseBimiRecord, renderBimiRecord, type BimiRecord } from './record.js'

const bimi = (
  logoUrl: string | null,
  certificateUrl: string | null = null,
  otherTags: Record<string, string> = {},
): BimiRecord => ({ logoUrl, certificateUrl, otherTags })

const LOGO = 'https://bimi.example.com/brand.svg'
const PEM = 'https://bimi.example.com/brand.pem'

describe('renderBimiRecord', () => {
  it.each<[string | null, string | null, string]>([
    [LOGO, null, `v=BIMI1; l=${LOGO}; a=`],
    [LOGO, PEM, `v=BIMI1; l=${LOGO}; a=${PEM}`],
    [null, null, 'v=BIMI1; l=; a='],
  ])('when l is %j and a is %j, then the record is %j', (logo, pem, expected) => {
    expect(renderBimiRecord(logo, pem)).toBe(expected)
  })
})

describe('parseBimiRecord', () => {
  // The shapes services/bimi/bimi-urls.ts produces: content-addressed on the service host (with or
  // without a port), per selector on the tenant's logo host; and a declination.
  it.each<[string | null, string | null]>([
    ['https://svc.example.net/logos/example.com/0123456789abcdef.svg', null],
    [
      'https://svc.example.net/logos/example.com/0123456789abcdef.svg',
      'https://svc.example.net/logos/example.com/default.pem',
    ],
    ['https://svc.example.net:8443/logos/xn--bcher-kva.example/0123456789abcdef.svg', null],
    ['https://bimi.example.com/default.svg', 'https://bimi.example.com/default.pem'],
    ['https://bimi.example.com/brand.q1.svg', 'https://bimi.example.com/brand.q1.pem'],
    [null, null],
  ])('when l=%j and a=%j are rendered and parsed, then they come back unchanged', (logo, pem) => {
    expect(parseBimiRecord(renderBimiRecord(logo, pem))).toEqual({
      ok: true,
      value: bimi(logo, pem),
    })
  })

  it.each<[string, string, BimiRecord]>([
    ['the draft example with a trailing ";"', `v=BIMI1; l=${LOGO}; a=${PEM};`, bimi(LOGO, PEM)],
    ['no spaces', `v=BIMI1;l=${LOGO};a=${PEM}`, bimi(LOGO, PEM)],
    ['spaces around "="', `v = BIMI1 ; l = ${LOGO} ; a = ${PEM} ;`, bimi(LOGO, PEM)],
    ['tabs', `v=BIMI1;\tl=${LOGO}\t;\ta=`, bimi(LOGO)],
    ['a= absent', `v=BIMI1; l=${LOGO}`, bimi(LOGO)],
    ['a before l', `v=BIMI1; a=${PEM}; l=${LOGO}`, bimi(LOGO, PEM)],
    ['the explicit declination', 'v=BIMI1; l=; a=;', bimi(null)],
    [
      'the local-part selector declination (lps= kept, not read)',
      'v=BIMI1; l=; a=; lps=true;',
      bimi(null, null, { lps: 'true' }),
    ],
    ['avp=personal', `v=BIMI1; l=${LOGO}; avp=personal`, bimi(LOGO, null, { avp: 'personal' })],
    [
      'an unknown tag whose value holds "=" (DKIM VALCHAR allows it)',
      `v=BIMI1; l=${LOGO}; x_1=a=b`,
      bimi(LOGO, null, { x_1: 'a=b' }),
    ],
    [
      'an SVGZ logo',
      'v=BIMI1; l=https://bimi.example.com/b.svgz',
      bimi('https://bimi.example.com/b.svgz'),
    ],
    [
      'an upper-case scheme',
      'v=BIMI1; l=HTTPS://bimi.example.com/b.svg',
      bimi('HTTPS://bimi.example.com/b.svg'),
    ],
    [
      'two character-strings joined',
      `v=BIMI1; l=https://bimi.exa` + `mple.com/b.svg`,
      bimi('https://bimi.example.com/b.svg'),
    ],
  ])('when the record has %s, then it parses', (_, text, expected) => {
    expect(parseBimiRecord(text)).toEqual({ ok: true, value: expected })
  })

  it.each<[string, string, string[]]>([
    ['an empty string', '', ['v']],
    ['a DMARC record', 'v=DMARC1; p=reject', ['v']],
    ['a lower-case version (must match precisely)', `v=bimi1; l=${LOGO}`, ['v']],
    ['an upper-case V (tag names are case-sensitive)', `V=BIMI1; l=${LOGO}`, ['v']],
    ['another version', `v=BIMI2; l=${LOGO}`, ['v']],
    ['v= not first', `l=${LOGO}; v=BIMI1`, ['v']],
    ['leading whitespace', ` v=BIMI1; l=${LOGO}`, ['v']],
    ['no l=', `v=BIMI1; a=${PEM}`, ['l']],
    ['an upper-case L= only', `v=BIMI1; L=${LOGO}`, ['l']],
    ['l= twice (RFC 6376 §3.2)', `v=BIMI1; l=${LOGO}; l=${LOGO}`, ['tag.3']],
    ['v= twice', `v=BIMI1; v=BIMI1; l=${LOGO}`, ['tag.2']],
    ['a doubled ";"', `v=BIMI1;; l=${LOGO}`, ['tag.2']],
    ['a tag without "="', `v=BIMI1; l=${LOGO}; junk`, ['tag.3']],
    ['an http: logo', 'v=BIMI1; l=http://bimi.example.com/b.svg', ['l']],
    ['a data: logo', 'v=BIMI1; l=data:image/svg+xml,abc', ['l']],
    ['two comma-separated logos', `v=BIMI1; l=${LOGO},${LOGO}`, ['l']],
    ['a space inside the URL', 'v=BIMI1; l=https://bimi.example.com/a b.svg', ['l']],
    ['a single-label host', 'v=BIMI1; l=https://localhost/b.svg', ['l']],
    ['an IP address host', 'v=BIMI1; l=https://192.0.2.1/b.svg', ['l']],
    ['user information', 'v=BIMI1; l=https://u:p@bimi.example.com/b.svg', ['l']],
    ['a PNG logo (BIMI §4.2.2)', 'v=BIMI1; l=https://bimi.example.com/b.png', ['l']],
    ['an http: certificate', `v=BIMI1; l=${LOGO}; a=http://bimi.example.com/b.pem`, ['a']],
    ['a control character in a tag value', `v=BIMI1; l=${LOGO}; x=a\u0001`, ['x']],
    [
      'several problems',
      'v=BIMI1; l=http://x.example/b.svg; a=https://x/b.pem; ;a=',
      ['tag.4', 'tag.5', 'l', 'a'],
    ],
  ])('when the record has %s, then it is refused at %j', (_, text, paths) => {
    const result = parseBimiRecord(text)
    expect(result.ok).toBe(false)
    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual(paths)
  })
})
