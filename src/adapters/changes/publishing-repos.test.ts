import { describe, expect, it } from 'vitest'
import type { Announcement, Change, ChangePublisher } from '../../core/changes.js'
import type { AuditEntry, PolicyRepo, Repos, StoredPolicy } from '../../core/ports.js'
import { publishingRepos, type PublishLookups } from './publishing-repos.js'

const policyOf = (domainId: string): StoredPolicy => ({
  domainId,
  mode: 'testing',
  mx: ['mx.example.org'],
  maxAge: 86400,
  policyId: 'p',
  text: 'version: STSv1\r\n',
  updatedAt: new Date(0),
})
const AUDIT = {} as AuditEntry
const policyEvent = (text: string, revision: number): Change => ({
  type: 'domain.changed',
  domainId: 'd1',
  domain: 'one.example',
  what: 'policy',
  policy: { text, revision },
})

/** Repositories whose writes do nothing: only the events and the lookups are looked at. */
function harness(names: Record<string, string>, announcing = false) {
  const asked: string[] = []
  const lookups: PublishLookups = {
    nameOf: async (id) => {
      asked.push(id)
      return names[id] ?? ''
    },
    hostOwner: async () => null,
  }
  const events: Change[] = []
  let revision = 0
  // A text already stored is no write (PolicyRepo.put resolves null), as the stores decide.
  const stored = new Map<string, string>()
  const announced: Array<Announcement | undefined> = []
  const policies = {
    put: async (p: StoredPolicy, _audit: AuditEntry, announcement?: Announcement) => {
      if (stored.get(p.domainId) === p.text) return null
      stored.set(p.domainId, p.text)
      announced.push(announcement)
      return ++revision
    },
  } as unknown as PolicyRepo
  const local: Change[] = []
  // A feed that announces through the store carries short texts only (as NOTIFY's limit does).
  const feed: ChangePublisher = {
    publish: async (c) => void events.push(c),
    ...(announcing && {
      announcing: {
        announcement: (c) =>
          c.type === 'domain.changed' && c.policy && c.policy.text.length < 20
            ? { head: `${c.domainId}:`, tail: '' }
            : null,
        publishAnnounced: async (c) => void local.push(c),
      },
    }),
  }
  const repos = publishingRepos({ policies } as unknown as Repos, lookups, feed)
  return { repos, asked, events, announced, local }
}

describe('publishingRepos', () => {
  it('when a domain is written again, then its event names it without asking the store again; a gone domain is asked each time', async () => {
    const { repos, asked, events } = harness({ d1: 'one.example', d2: 'two.example' })

    for (const [n, id] of ['d1', 'd1', 'd2', 'd1', 'gone', 'gone'].entries()) {
      await repos.policies.put({ ...policyOf(id), text: `version: STSv1\r\n# ${n}` }, AUDIT)
    }

    expect(asked).toEqual(['d1', 'd2', 'gone', 'gone'])
    expect(events.map((c) => (c.type === 'domain.changed' ? c.domain : c.type))).toEqual([
      'one.example',
      'one.example',
      'two.example',
      'one.example',
      '',
      '',
    ])
  })

  it('when a policy is put, then its event carries the text with the revision the store gave it', async () => {
    const { repos, events } = harness({ d1: 'one.example' })

    expect(await repos.policies.put(policyOf('d1'), AUDIT)).toBe(1)
    await repos.policies.put({ ...policyOf('d1'), text: 'version: STSv1\r\nmode: none\r\n' }, AUDIT)

    expect(events).toEqual([
      policyEvent('version: STSv1\r\n', 1),
      policyEvent('version: STSv1\r\nmode: none\r\n', 2),
    ])
  })

  it('when the stored text is put again, then the store writes nothing and no event is published', async () => {
    const { repos, events } = harness({ d1: 'one.example' })
    await repos.policies.put(policyOf('d1'), AUDIT)

    expect(await repos.policies.put(policyOf('d1'), AUDIT)).toBeNull()

    expect(events).toHaveLength(1)
  })

  it('when the feed announces through the store, then the store gets the announcement and the event is delivered here only', async () => {
    const { repos, events, announced, local } = harness({ d1: 'one.example' }, true)

    await repos.policies.put(policyOf('d1'), AUDIT)
    // Too long for this feed's announcements: published after the write, as without one.
    await repos.policies.put(
      { ...policyOf('d1'), text: 'version: STSv1\r\n# a longer text' },
      AUDIT,
    )

    expect(announced).toEqual([{ head: 'd1:', tail: '' }, undefined])
    expect(local).toEqual([policyEvent('version: STSv1\r\n', 1)])
    expect(events).toEqual([policyEvent('version: STSv1\r\n# a longer text', 2)])
  })
})
