import { describe, expect, it } from 'vitest'
import { ByteSlab } from './byte-slab.js'

const decode = (b: Uint8Array) => new TextDecoder().decode(b)

describe('ByteSlab', () => {
  it.each([
    ['ascii', 'version: STSv1\r\nmode: enforce\r\n'],
    ['empty', ''],
    ['multi-byte', 'mx: bücher.example\r\n€ 𝄞'],
  ])('when %s text is encoded, then the view holds exactly its UTF-8', (_, text) => {
    const bytes = new ByteSlab().encode(text)

    expect(Buffer.from(bytes).equals(Buffer.from(text, 'utf8'))).toBe(true)
  })

  it('when many small texts are encoded, then they share slabs and none overwrites another', () => {
    const slab = new ByteSlab(1024)
    const texts = Array.from({ length: 200 }, (_, i) => `policy ${i} ${'é'.repeat(i % 7)}`)
    const views = texts.map((t) => slab.encode(t))

    expect(views.map(decode)).toEqual(texts)
    expect(new Set(views.map((v) => v.buffer)).size).toBeLessThan(20)
  })

  it('when a text is larger than a quarter slab, then it gets its own buffer', () => {
    const slab = new ByteSlab(1024)
    const big = 'x'.repeat(300)
    const small = slab.encode('a')
    const view = slab.encode(big)

    expect(decode(view)).toBe(big)
    expect(view.buffer).not.toBe(small.buffer)
    expect(view.byteLength).toBe(view.buffer.byteLength)
  })
})
