import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  contended,
  openTestStore,
  STORE_KINDS,
  type TestStore,
} from '../../../../test/helpers/repo-stores.js'
import type { AlertRepo } from '../../../core/alerts/alert-ports.js'
import { alertRepo as sqliteAlertRepo } from '../../db/repos/alerts.js'
import { alertRepo } from './alerts.js'

const T0 = new Date('2026-12-01T10:00:00Z')
const at = (ms: number) => new Date(T0.getTime() + ms)
const MINUTE = 60_000

describe.each(STORE_KINDS)('AlertRepo (%s store)', (kind) => {
  let store: TestStore
  let repo: AlertRepo
  let ids = 0
  const newId = () => `dl${++ids}`
  beforeEach(async () => {
    store = await openTestStore(kind)
    ids = 0
    await store.sql("INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'alpha', 0)")
    await store.sql("INSERT INTO tenants (id, name, created_at) VALUES ('t2', 'bravo', 0)")
    repo = store.kind === 'sqlite' ? sqliteAlertRepo(store.sqlite) : alertRepo(store.pg.db)
  })
  afterEach(() => store.close())

  const hook = (id: string, tenantId = 't1', ms = 0) => ({
    id,
    tenantId,
    url: `https://hooks.example/${id}`,
    secret: `secret-${id}`,
    createdAt: at(ms),
  })
  const contact = (id: string, tenantId = 't1', ms = 0) => ({
    id,
    tenantId,
    email: `${id}@mail.example`,
    confirmedAt: null,
    createdAt: at(ms),
    confirmHash: `hash-${id}`,
  })
  const event = (tenantId: string, key: string, ms = 0) =>
    store.sql(
      "INSERT INTO finding_events (tenant_id, domain_id, domain, change, key, kind, severity, message, at) VALUES (?, 'd1', 'alpha.example', 'opened', ?, 'mx', 'error', 'a message', ?)",
      tenantId,
      key,
      at(ms).getTime(),
    )
  /** t1: webhook w1 and confirmed contact c1 (c2 unconfirmed); t2: webhook w2. */
  const targets = async () => {
    await repo.addWebhook(hook('w1'))
    await repo.addWebhook(hook('w2', 't2'))
    await repo.addContact(contact('c1'))
    await repo.addContact(contact('c2'))
    await repo.confirmContact('c1', at(1))
  }
  const count = async () =>
    (await store.sql<{ n: number }>('SELECT count(*) AS n FROM alert_deliveries'))[0]!.n

  it('when webhooks are added and removed, then the tenant lists its own, secrets only for sending', async () => {
    await repo.addWebhook(hook('wB', 't1', 1000))
    await repo.addWebhook(hook('wA', 't1', 0))
    await repo.addWebhook(hook('wC', 't2'))

    const { secret: _s, ...shown } = hook('wA')
    expect((await repo.webhooks('t1')).map((w) => w.id)).toEqual(['wA', 'wB'])
    expect((await repo.webhooks('t1'))[0]).toEqual(shown)
    expect((await repo.webhookTargets('t1'))[0]).toEqual(hook('wA'))
    expect(await repo.removeWebhook('t2', 'wA')).toBe(false)
    expect(await repo.removeWebhook('t1', 'wA')).toBe(true)
    expect(await repo.removeWebhook('t1', 'wA')).toBe(false)
    expect((await repo.webhooks('t1')).map((w) => w.id)).toEqual(['wB'])
  })

  it('when a contact is confirmed, then attempts were counted and the hash is gone', async () => {
    await repo.addContact(contact('c1'))
    await repo.addContact(contact('c0', 't1', 1000))

    const before = await repo.contact('t1', 'c1')
    const counts = [await repo.countConfirmAttempt('c1'), await repo.countConfirmAttempt('c1')]
    await repo.confirmContact('c1', at(5))

    expect(before).toMatchObject({ confirmHash: 'hash-c1', confirmAttempts: 0, confirmedAt: null })
    expect(counts).toEqual([1, 2])
    expect(await repo.countConfirmAttempt('nope')).toBe(0)
    expect(await repo.contact('t1', 'c1')).toMatchObject({
      confirmHash: null,
      confirmAttempts: 2,
      confirmedAt: at(5),
    })
    expect(await repo.contact('t2', 'c1')).toBeNull()
    const { confirmHash: _h, ...listed } = { ...contact('c1'), confirmedAt: at(5) }
    expect(await repo.contacts('t1')).toEqual([listed, expect.objectContaining({ id: 'c0' })])
    expect(await repo.removeContact('t2', 'c1')).toBe(false)
    expect(await repo.removeContact('t1', 'c1')).toBe(true)
    expect((await repo.contacts('t1')).map((c) => c.id)).toEqual(['c0'])
  })

  it("when events are queued, then each goes once to its tenant's webhooks and confirmed contacts, in batches", async () => {
    await targets()
    await event('t1', 'k1')
    await event('t2', 'k2')
    await event('t1', 'k3')

    const queued = [
      await repo.enqueue(at(MINUTE), newId, 2),
      await repo.enqueue(at(2 * MINUTE), newId, 2),
      await repo.enqueue(at(3 * MINUTE), newId, 2),
    ]

    expect(queued).toEqual([3, 2, 0])
    const w1 = await repo.deliveries('t1', { webhookId: 'w1' }, 10)
    expect(w1.map((d) => [d.createdAt, d.status, d.attempts])).toEqual([
      [at(2 * MINUTE), 'pending', 0],
      [at(MINUTE), 'pending', 0],
    ])
    expect(w1[0]).toMatchObject({ webhookId: 'w1', contactId: null, nextAttemptAt: at(2 * MINUTE) })
    expect(await repo.deliveries('t1', { contactId: 'c1' }, 1)).toHaveLength(1)
    expect(await repo.deliveries('t1', { contactId: 'c2' }, 10)).toEqual([])
    expect(await repo.deliveries('t2', { webhookId: 'w2' }, 10)).toHaveLength(1)
    expect(await repo.deliveries('t2', { webhookId: 'w1' }, 10)).toEqual([])
  })

  it('when deliveries are due and settled, then they come with target and event, and only a retry comes back, at its time', async () => {
    await targets()
    await event('t1', 'k1', 7)
    await repo.enqueue(at(MINUTE), newId, 10)
    await event('t2', 'k2')
    await repo.enqueue(at(2 * MINUTE), newId, 10)

    const due = await repo.due(at(2 * MINUTE), 10)
    const [a, b, late] = due
    await repo.settle(a!.id, result('delivered', 200, null), at(3 * MINUTE))
    await repo.settle(b!.id, result('failed', 404, 'HTTP 404'), at(3 * MINUTE))
    await repo.settle(late!.id, result('pending', 503, 'HTTP 503', at(5 * MINUTE)), at(3 * MINUTE))

    expect(
      due
        .map((d) => d.target.id)
        .slice(0, 2)
        .sort(),
    ).toEqual(['c1', 'w1'])
    expect(late!.target).toEqual({
      channel: 'webhook',
      id: 'w2',
      url: 'https://hooks.example/w2',
      secret: 'secret-w2',
    })
    const mail = due.find((d) => d.target.channel === 'mail')!
    expect(mail.target).toEqual({ channel: 'mail', id: 'c1', email: 'c1@mail.example' })
    expect(mail).toMatchObject({ attempts: 0, event: { tenantId: 't1', key: 'k1', at: at(7) } })
    expect(await repo.due(at(5 * MINUTE - 1), 10)).toEqual([])
    expect(await repo.due(at(5 * MINUTE), 10)).toEqual([{ ...late, attempts: 1 }])
    expect((await repo.deliveries('t2', { webhookId: 'w2' }, 10))[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatus: 503,
      lastReason: 'HTTP 503',
      updatedAt: at(3 * MINUTE),
    })
  })

  it('when a webhook is removed, then its deliveries go with it', async () => {
    await targets()
    await event('t1', 'k1')
    await repo.enqueue(at(MINUTE), newId, 10)

    await repo.removeWebhook('t1', 'w1')

    expect(await count()).toBe(1)
    expect((await repo.due(at(MINUTE), 10)).map((d) => d.target.id)).toEqual(['c1'])
  })

  it('when two dispatchers queue at once, then each event is queued once', async () => {
    await targets()
    // On PostgreSQL a pass makes the cursor row even with nothing to queue: a row to hold.
    await repo.enqueue(T0, newId, 10)
    await event('t1', 'k1')
    await event('t2', 'k2')

    const [x, y] = await contended(
      store,
      'SELECT 1 FROM alert_cursor WHERE id = 1 FOR UPDATE',
      () => Promise.all([repo.enqueue(at(MINUTE), newId, 10), repo.enqueue(at(MINUTE), newId, 10)]),
    )

    expect(x + y).toBe(3)
    expect(await count()).toBe(3)
  })

  it.skipIf(kind === 'sqlite')(
    'when deliveries are claimed, then no other pass gets them until settled or the claim lapses',
    async () => {
      await targets()
      for (const k of ['k1', 'k2', 'k3']) await event('t1', k)
      await repo.enqueue(at(MINUTE), newId, 10)

      const [one, two] = await Promise.all([repo.due(at(MINUTE), 4), repo.due(at(MINUTE), 4)])
      const again = await repo.due(at(2 * MINUTE), 10)
      const lapsed = await repo.due(at(32 * MINUTE), 10)

      const claimed = [...one, ...two].map((d) => d.id)
      expect(claimed.sort()).toEqual(['dl1', 'dl2', 'dl3', 'dl4', 'dl5', 'dl6'])
      expect(again).toEqual([])
      expect(lapsed.map((d) => d.id).sort()).toEqual(claimed)
    },
  )
})

function result(
  status: 'pending' | 'delivered' | 'failed',
  lastStatus: number,
  lastReason: string | null,
  nextAttemptAt: Date | null = null,
) {
  return { status, attempts: 1, nextAttemptAt, lastStatus, lastReason }
}
