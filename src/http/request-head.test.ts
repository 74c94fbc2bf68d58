import { describe, expect, it } from 'vitest'
import { MAX_HEAD_BYTES, scanHead } from './request-head.js'

const P = '/.well-known/mta-sts.txt'
const H = 'mta-sts.example.com'
const scan = (text: string, at = 0) => scanHead(Buffer.from(text, 'latin1'), at)

describe('scanHead: the heads the policy front answers', () => {
  it.each([
    ['GET, Host only', `GET ${P} HTTP/1.1\r\nHost: ${H}\r\n\r\n`, 'GET', H, false],
    ['HEAD', `HEAD ${P} HTTP/1.1\r\nHost: ${H}\r\n\r\n`, 'HEAD', H, false],
    ['lower-case name, no space', `GET ${P} HTTP/1.1\r\nhost:${H}\r\n\r\n`, 'GET', H, false],
    ['OWS around the value', `GET ${P} HTTP/1.1\r\nHost: \t${H} \t\r\n\r\n`, 'GET', H, false],
    ['a port in Host', `GET ${P} HTTP/1.1\r\nHost: ${H}:443\r\n\r\n`, 'GET', `${H}:443`, false],
    [
      'other fields (a sender)',
      `GET ${P} HTTP/1.1\r\nUser-Agent: postfix-mta-sts-resolver\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\nHost: ${H}\r\n\r\n`,
      'GET',
      H,
      false,
    ],
    [
      'Connection: close',
      `GET ${P} HTTP/1.1\r\nHost: ${H}\r\nConnection: Close\r\n\r\n`,
      'GET',
      H,
      true,
    ],
    [
      'Connection: keep-alive',
      `GET ${P} HTTP/1.1\r\nHost: ${H}\r\nConnection: keep-alive\r\n\r\n`,
      'GET',
      H,
      false,
    ],
  ])('%s', (_, text, method, host, close) => {
    const r = scan(text)
    expect(r).toEqual({ kind: 'policy', method, host, close, end: text.length })
  })

  it('when X-Request-Id is sent once, then it is read; twice, then not', () => {
    const once = scan(`GET ${P} HTTP/1.1\r\nHost: ${H}\r\nX-Request-Id: abc-1\r\n\r\n`)
    expect(once.kind === 'policy' && once.requestId).toBe('abc-1')
    const twice = scan(
      `GET ${P} HTTP/1.1\r\nHost: ${H}\r\nX-Request-Id: a\r\nx-request-id: b\r\n\r\n`,
    )
    expect(twice.kind === 'policy' && twice.requestId).toBeUndefined()
  })

  it('when requests are pipelined, then each is read from where the last ended', () => {
    const one = `GET ${P} HTTP/1.1\r\nHost: ${H}\r\n\r\n`
    const two = `HEAD ${P} HTTP/1.1\r\nHost: b.example\r\n\r\n`
    const first = scan(one + two)
    expect(first).toMatchObject({ kind: 'policy', end: one.length })
    expect(scan(one + two, one.length)).toMatchObject({
      kind: 'policy',
      method: 'HEAD',
      host: 'b.example',
      end: one.length + two.length,
    })
  })
})

describe("scanHead: what is left to node's parser", () => {
  it.each([
    ['another path', `GET /other HTTP/1.1\r\nHost: ${H}\r\n\r\n`],
    ['a query', `GET ${P}?x HTTP/1.1\r\nHost: ${H}\r\n\r\n`],
    ['absolute-form', `GET https://${H}${P} HTTP/1.1\r\nHost: ${H}\r\n\r\n`],
    ['POST', `POST ${P} HTTP/1.1\r\nHost: ${H}\r\n\r\n`],
    ['lower-case method', `get ${P} HTTP/1.1\r\nHost: ${H}\r\n\r\n`],
    ['HTTP/1.0', `GET ${P} HTTP/1.0\r\nHost: ${H}\r\n\r\n`],
    ['two spaces', `GET  ${P} HTTP/1.1\r\nHost: ${H}\r\n\r\n`],
    ['no Host', `GET ${P} HTTP/1.1\r\nAccept: */*\r\n\r\n`],
    ['two Host fields', `GET ${P} HTTP/1.1\r\nHost: ${H}\r\nHost: b.example\r\n\r\n`],
    ['a partial head', `GET ${P} HTTP/1.1\r\nHost: ${H}\r\n`],
    ['a partial line', `GET ${P} HTTP/1.1\r\nHost: ${H}`],
    ['a partial request line', `GET ${P} HT`],
    ['bare LF', `GET ${P} HTTP/1.1\nHost: ${H}\n\n`],
    ['bare LF in a field', `GET ${P} HTTP/1.1\r\nHost: ${H}\nX: y\r\n\r\n`],
    ['bare CR in a value', `GET ${P} HTTP/1.1\r\nHost: ${H}\rX: y\r\n\r\n`],
    ['obs-fold', `GET ${P} HTTP/1.1\r\nHost: ${H}\r\nX-A: a\r\n b\r\n\r\n`],
    ['space before the colon', `GET ${P} HTTP/1.1\r\nHost : ${H}\r\n\r\n`],
    ['an empty name', `GET ${P} HTTP/1.1\r\n: x\r\nHost: ${H}\r\n\r\n`],
    ['a name with a non-tchar', `GET ${P} HTTP/1.1\r\nX(y): 1\r\nHost: ${H}\r\n\r\n`],
    ['obs-text in a value', `GET ${P} HTTP/1.1\r\nHost: ${H}\r\nX: caf\xe9\r\n\r\n`],
    ['NUL in a value', `GET ${P} HTTP/1.1\r\nHost: ${H}\r\nX: a\x00b\r\n\r\n`],
    ['Content-Length', `GET ${P} HTTP/1.1\r\nHost: ${H}\r\nContent-Length: 5\r\n\r\nhello`],
    [
      'Transfer-Encoding',
      `GET ${P} HTTP/1.1\r\nHost: ${H}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    ],
    ['Expect', `GET ${P} HTTP/1.1\r\nHost: ${H}\r\nExpect: 100-continue\r\n\r\n`],
    ['Upgrade', `GET ${P} HTTP/1.1\r\nHost: ${H}\r\nUpgrade: h2c\r\n\r\n`],
    ['TE', `GET ${P} HTTP/1.1\r\nHost: ${H}\r\nTE: trailers\r\n\r\n`],
    ['Connection: upgrade', `GET ${P} HTTP/1.1\r\nHost: ${H}\r\nConnection: upgrade\r\n\r\n`],
    ['Connection with a list', `GET ${P} HTTP/1.1\r\nHost: ${H}\r\nConnection: close, x\r\n\r\n`],
  ])('%s', (_, text) => {
    expect(scan(text)).toEqual({ kind: 'other' })
  })

  it('when the head is longer than MAX_HEAD_BYTES, then it is not read', () => {
    const filler = `X-Filler: ${'a'.repeat(MAX_HEAD_BYTES)}\r\n`
    expect(scan(`GET ${P} HTTP/1.1\r\nHost: ${H}\r\n${filler}\r\n`)).toEqual({ kind: 'other' })
    const fits = `X-Filler: ${'a'.repeat(MAX_HEAD_BYTES - 200)}\r\n`
    expect(scan(`GET ${P} HTTP/1.1\r\nHost: ${H}\r\n${fits}\r\n`).kind).toBe('policy')
  })
})
