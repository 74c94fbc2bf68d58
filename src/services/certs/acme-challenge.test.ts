import { afterEach, describe, expect, it } from 'vitest'
import { serviceWorld, START, type ServiceWorld } from '../../../test/helpers/services.js'
import { challengeAnswer } from './acme-challenge.js'

let world: ServiceWorld
afterEach(() => world.close())

const TOKEN = 'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA'

describe('challengeAnswer', () => {
  it('when a stored token is asked for before it expires, then its key authorization; after, nothing', async () => {
    world = await serviceWorld()
    await world.deps.repos.challenges.put(
      TOKEN,
      `${TOKEN}.thumb`,
      new Date(START.getTime() + 60_000),
    )

    expect(await challengeAnswer(world.deps, TOKEN)).toBe(`${TOKEN}.thumb`)
    world.clock.advance(61)
    expect(await challengeAnswer(world.deps, TOKEN)).toBeNull()
  })

  // A stored row under a name that is not base64url is never handed out (RFC 8555 §8.3).
  it.each([
    ['an unknown token', TOKEN, 'unknown-token'],
    ['a path with dots, even if stored', '../etc/passwd', '../etc/passwd'],
    ['an empty token', '', ''],
    ['a token over 256 characters, even if stored', 'a'.repeat(257), 'a'.repeat(257)],
  ])('when asked for %s, then nothing', async (_, stored, asked) => {
    world = await serviceWorld()
    await world.deps.repos.challenges.put(stored, 'secret', new Date(START.getTime() + 60_000))

    expect(await challengeAnswer(world.deps, asked)).toBeNull()
  })
})
