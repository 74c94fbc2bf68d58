import { afterEach, describe, expect, it } from 'vitest'
import { decodeCursor } from '../../core/cursor.js'
import { serviceWorld, type ServiceWorld, failure } from '../../../test/helpers/services.js'
import { authenticate } from './auth.js'
import { createToken, listTokens, revokeToken, rotateToken } from './tokens.js'

let world: ServiceWorld
afterEach(() => world.close())

describe('createToken', () => {
  it('when a tenant creates a token, then it authenticates as that tenant and only its hash is stored', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')

    const t = await createToken(world.deps, a.actor, { label: '  ci deploy  ' })

    expect(t).toMatchObject({ tenantId: a.id, label: 'ci deploy' })
    expect(await authenticate(world.deps, t.token)).toEqual({
      kind: 'tenant',
      tenantId: a.id,
      tokenId: t.id,
    })
    const dump = await world.store.sql('SELECT * FROM api_tokens')
    expect(JSON.stringify(dump)).not.toContain(t.token)
    expect(await world.audit('token.create')).toMatchObject([
      { tenantId: a.id, actorTokenId: 't-alpha', subject: t.id, detail: { label: 'ci deploy' } },
    ])
  })

  it.each([
    ['another tenant', (other: string) => ({ label: 'x', tenantId: other })],
    ['an operator token', () => ({ label: 'x', operator: true as const })],
  ])('when a tenant asks for %s, then FORBIDDEN', async (_, input) => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    const b = await world.tenant('beta')

    const err = await failure(createToken(world.deps, a.actor, input(b.id)))

    expect(err.code).toBe('FORBIDDEN')
    expect(await world.audit('token.create')).toEqual([])
  })

  it.each([
    ['neither tenantId nor operator', () => ({}), 'give exactly one of tenantId'],
    [
      'both tenantId and operator',
      (id: string) => ({ tenantId: id, operator: true as const }),
      'give exactly one',
    ],
    ['an unknown tenant', () => ({ tenantId: 'no-such-tenant' }), 'no such tenant'],
  ])('when the operator gives %s, then VALIDATION on tenantId', async (_, extra, message) => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')

    const err = await failure(
      createToken(world.deps, world.operator, { label: 'x', ...extra(a.id) }),
    )

    expect(err.code).toBe('VALIDATION')
    expect(err.issues[0]?.path).toBe('tenantId')
    expect(err.issues[0]?.message).toContain(message)
  })

  it('when the operator asks for an operator token, then it authenticates as the operator', async () => {
    world = await serviceWorld()

    const t = await createToken(world.deps, world.operator, { label: 'backup', operator: true })

    expect(t.tenantId).toBeNull()
    expect(await authenticate(world.deps, t.token)).toEqual({ kind: 'operator', tokenId: t.id })
  })

  it.each([
    ['empty', '   '],
    ['a newline', 'ci\ndeploy'],
    ['a bidi override', 'ci\u202Edeploy'],
    ['a zero-width space', 'ci\u200Bdeploy'],
    ['too long', 'x'.repeat(101)],
  ])(
    'when the label is %s, then VALIDATION on label (the CLI passes labels straight in)',
    async (_, label) => {
      world = await serviceWorld()
      const a = await world.tenant('alpha')

      const err = await failure(createToken(world.deps, a.actor, { label }))

      expect(err.code).toBe('VALIDATION')
      expect(err.issues[0]?.path).toBe('label')
    },
  )
})

describe('revokeToken and rotateToken', () => {
  it('when a tenant revokes its token, then it stops working, audited; revoking again is a quiet no-op', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    const t = await createToken(world.deps, a.actor, { label: 'x' })

    await revokeToken(world.deps, a.actor, t.id)
    await revokeToken(world.deps, a.actor, t.id)

    expect((await failure(authenticate(world.deps, t.token))).code).toBe('UNAUTHORIZED')
    expect(await world.audit('token.revoke')).toMatchObject([{ tenantId: a.id, subject: t.id }])
  })

  it("when a tenant revokes or rotates another tenant's token, then NOT_FOUND and the token still works", async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    const b = await world.tenant('beta')
    const t = await createToken(world.deps, a.actor, { label: 'x' })

    const revoke = await failure(revokeToken(world.deps, b.actor, t.id))
    const rotate = await failure(rotateToken(world.deps, b.actor, t.id))

    expect([revoke.code, rotate.code]).toEqual(['NOT_FOUND', 'NOT_FOUND'])
    expect(revoke.message).toBe(`token "${t.id}" not found`)
    expect((await authenticate(world.deps, t.token)).kind).toBe('tenant')
  })

  it('when a token is rotated, then the new secret works with the same label and tenant, and the old one is revoked', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    const t = await createToken(world.deps, a.actor, { label: 'deploy' })

    const next = await rotateToken(world.deps, a.actor, t.id)

    expect(next).toMatchObject({ tenantId: a.id, label: 'deploy', replaces: t.id })
    expect(next.id).not.toBe(t.id)
    expect(await authenticate(world.deps, next.token)).toMatchObject({ tokenId: next.id })
    expect((await failure(authenticate(world.deps, t.token))).code).toBe('UNAUTHORIZED')
    expect(await world.audit('token.rotate')).toMatchObject([
      { tenantId: a.id, subject: t.id, detail: { newId: next.id } },
    ])
  })

  it('when a revoked token is rotated, then CONFLICT and no new token exists', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    const t = await createToken(world.deps, a.actor, { label: 'x' })
    await revokeToken(world.deps, a.actor, t.id)

    const err = await failure(rotateToken(world.deps, a.actor, t.id))

    expect(err.code).toBe('CONFLICT')
    expect((await listTokens(world.deps, a.actor, {})).items).toHaveLength(2)
  })

  it("when the operator revokes a tenant's token, then it stops working", async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    const t = await createToken(world.deps, a.actor, { label: 'x' })

    await revokeToken(world.deps, world.operator, t.id)

    expect((await failure(authenticate(world.deps, t.token))).code).toBe('UNAUTHORIZED')
  })
})

describe('listTokens', () => {
  it('when tenants list tokens, then each sees only its own; the operator sees all or one tenant', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    const b = await world.tenant('beta')
    world.clock.advance(1)
    await createToken(world.deps, a.actor, { label: 'a-extra' })

    const labels = async (actor: typeof a.actor, tenantId?: string) =>
      (await listTokens(world.deps, actor, { tenantId })).items.map((t) => t.label)

    expect(await labels(a.actor)).toEqual(['initial', 'a-extra'])
    expect(await labels(b.actor)).toEqual(['initial'])
    expect(await labels(world.operator)).toHaveLength(3)
    expect(await labels(world.operator, b.id)).toEqual(['initial'])
    expect((await failure(listTokens(world.deps, a.actor, { tenantId: b.id }))).code).toBe(
      'FORBIDDEN',
    )
    // Never a secret or a hash.
    const [first] = (await listTokens(world.deps, a.actor, {})).items
    expect(Object.keys(first!).sort()).toEqual(
      ['createdAt', 'id', 'label', 'lastUsedAt', 'revokedAt', 'tenantId'].sort(),
    )
  })

  it('when there are more tokens than a page, then the cursor continues oldest first without repeats', async () => {
    world = await serviceWorld()
    const a = await world.tenant('alpha')
    for (const label of ['t1', 't2', 't3', 't4']) {
      world.clock.advance(1)
      await createToken(world.deps, a.actor, { label })
    }

    const p1 = await listTokens(world.deps, a.actor, { limit: 2 })
    const p2 = await listTokens(world.deps, a.actor, {
      limit: 2,
      cursor: decodeCursor(p1.nextCursor!)!,
    })
    const p3 = await listTokens(world.deps, a.actor, {
      limit: 2,
      cursor: decodeCursor(p2.nextCursor!)!,
    })

    expect([...p1.items, ...p2.items, ...p3.items].map((t) => t.label)).toEqual([
      'initial',
      't1',
      't2',
      't3',
      't4',
    ])
    expect(p3.nextCursor).toBeNull()
  })
})
