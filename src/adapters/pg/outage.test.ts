/**
 * While PostgreSQL is away every repository call answers UNAVAILABLE (the API's 503 with
 * Retry-After), never an internal error, and the same pool works again once it is back.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { DomainError } from '../../core/errors.js'
import {
  SKIP_POSTGRES,
  SKIP_POSTGRES_NOTE,
  startPostgres,
  type TestPostgres,
} from '../../../test/helpers/postgres.js'
import { migratePostgres, openPostgres, type OpenPg } from './database.js'
import { isOutage } from './outage.js'
import { pgRepos } from './repos/index.js'

const audit = {
  at: new Date(),
  tenantId: null,
  actorTokenId: null,
  action: 'tenant.create',
  subject: 't',
}

describe.skipIf(SKIP_POSTGRES)(`PostgreSQL outage${SKIP_POSTGRES_NOTE}`, () => {
  let server: TestPostgres
  let open: OpenPg
  beforeAll(async () => {
    server = await startPostgres()
    open = openPostgres(server.url, { connectTimeoutMs: 1000 })
    await migratePostgres(open)
  })
  afterAll(async () => {
    await open?.close()
    await server?.stop()
  })

  test('when the server is stopped, then reads and writes answer UNAVAILABLE, and work again once it is back', async () => {
    const repos = pgRepos(open)
    await repos.tenants.create({ id: 't1', name: 'before', createdAt: new Date() }, null, audit)
    await server.stopForAWhile()
    const write = await repos.tenants
      .create({ id: 't2', name: 'during', createdAt: new Date() }, null, audit)
      .catch((e: unknown) => e)
    const read = await repos.tenants.list().catch((e: unknown) => e)
    for (const err of [write, read]) {
      expect(err).toBeInstanceOf(DomainError)
      expect(err).toMatchObject({ code: 'UNAVAILABLE', retryAfterSeconds: 5 })
      expect((err as Error).message).not.toMatch(/127\\.0\\.0\\.1|ECONN|postgres/)
    }
    await server.restart()
    await repos.tenants.create({ id: 't3', name: 'after', createdAt: new Date() }, null, audit)
    expect((await repos.tenants.list()).map((t) => t.name)).toEqual(['after', 'before'])
  })

  test.each([
    [{ code: 'ECONNREFUSED' }, true],
    [{ code: '57P01' }, true],
    [{ code: '08006' }, true],
    [{ code: '40P01' }, true],
    [{ message: 'Connection terminated unexpectedly' }, true],
    [{ message: 'Failed query', cause: { code: 'ECONNRESET' } }, true],
    [{ code: '23505' }, false],
    [{ code: '42P01' }, false],
    [new Error('bug'), false],
  ])('when the error is %o, then it is an outage: %s', (err, expected) => {
    expect(isOutage(err)).toBe(expected)
  })
})
