import { describe, expect, it } from 'vitest'
import { FairQueue } from './fair-queue.js'

describe('FairQueue', () => {
  it('when one owner has a backlog, then another owner is served next in turn', () => {
    const q = new FairQueue<string>()
    for (const j of ['a1', 'a2', 'a3']) q.push('a', j)
    q.push('b', 'b1')
    const order = [q.next(), q.next(), q.next(), q.next(), q.next()]
    expect(order).toEqual(['a1', 'b1', 'a2', 'a3', undefined])
  })

  it('when jobs are taken and finished, then count covers waiting and running jobs', () => {
    const q = new FairQueue<string>()
    q.push('a', 'a1')
    q.push('a', 'a2')
    expect([q.count('a'), q.waiting()]).toEqual([2, 2])
    q.next()
    expect([q.count('a'), q.waiting()]).toEqual([2, 1])
    q.done('a')
    expect([q.count('a'), q.waiting()]).toEqual([1, 1])
  })

  it('when drained, then every waiting job is returned and nothing is left', () => {
    const q = new FairQueue<string>()
    q.push('a', 'a1')
    q.push('b', 'b1')
    q.push('a', 'a2')
    expect(q.drain().sort()).toEqual(['a1', 'a2', 'b1'])
    expect([q.waiting(), q.next()]).toEqual([0, undefined])
  })
})
