import { describe, expect, it } from 'vitest'
import { batchedSink } from './batched-sink.js'

function harness() {
  const written: string[] = []
  const queued: Array<() => void> = []
  const b = batchedSink(
    (text) => written.push(text),
    (fn) => queued.push(fn),
  )
  const turn = () => queued.splice(0).forEach((fn) => fn())
  return { ...b, written, queued, turn }
}

describe('batchedSink', () => {
  it('when lines arrive in one turn, then they are written together once the turn ends', () => {
    const h = harness()
    h.sink('{"a":1}')
    h.sink('{"b":2}')

    expect(h.written).toEqual([])
    expect(h.queued).toHaveLength(1)
    h.turn()
    expect(h.written).toEqual(['{"a":1}\n{"b":2}\n'])
  })

  it('when lines arrive in two turns, then each turn gets its own write', () => {
    const h = harness()
    h.sink('one')
    h.turn()
    h.sink('two')
    h.turn()

    expect(h.written).toEqual(['one\n', 'two\n'])
  })

  it('when flushed before the turn ends (process exit), then pending lines are written once', () => {
    const h = harness()
    h.sink('last words')
    h.flush()
    h.turn()
    h.flush()

    expect(h.written).toEqual(['last words\n'])
  })

  it('when 64 KiB pile up within one turn, then they are written at once', () => {
    const h = harness()
    const line = 'x'.repeat(1023)
    for (let i = 0; i < 64; i++) h.sink(line)

    expect(h.written).toHaveLength(1)
    expect(h.written[0]).toHaveLength(64 * 1024)
    h.sink('after')
    h.turn()
    expect(h.written).toEqual([line.concat('\n').repeat(64), 'after\n'])
  })
})
