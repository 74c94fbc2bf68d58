import { afterAll, describe, expect, it } from 'vitest'
import { DomainError } from '../../core/errors.js'
import { createLogger } from '../log/logger.js'
import { WorkerPool } from './pool.js'

const log = createLogger('warn', () => undefined)
const pool = new WorkerPool({
  size: 1,
  timeoutMs: 60_000,
  maxOldMb: 128,
  perTenant: 2,
  maxQueued: 4,
  log,
})
afterAll(() => pool.destroy())

const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="9" height="9"/></svg>'

describe('WorkerPool (real piscina threads)', () => {
  it('when a job succeeds in a worker, then its result crosses back intact', async () => {
    const r = await pool.run('a', { kind: 'convert', svg: LOGO, title: 'T' })
    expect(r.svg).toContain('<title>T</title>')
    expect(r.verdict.valid).toBe(false)
  }, 30_000)

  it('when the input is refused, then the caller gets the DomainError with its code and message', async () => {
    const err = await pool.run('a', { kind: 'convert', svg: '<svg' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DomainError)
    expect(err).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/not well-formed XML/),
    })
  }, 30_000)

  it('when the task fails with a bug, then it stays a plain error (a 500), not a refusal', async () => {
    const err = await pool
      .run('a', { kind: 'convert', svg: 42 as unknown as string })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect(err).not.toBeInstanceOf(DomainError)
  }, 30_000)

  it('when the pool is destroyed, then new jobs are refused with 503 and a retry hint', async () => {
    const other = new WorkerPool({
      size: 1,
      timeoutMs: 1_000,
      maxOldMb: 64,
      perTenant: 1,
      maxQueued: 0,
      log,
    })
    await other.destroy()
    const err = await other.run('a', { kind: 'validate', svg: LOGO }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'UNAVAILABLE', retryAfterSeconds: 5 })
  })
})
