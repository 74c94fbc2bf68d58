import dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { ORIGIN, query, SETTINGS } from '../../../test/helpers/dns-kit.js'
import { IxfrJournal } from '../../core/dns/ixfr-journal.js'
import { ZoneIndex } from '../../core/dns/zone-index.js'
import { createLogger } from '../log/logger.js'
import { handleInFull, TCP_MESSAGE_MAX, type QueryContext } from './handle-query.js'
import { fastTxtReply } from './txt-fast-path.js'

const UDP_MAX = 1232

/** A zone with every kind of TXT the fast path writes: short, split at 255 octets, several. */
function zone(): ZoneIndex {
  const z = new ZoneIndex(SETTINGS, 2026120601)
  z.put({ label: 'alpha', mtaSts: 'v=STSv1; id=20261206', tlsRpt: null, bimi: [] })
  z.put({
    label: 'beta',
    mtaSts: 'v=STSv1; id=b',
    tlsRpt: 'v=TLSRPTv1; rua=mailto:tls@example.org',
    // Two selectors with values: one short, one of 600 octets with a non-ASCII character
    // straddling a 255-octet boundary (split by the zone, never inside the character).
    bimi: [
      { selector: 'default', value: 'v=BIMI1; l=https://logo.example/a.svg' },
      { selector: 'brand.x', value: `v=BIMI1; l=${'é'.repeat(300)}` },
    ],
  })
  return z
}

const ctx = (z: ZoneIndex, transport: 'udp' | 'tcp'): QueryContext => ({
  transport,
  zone: () => z,
  journal: new IxfrJournal(4),
  udpPayloadMax: UDP_MAX,
  log: createLogger('error', () => {}),
  source: '127.0.0.1',
  mayTransfer: () => false,
})

const NAMES = [
  `alpha._mta-sts.${ORIGIN}`,
  `beta._mta-sts.${ORIGIN}`,
  `beta._smtp._tls.${ORIGIN}`,
  `alpha._smtp._tls.${ORIGIN}`, // NXDOMAIN: alpha has no TLS-RPT record
  `default.beta._bimi.${ORIGIN}`,
  `brand.x.beta._bimi.${ORIGIN}`, // 600 octets: more than 512
  `x.beta._bimi.${ORIGIN}`, // empty non-terminal: NODATA
  `beta._bimi.${ORIGIN}`,
  `_mta-sts.${ORIGIN}`,
  `_tls.${ORIGIN}`,
  `nobody._mta-sts.${ORIGIN}`,
  ORIGIN, // the apex: NODATA with the SOA owned by the question's own name
  `ns1.${ORIGIN}`,
  `x${ORIGIN}`, // outside the zone: REFUSED
  'example.org',
]

const spellings = (name: string) => [
  name,
  name.toUpperCase(),
  name.replace(/[aeiou]/g, (c) => c.toUpperCase()),
]

const EDNS: Parameters<typeof query>[2][] = [
  {},
  { rd: false },
  { edns: { size: 512 } },
  { edns: { size: 100 } }, // below 512 counts as 512 (RFC 6891 §6.2.5)
  { edns: { size: 1232 } },
  { edns: { size: 4096 } },
  { edns: { size: 1232, version: 1 } }, // BADVERS: the general path's
]

/** The query with bytes changed or appended, for shapes dns-kit's query() does not make. */
function variant(msg: Buffer, kind: string): Buffer {
  const out = Buffer.from(msg)
  switch (kind) {
    case 'qr':
      out[2] = out[2]! | 0x80
      return out
    case 'notify':
      out[2] = (out[2]! & 0x87) | (4 << 3)
      return out
    case 'trailing':
      return Buffer.concat([out, Buffer.from([0, 0, 0])])
    case 'short':
      return out.subarray(0, out.length - 2)
    default:
      return out
  }
}

/** Every query of the corpus, with a description for failures. */
function corpus(): { what: string; msg: Buffer }[] {
  const out: { what: string; msg: Buffer }[] = []
  for (const name of NAMES) {
    for (const spelled of spellings(name)) {
      for (const type of ['TXT', 'A', 'NS', 'SOA', 'ANY']) {
        for (const opts of EDNS) {
          const msg = query(spelled, type, opts)
          out.push({ what: `${spelled} ${type} ${JSON.stringify(opts)}`, msg })
        }
      }
    }
  }
  const base = query(`alpha._mta-sts.${ORIGIN}`, 'TXT', { edns: { size: 1232 } })
  for (const kind of ['qr', 'notify', 'trailing', 'short']) {
    out.push({ what: `variant ${kind}`, msg: variant(base, kind) })
  }
  // An OPT carrying an option (padding), one with DO set, and an odd octet in the name.
  const withOption = dnsPacket.encode({
    type: 'query',
    id: 9,
    questions: [{ name: `alpha._mta-sts.${ORIGIN}`, type: 'TXT' }],
    additionals: [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: 1232,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: 0,
        flag_do: true,
        options: [{ code: 12, length: 8 }],
      },
    ],
  })
  out.push({ what: 'OPT with a padding option', msg: withOption })
  const doBit = Buffer.from(base)
  doBit.writeUInt16BE(0x8000, doBit.length - 4)
  out.push({ what: 'OPT with DO set', msg: doBit })
  const odd = Buffer.from(query(`alpha._mta-sts.${ORIGIN}`, 'TXT'))
  odd[13] = 0x2e // a '.' inside the first label
  out.push({ what: 'dot inside a label', msg: odd })
  return out
}

describe('the TXT fast path', () => {
  for (const transport of ['udp', 'tcp'] as const) {
    it(`when it answers over ${transport}, then its bytes are the general path's, and it leaves everything else to it`, () => {
      const z = zone()
      const streamMax = transport === 'udp' ? null : TCP_MESSAGE_MAX
      let answered = 0
      for (const { what, msg } of corpus()) {
        const fast = fastTxtReply(msg, z, UDP_MAX, streamMax)
        if (fast === null) continue
        answered++
        const full = handleInFull(msg, ctx(z, transport))
        expect(full.kind, what).toBe('reply')
        expect(fast.toString('hex'), what).toBe(
          (full as { message: Buffer }).message.toString('hex'),
        )
      }
      // TXT at the 13 names in the zone, 3 spellings, 6 EDNS forms (BADVERS is declined) = 234,
      // less the apex spelled as the SOA is (6), less over UDP the 600-octet value in the 4
      // forms limited to 512 octets (3 × 4); plus the OPT with DO set.
      expect(answered).toBe(transport === 'udp' ? 217 : 229)
    })
  }

  const z = zone()
  const fast = (msg: Buffer, streamMax: number | null = null) =>
    fastTxtReply(msg, z, UDP_MAX, streamMax)

  it('when the common queries come, then it answers them: hit, NXDOMAIN, NODATA, any case, with or without EDNS', () => {
    for (const name of [
      `alpha._mta-sts.${ORIGIN}`,
      `nobody._mta-sts.${ORIGIN}`,
      `_tls.${ORIGIN}`,
    ]) {
      for (const spelled of spellings(name)) {
        expect(fast(query(spelled, 'TXT')), spelled).not.toBeNull()
        expect(fast(query(spelled, 'TXT', { edns: { size: 1232 } })), spelled).not.toBeNull()
      }
    }
  })

  it('when a query is anything else, then it declines and the general path answers', () => {
    const name = `alpha._mta-sts.${ORIGIN}`
    const declined = [
      query(name, 'A'),
      query(`x${ORIGIN}`, 'TXT'), // REFUSED
      query(ORIGIN, 'TXT'), // the SOA would be pointed at the question
      query(name, 'TXT', { edns: { size: 1232, version: 1 } }),
      variant(query(name, 'TXT'), 'qr'),
      variant(query(name, 'TXT'), 'notify'),
      variant(query(name, 'TXT'), 'trailing'),
      variant(query(name, 'TXT'), 'short'),
    ]
    for (const msg of declined) expect(fast(msg)).toBeNull()
  })

  it('when the answer does not fit the UDP size, then it declines (the general path sets TC)', () => {
    const name = `brand.x.beta._bimi.${ORIGIN}`
    const big = query(name, 'TXT')
    expect(fast(big)).toBeNull()
    expect(fast(query(name, 'TXT', { edns: { size: 1232 } }))).not.toBeNull()
    expect(fast(big, TCP_MESSAGE_MAX)).not.toBeNull()
  })
})
