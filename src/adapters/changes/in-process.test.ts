import { describe, expect, it } from 'vitest'
import type { Change } from '../../core/changes.js'
import { createLogger } from '../log/logger.js'
import { inProcessFeed } from './in-process.js'

function setup() {
  const lines: Array<Record<string, unknown>> = []
  const feed = inProcessFeed(createLogger('debug', (l) => lines.push(JSON.parse(l))))
  return { feed, lines }
}

const changed = (domainId: string): Change => ({
  type: 'domain.changed',
  domainId,
  domain: `${domainId}.example`,
  what: 'policy',
})
const tick = () => new Promise((r) => setTimeout(r, 5))

describe('in-process change feed', () => {
  it('when events are published, then every subscriber gets them in publish order', async () => {
    const { feed } = setup()
    const a: string[] = []
    const b: string[] = []
    feed.subscribe((c) => void a.push(c.type === 'domain.changed' ? c.domainId : c.type))
    // An async subscriber whose first event takes longest still receives them in order.
    feed.subscribe(async (c) => {
      b.push(c.type === 'domain.changed' ? c.domainId : c.type)
      if (b.length === 1) await tick()
    })

    await Promise.all([
      feed.publish(changed('1')),
      feed.publish(changed('2')),
      feed.publish({ type: 'reconcile' }),
    ])

    expect(a).toEqual(['1', '2', 'reconcile'])
    expect(b).toEqual(['1', '2', 'reconcile'])
  })

  it('when publish resolves, then every async subscriber has finished with the event', async () => {
    const { feed } = setup()
    let applied = false
    feed.subscribe(async () => {
      await tick()
      applied = true
    })

    await feed.publish(changed('1'))

    expect(applied).toBe(true)
  })

  it('when the same event is published twice, then it is delivered twice (at-least-once, no dedup)', async () => {
    const { feed } = setup()
    const got: Change[] = []
    feed.subscribe((c) => void got.push(c))

    await feed.publish(changed('1'))
    await feed.publish(changed('1'))

    expect(got).toEqual([changed('1'), changed('1')])
  })

  it('when a subscriber throws or rejects, then the others still get the event, publish resolves and the error is logged', async () => {
    const { feed, lines } = setup()
    const got: string[] = []
    feed.subscribe(() => {
      throw new Error('sync boom')
    })
    feed.subscribe(async () => {
      throw new Error('async boom')
    })
    feed.subscribe((c) => void got.push(c.type))

    await expect(feed.publish({ type: 'reconcile' })).resolves.toBeUndefined()
    await feed.publish(changed('1'))

    expect(got).toEqual(['reconcile', 'domain.changed'])
    const failures = lines.filter((l) => l.msg === 'change_subscriber_failed')
    expect(failures.map((l) => [l.change, l.error])).toEqual([
      ['reconcile', 'sync boom'],
      ['reconcile', 'async boom'],
      ['domain.changed', 'sync boom'],
      ['domain.changed', 'async boom'],
    ])
  })

  it('when a subscriber unsubscribes, then it gets nothing more and the others keep theirs', async () => {
    const { feed } = setup()
    const a: string[] = []
    const b: string[] = []
    const stop = feed.subscribe((c) => void a.push(c.type))
    feed.subscribe((c) => void b.push(c.type))

    await feed.publish(changed('1'))
    stop()
    stop()
    await feed.publish({ type: 'reconcile' })

    expect(a).toEqual(['domain.changed'])
    expect(b).toEqual(['domain.changed', 'reconcile'])
  })

  it('when one function subscribes twice and unsubscribes once, then it still gets each event once', async () => {
    const { feed } = setup()
    const got: string[] = []
    const handler = (c: Change) => void got.push(c.type)
    const first = feed.subscribe(handler)
    feed.subscribe(handler)

    await feed.publish({ type: 'reconcile' })
    first()
    await feed.publish({ type: 'reconcile' })

    expect(got).toEqual(['reconcile', 'reconcile', 'reconcile'])
  })

  it('when a subscriber unsubscribes another during delivery, then that event still reaches both', async () => {
    const { feed } = setup()
    const got: string[] = []
    let stopB = () => {}
    feed.subscribe(() => stopB())
    stopB = feed.subscribe(() => void got.push('b'))

    await feed.publish({ type: 'reconcile' })
    await feed.publish({ type: 'reconcile' })

    expect(got).toEqual(['b'])
  })
})
