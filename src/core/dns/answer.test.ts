import { describe, expect, it } from 'vitest'
import { answerQuery, type QueryResult } from './answer.js'
import { ZoneIndex } from './zone-index.js'
import { ORIGIN, testZoneSettings } from '../../../test/helpers/zone-fixtures.js'
import type { ZoneRecord } from './zone-types.js'

const settings = testZoneSettings({
  nameservers: [`ns1.${ORIGIN}`, 'ns2.other.example'],
  nameserverAddresses: { [`ns1.${ORIGIN}`]: ['192.0.2.53', '2001:db8::53'] },
})
// 'é' is 2 octets and '€' 3: 300 chars of mixed text cross the 255-octet boundary mid-string.
const LONG = `v=STSv1; id=${'é€a'.repeat(100)}`

const zone = new ZoneIndex(settings, 42)
zone.put({
  label: 'ex-com-abc',
  mtaSts: 'v=STSv1; id=1',
  tlsRpt: 'v=TLSRPTv1; rua=mailto:tls@ex.com',
  bimi: [{ selector: 'default', value: 'v=BIMI1; l=https://ex.com/l.svg' }],
})
zone.put({ label: 'long-1', mtaSts: LONG, tlsRpt: null, bimi: [] })

const ask = (name: string, type = 'TXT', cls = 'IN', z = zone): QueryResult =>
  answerQuery(z, { name, type, class: cls })
const text = (r: ZoneRecord): string =>
  r.type === 'TXT' ? (r.data as string[]).join('') : String('data' in r ? r.data : '')
const summary = (r: QueryResult): unknown => ({
  rcode: r.rcode,
  aa: r.aa,
  answers: r.answers.map((a) => `${a.name} ${a.type}`),
  authorities: r.authorities.map((a) => `${a.name} ${a.type}`),
  additionals: r.additionals.map((a) => `${a.name} ${a.type}`),
})
const declined = (rcode: string): unknown => ({
  rcode,
  aa: false,
  answers: [],
  authorities: [],
  additionals: [],
})
const negative = (rcode: string): unknown => ({
  rcode,
  aa: true,
  answers: [],
  authorities: [`${ORIGIN} SOA`],
  additionals: [],
})

describe('answerQuery: who is answered', () => {
  it.each([
    // This server holds one class-IN zone only.
    ['class CH (version.bind)', 'version.bind', 'TXT', 'CH', 'NOTIMP'],
    ['class CH inside the zone', ORIGIN, 'SOA', 'CH', 'NOTIMP'],
    ['class ANY', ORIGIN, 'SOA', 'ANY', 'NOTIMP'],
    ['an unknown class', ORIGIN, 'SOA', 'UNKNOWN_254', 'NOTIMP'],
    // RFC 1034 §4.3.2: not authoritative and not recursive → refused.
    ['the root', '', 'NS', 'IN', 'REFUSED'],
    ['the parent zone', 'policyhost.example.net', 'SOA', 'IN', 'REFUSED'],
    ['a name that only ends with the origin text', `x${ORIGIN}`, 'TXT', 'IN', 'REFUSED'],
    ['the origin as a label prefix', `${ORIGIN}.evil`, 'TXT', 'IN', 'REFUSED'],
    ['another domain', 'example.com', 'A', 'IN', 'REFUSED'],
    // Transfers are the adapter's, over TCP, before it asks here.
    ['AXFR', ORIGIN, 'AXFR', 'IN', 'NOTIMP'],
    ['IXFR', ORIGIN, 'IXFR', 'IN', 'NOTIMP'],
  ])('when the query is %s, then %s and nothing else', (_, name, type, cls, rcode) => {
    expect(summary(ask(name, type, cls))).toEqual(declined(rcode))
  })
})

describe('answerQuery: answers, NODATA and NXDOMAIN', () => {
  it.each([
    [`ex-com-abc._mta-sts.${ORIGIN}`, 'TXT', ['v=STSv1; id=1']],
    [`ex-com-abc._smtp._tls.${ORIGIN}`, 'TXT', ['v=TLSRPTv1; rua=mailto:tls@ex.com']],
    [`default.ex-com-abc._bimi.${ORIGIN}`, 'TXT', ['v=BIMI1; l=https://ex.com/l.svg']],
    [ORIGIN, 'SOA', [`ns1.${ORIGIN}`]],
    [ORIGIN, 'NS', [`ns1.${ORIGIN}`, 'ns2.other.example']],
    [`ns1.${ORIGIN}`, 'A', ['192.0.2.53']],
    [`ns1.${ORIGIN}`, 'AAAA', ['2001:db8::53']],
  ])('when %s %s is asked, then it is answered authoritatively', (name, type, values) => {
    const r = ask(name, type)
    expect(r.rcode).toBe('NOERROR')
    expect(r.aa).toBe(true)
    expect(r.authorities).toEqual([])
    expect(r.answers.map((a) => (a.type === 'SOA' ? a.data.mname : text(a)))).toEqual(values)
    expect(r.answers.every((a) => a.name === name && a.type === type)).toBe(true)
  })

  it.each([
    // RFC 8020 §2: empty non-terminals exist, so NOERROR with no answers (NODATA).
    [`_mta-sts.${ORIGIN}`, 'TXT'],
    [`_tls.${ORIGIN}`, 'TXT'],
    [`_smtp._tls.${ORIGIN}`, 'TXT'],
    [`_bimi.${ORIGIN}`, 'TXT'],
    [`ex-com-abc._bimi.${ORIGIN}`, 'TXT'],
    [`_bimi.${ORIGIN}`, 'ANY'],
    // RFC 2308 §2.2: the name exists with other types.
    [`ex-com-abc._mta-sts.${ORIGIN}`, 'A'],
    [`ex-com-abc._mta-sts.${ORIGIN}`, 'UNKNOWN_65280'],
    [ORIGIN, 'TXT'],
    [ORIGIN, 'A'],
    [`ns1.${ORIGIN}`, 'NS'],
  ])('when %s %s is asked, then NODATA with the SOA', (name, type) => {
    expect(summary(ask(name, type))).toEqual(negative('NOERROR'))
  })

  it.each([
    [`_smtp.${ORIGIN}`, 'TXT'],
    [`nope.${ORIGIN}`, 'TXT'],
    [`other._mta-sts.${ORIGIN}`, 'TXT'],
    [`x.ex-com-abc._mta-sts.${ORIGIN}`, 'TXT'],
    [`other.ex-com-abc._bimi.${ORIGIN}`, 'TXT'],
    [`ns2.${ORIGIN}`, 'A'],
    [`nope.${ORIGIN}`, 'ANY'],
  ])('when %s %s is asked, then NXDOMAIN with the SOA', (name, type) => {
    expect(summary(ask(name, type))).toEqual(negative('NXDOMAIN'))
  })

  it('when the last entry under an ENT goes, then the ENT answers NXDOMAIN', () => {
    const z = new ZoneIndex(settings, 1)
    z.put({ label: 'a-1', mtaSts: null, tlsRpt: 'v=TLSRPTv1; rua=mailto:a@b.c', bimi: [] })
    expect(ask(`_tls.${ORIGIN}`, 'TXT', 'IN', z).rcode).toBe('NOERROR')
    z.remove('a-1')
    expect(ask(`_tls.${ORIGIN}`, 'TXT', 'IN', z).rcode).toBe('NXDOMAIN')
    expect(ask(`_smtp._tls.${ORIGIN}`, 'TXT', 'IN', z).rcode).toBe('NXDOMAIN')
  })

  it.each([
    // RFC 2308 §3: negative TTL = min(SOA TTL, SOA MINIMUM).
    ['MINIMUM is lower', 300, 60, 60],
    ['the TTL is lower', 30, 60, 30],
    ['they are equal', 60, 60, 60],
  ])('when %s, then the negative SOA TTL is the lesser', (_, ttl, minimum, expected) => {
    const z = new ZoneIndex({ ...settings, ttl, minimum }, 1)
    for (const r of [ask(`nope.${ORIGIN}`, 'TXT', 'IN', z), ask(ORIGIN, 'TXT', 'IN', z)]) {
      const [soa] = r.authorities
      expect(soa?.type === 'SOA' && [soa.ttl, soa.data.minimum, soa.data.serial]).toEqual([
        expected,
        minimum,
        1,
      ])
    }
    // The positive SOA keeps the zone TTL.
    const [positive] = ask(ORIGIN, 'SOA', 'IN', z).answers
    expect(positive?.type === 'SOA' && positive.ttl).toBe(ttl)
  })

  it('when the serial changes, then the negative SOA carries the new serial', () => {
    const z = new ZoneIndex(settings, 1)
    ask(`nope.${ORIGIN}`, 'TXT', 'IN', z)
    z.serial = 2
    const [soa] = ask(`nope.${ORIGIN}`, 'TXT', 'IN', z).authorities
    expect(soa?.type === 'SOA' && soa.data.serial).toBe(2)
  })
})

describe('answerQuery: spelling, ANY, NS and long TXT', () => {
  it('when the query mixes case, then answers echo it and the data is the same', () => {
    const name = `Ex-Com-ABC._MTA-STS.Dns.PolicyHost.Example.NET`
    const r = ask(name)
    expect(r.rcode).toBe('NOERROR')
    expect(r.answers.map((a) => a.name)).toEqual([name])
    expect(r.answers.map(text)).toEqual(['v=STSv1; id=1'])
    // The zone's own record is untouched.
    expect(zone.node(`ex-com-abc._mta-sts.${ORIGIN}`)?.get('TXT')?.[0]?.name).toBe(
      `ex-com-abc._mta-sts.${ORIGIN}`,
    )
  })

  it('when a non-ASCII letter lower-cases to an ASCII one, then it does not match', () => {
    const z = new ZoneIndex(settings, 1)
    z.put({ label: 'kk-1', mtaSts: 'v=STSv1; id=1', tlsRpt: null, bimi: [] })
    expect(ask(`KK-1._mta-sts.${ORIGIN}`, 'TXT', 'IN', z).rcode).toBe('NOERROR')
    // U+212A KELVIN SIGN: toLowerCase() makes it 'k'; RFC 4343 §3 folds A–Z only.
    expect(ask(`\u212Ak-1._mta-sts.${ORIGIN}`, 'TXT', 'IN', z).rcode).toBe('NXDOMAIN')
  })

  it('when the query is in the zone spelling, then the zone record is answered unchanged', () => {
    const name = `ex-com-abc._mta-sts.${ORIGIN}`
    expect(ask(name).answers[0]).toEqual(zone.node(name)?.get('TXT')?.[0])
  })

  it('when NS is asked at the apex, then in-zone targets come as glue in the zone spelling', () => {
    const r = ask(ORIGIN.toUpperCase(), 'NS')
    expect(summary(r)).toEqual({
      rcode: 'NOERROR',
      aa: true,
      answers: [`${ORIGIN.toUpperCase()} NS`, `${ORIGIN.toUpperCase()} NS`],
      authorities: [],
      additionals: [`ns1.${ORIGIN} A`, `ns1.${ORIGIN} AAAA`],
    })
  })

  it.each([
    // RFC 8482 §4.1: one RRset of the node, never all of them.
    [`ex-com-abc._mta-sts.${ORIGIN}`, ['TXT']],
    [ORIGIN, ['SOA']],
    [`ns1.${ORIGIN}`, ['A']],
  ])('when ANY is asked at %s, then exactly one RRset comes: %j', (name, answerTypes) => {
    const r = ask(name, 'ANY')
    expect(r.rcode).toBe('NOERROR')
    expect(r.aa).toBe(true)
    expect(r.answers.map((a) => a.type)).toEqual(answerTypes)
    expect(r.additionals).toEqual([])
  })

  it('when a TXT value passes 255 octets, then it is answered as strings of at most 255', () => {
    const [record] = ask(`long-1._mta-sts.${ORIGIN}`).answers
    const strings = record?.type === 'TXT' ? (record.data as string[]) : []
    const data = strings.map((s) => Buffer.from(s, 'utf8'))
    expect(Buffer.byteLength(LONG)).toBeGreaterThan(510)
    expect(data.length).toBe(3)
    expect(data.every((b) => b.length <= 255)).toBe(true)
    // Filled up to the boundary: a character is at most 3 octets here, so ≥ 253 before a split.
    expect(data.slice(0, -1).every((b) => b.length >= 253)).toBe(true)
    // RFC 1035 §3.3.14: no string ends inside a multi-octet character.
    expect(strings.join('')).toBe(LONG)
  })

  it('when the caller appends to a result, then the next result is not affected', () => {
    ask(ORIGIN, 'NS').additionals.push(zone.soa())
    ask(`nope.${ORIGIN}`).authorities.push(zone.soa())
    expect(ask(ORIGIN, 'NS').additionals).toHaveLength(2)
    expect(ask(`nope.${ORIGIN}`).authorities).toHaveLength(1)
  })
})
