import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  decode,
  ORIGIN,
  query,
  rcodeOf,
  startHarness,
  udpAsk,
  udpCollect,
  type Harness,
} from '../../../test/helpers/dns-kit.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h.close())

const ask = (msg: Buffer) => udpAsk(h.server.udpPort, msg)

/** A query with its header rewritten: flags, counts. */
function withHeader(
  msg: Buffer,
  patch: { flags?: number; qd?: number; an?: number; ns?: number; ar?: number },
): Buffer {
  const out = Buffer.from(msg)
  if (patch.flags !== undefined) out.writeUInt16BE(patch.flags, 2)
  if (patch.qd !== undefined) out.writeUInt16BE(patch.qd, 4)
  if (patch.an !== undefined) out.writeUInt16BE(patch.an, 6)
  if (patch.ns !== undefined) out.writeUInt16BE(patch.ns, 8)
  if (patch.ar !== undefined) out.writeUInt16BE(patch.ar, 10)
  return out
}

const good = () => query(`alpha._mta-sts.${ORIGIN}`, 'TXT', { id: 0x1234 })

describe('UDP query handling', () => {
  it('when a TXT record is asked in mixed case, then it is answered authoritatively with the spelling echoed', async () => {
    const name = `Alpha._MTA-STS.${ORIGIN.toUpperCase()}`
    const reply = await ask(query(name, 'TXT', { id: 7 }))
    const msg = decode(reply!)
    expect(msg.id).toBe(7)
    expect(msg.flag_qr).toBe(true)
    expect(msg.flag_aa).toBe(true)
    expect(msg.flag_rd).toBe(true)
    expect(msg.flag_ra).toBe(false)
    expect(msg.questions).toEqual([{ name, type: 'TXT', class: 'IN' }])
    expect(msg.answers?.map((a) => a.name)).toEqual([name])
    expect(String((msg.answers?.[0] as { data: Buffer[] }).data[0])).toBe('v=STSv1; id=20261206')
  })

  it('when a TXT record is answered, then its owner is a pointer to the question (RFC 1035 §4.1.4)', async () => {
    const name = `alpha._mta-sts.${ORIGIN}`
    const q = query(name, 'TXT')
    const reply = (await ask(q))!
    // The question is echoed right after the header; the answer starts with 0xC00C.
    const questionEnd = q.length
    expect(reply.subarray(12, questionEnd)).toEqual(q.subarray(12))
    expect(reply.readUInt16BE(questionEnd)).toBe(0xc00c)
    expect(decode(reply).answers).toMatchObject([{ name, type: 'TXT', class: 'IN', ttl: 300 }])
  })

  it('when RD is clear, then it stays clear in the reply', async () => {
    const msg = decode((await ask(query(ORIGIN, 'SOA', { rd: false })))!)
    expect(msg.flag_rd).toBe(false)
    expect(msg.answers?.[0]?.type).toBe('SOA')
  })

  it('when a name in the zone does not exist, then NXDOMAIN with the SOA in authority', async () => {
    const reply = (await ask(query(`nothing.${ORIGIN}`, 'TXT')))!
    expect(rcodeOf(reply)).toBe(3)
    expect(decode(reply).authorities?.[0]?.type).toBe('SOA')
  })

  it('when a name outside the zone is asked, then REFUSED without AA', async () => {
    const reply = (await ask(query('example.com', 'A')))!
    expect(rcodeOf(reply)).toBe(5)
    expect(decode(reply).flag_aa).toBe(false)
  })

  it('when the query name has a dot or a high octet inside a label, then it is echoed byte for byte and matches nothing', async () => {
    const origin = Buffer.concat(
      ORIGIN.split('.').map((l) => Buffer.from([l.length, ...Buffer.from(l)])),
    )
    const qname = Buffer.concat([Buffer.from([3, 0x61, 0x2e, 0xff]), origin, Buffer.from([0])])
    const header = Buffer.from([0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    const msg = Buffer.concat([header, qname, Buffer.from([0, 16, 0, 1])])
    const reply = (await ask(msg))!
    expect(rcodeOf(reply)).toBe(3)
    expect(reply.subarray(12, 12 + qname.length + 4)).toEqual(msg.subarray(12))
  })

  it.for([
    ['shorter than a header', Buffer.from([1, 2, 3])],
    ['a response (QR=1)', withHeader(query(ORIGIN, 'SOA'), { flags: 0x8000 })],
  ] as const)('when the message is %s, then nothing is sent back', async ([, msg]) => {
    expect(await udpAsk(h.server.udpPort, msg, { waitMs: 150 })).toBeNull()
  })

  const q = good()
  const qnameEnd = q.length // no additionals: the question ends the message
  const selfPointer = Buffer.concat([
    withHeader(q, { ar: 1 }),
    Buffer.from([0xc0, qnameEnd, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]), // name points at itself
  ])
  const forward = Buffer.concat([
    withHeader(q, { ar: 1 }),
    Buffer.from([0xc0, qnameEnd + 4, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]), // points ahead
  ])
  // Backward pointers that lead to more pointers are legal, and dns-packet follows them.
  const chain = Buffer.concat([
    withHeader(q, { ar: 2 }),
    Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 1]),
    Buffer.from([0xc0, qnameEnd, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 2]),
  ])
  it.for([
    ['truncated in the question', q.subarray(0, 20)],
    ['truncated after the name', q.subarray(0, q.length - 2)],
    [
      'a pointer in the question',
      Buffer.concat([q.subarray(0, 12), Buffer.from([0xc0, 0x00, 0, 1, 0, 1])]),
    ],
    ['a record whose name points at itself', selfPointer],
    ['a record whose name points forward', forward],
    ['a bad label type', Buffer.concat([q.subarray(0, 12), Buffer.from([0x41, 0, 0, 1, 0, 1])])],
    [
      'garbage after the header',
      Buffer.concat([q.subarray(0, 12), Buffer.from('\x3f\xff\xfe garbage')]),
    ],
    ['no question (QDCOUNT 0)', withHeader(q, { qd: 0 })],
    ['two questions (QDCOUNT 2)', withHeader(q, { qd: 2 })],
    ['65535 answer records claimed', withHeader(q, { an: 0xffff, ns: 0xffff, ar: 0xffff })],
    [
      'a 256-octet name',
      Buffer.concat([
        q.subarray(0, 12),
        Buffer.from(
          Array(5)
            .fill([63, ...Array(63).fill(0x61)])
            .flat(),
        ),
        Buffer.from([0, 0, 1, 0, 1]),
      ]),
    ],
  ] as const)(
    'when the message has %s, then FORMERR echoing id and opcode, no question',
    async ([, msg]) => {
      const reply = (await ask(msg))!
      expect(reply.readUInt16BE(0)).toBe(0x1234)
      expect(rcodeOf(reply)).toBe(1)
      expect((reply.readUInt16BE(2) >> 11) & 0xf).toBe(0)
      expect(reply.readUInt16BE(4)).toBe(0)
    },
  )

  it('when a record name is a chain of backward pointers, then the query is still answered', async () => {
    const reply = (await ask(chain))!
    expect(rcodeOf(reply)).toBe(0)
    expect(decode(reply).answers).toHaveLength(1)
  })

  it.for([
    ['IQUERY', 1],
    ['STATUS', 2],
    ['UPDATE', 5],
    ['opcode 15', 15],
  ] as const)('when the opcode is %s, then NOTIMP with that opcode', async ([, opcode]) => {
    const reply = (await ask(withHeader(good(), { flags: opcode << 11 })))!
    expect(rcodeOf(reply)).toBe(4)
    expect((reply.readUInt16BE(2) >> 11) & 0xf).toBe(opcode)
    expect(reply.readUInt16BE(0)).toBe(0x1234)
  })

  it('when a NOTIFY arrives, then REFUSED: we are the primary (RFC 1996)', async () => {
    const reply = (await ask(withHeader(query(ORIGIN, 'SOA'), { flags: (4 << 11) | 0x400 })))!
    expect(rcodeOf(reply)).toBe(5)
    expect((reply.readUInt16BE(2) >> 11) & 0xf).toBe(4)
  })

  it('when AXFR is asked over UDP, even from an allowed source, then NOTIMP (RFC 5936 §4.2)', async () => {
    const reply = (await ask(query(ORIGIN, 'AXFR')))!
    expect(rcodeOf(reply)).toBe(4)
    expect(decode(reply).answers).toEqual([])
  })

  it('when a flood of 2,000 junk datagrams arrives, then a good query after it is still answered', async () => {
    const junk: Buffer[] = []
    for (let i = 0; i < 2000; i++) {
      const kind = i % 4
      if (kind === 0)
        junk.push(Buffer.from([i & 0xff, 1, 2])) // short
      else if (kind === 1)
        junk.push(withHeader(good(), { qd: 0xffff, an: 0xffff })) // counts
      else if (kind === 2) junk.push(selfPointer)
      else junk.push(Buffer.from(Array.from({ length: 64 }, (_, j) => (i * 31 + j * 7) & 0xff)))
    }
    await udpCollect(h.server.udpPort, junk, { waitMs: 50 })
    // The kernel may drop datagrams while its buffer is full of junk: ask until answered.
    let reply: Buffer | null = null
    for (let attempt = 0; reply === null && attempt < 5; attempt++) {
      reply = await udpAsk(h.server.udpPort, good(), { waitMs: 150 })
    }
    expect(rcodeOf(reply!)).toBe(0)
    expect(h.lines.join('\n')).not.toContain('garbage')
  })
})

describe('internal failures', () => {
  it('when answering throws, then SERVFAIL, logged at debug without the packet, and the server keeps serving', async () => {
    let broken = true
    const zone = h.holder.zone
    const other = await startHarness({
      zone: () => {
        if (broken) throw new Error('zone unavailable')
        return zone
      },
    })
    try {
      const reply = (await udpAsk(other.server.udpPort, good()))!
      expect(rcodeOf(reply)).toBe(2)
      expect(reply.readUInt16BE(0)).toBe(0x1234)
      const line = other.lines.find((l) => l.includes('dns_query_failed'))
      expect(JSON.parse(line!)).toMatchObject({
        level: 'debug',
        id: 0x1234,
        error: 'zone unavailable',
      })
      expect(line).not.toContain('_mta-sts')
      broken = false
      expect(rcodeOf((await udpAsk(other.server.udpPort, good()))!)).toBe(0)
    } finally {
      await other.close()
    }
  })
})

describe('UDP query handling while the zone loads', () => {
  it('when the zone is not loaded yet, then queries get SERVFAIL, never an NXDOMAIN a resolver would cache', async () => {
    const loading = await startHarness({ zone: () => null })
    try {
      const reply = await udpAsk(loading.server.udpPort, query(`alpha._mta-sts.${ORIGIN}`, 'TXT'))
      expect(rcodeOf(reply!)).toBe(2)
      expect(decode(reply!).answers).toEqual([])
    } finally {
      await loading.close()
    }
  })
})
