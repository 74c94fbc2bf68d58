import { describe, expect, it } from 'vitest'
import { encodeReply, readHeader, readQuestion } from './wire.js'

const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])
const q = (...bytes: number[]) => Buffer.concat([header, Buffer.from(bytes)])

describe('readHeader', () => {
  it('when shorter than 12 octets, then null', () => {
    expect(readHeader(Buffer.alloc(11))).toBeNull()
  })

  it('when a header is given, then its fields', () => {
    expect(readHeader(header)).toEqual({
      id: 0x1234,
      qr: false,
      opcode: 0,
      rd: true,
      qdcount: 1,
      ancount: 0,
      nscount: 0,
      arcount: 0,
    })
  })
})

describe('readQuestion', () => {
  it.for([
    ['the root', [0, 0, 6, 0, 1], '', 6],
    ['a mixed-case name', [2, 0x41, 0x62, 3, 0x63, 0x6f, 0x6d, 0, 0, 16, 0, 1], 'Ab.com', 16],
    [
      'a label with a dot, a backslash and a space',
      [3, 0x2e, 0x5c, 0x20, 0, 0, 1, 0, 1],
      '\\046\\092\\032',
      1,
    ],
  ] as const)('when the name is %s, then it reads as %j', ([, bytes, name, type]) => {
    const got = readQuestion(q(...bytes))
    expect(got).toMatchObject({ name, type, class: 1 })
    expect(got?.bytes).toEqual(Buffer.from(bytes))
  })

  it.for([
    ['a compression pointer', [0xc0, 0, 0, 1, 0, 1]],
    ['an extended label type', [0x41, 0, 0, 1, 0, 1]],
    ['a label running past the end', [9, 0x61, 0]],
    ['no type and class', [1, 0x61, 0, 0, 1]],
    ['nothing', []],
    [
      'a 256-octet name',
      [
        ...Array(4)
          .fill([63, ...Array(63).fill(0x61)])
          .flat(),
        2,
        0x61,
        0x61,
        0,
        0,
        1,
        0,
        1,
      ],
    ],
  ] as const)('when the question has %s, then null', ([, bytes]) => {
    expect(readQuestion(q(...bytes))).toBeNull()
  })

  it('when the name is exactly 255 octets, then it is read', () => {
    const labels = [
      ...Array(3)
        .fill([63, ...Array(63).fill(0x61)])
        .flat(),
      61,
      ...Array(61).fill(0x62),
    ]
    expect(readQuestion(q(...labels, 0, 0, 1, 0, 1))).not.toBeNull()
  })
})

describe('encodeReply', () => {
  it('when BADVERS (16) is encoded, then the header holds the low 4 bits and the OPT the rest', () => {
    const msg = encodeReply({ id: 1, opcode: 0, rcode: 16, edns: { udpPayloadSize: 1232 } })
    expect(msg.readUInt16BE(2) & 0xf).toBe(0)
    expect(msg.readUInt16BE(2) & 0x8000).toBe(0x8000)
    // OPT: root name, type 41, size, extended rcode 1
    expect([...msg.subarray(12, 18)]).toEqual([0, 0, 41, 0x04, 0xd0, 1])
  })

  it('when a question is given, then it is spliced in verbatim and QDCOUNT is 1', () => {
    const question = Buffer.from([1, 0x41, 0, 0, 1, 0, 1])
    const msg = encodeReply({ id: 2, opcode: 0, rcode: 0, question })
    expect(msg.readUInt16BE(4)).toBe(1)
    expect(msg.subarray(12)).toEqual(question)
  })
})
