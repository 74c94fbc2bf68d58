import { describe, expect, it } from 'vitest'
import type { Change } from '../../core/changes.js'
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

/** Repositories whose writes do nothing: only the events and the lookups are looked at. */
function harness(names: Record<string, string>) {
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
  const policies = {
    put: async (p: StoredPolicy) => {
      if (stored.get(p.domainId) === p.text) return null
      stored.set(p.domainId, p.text)
      return ++revision
    },
  } as unknown as PolicyRepo
  const repos = publishingRepos({ policies } as unknown as Repos, lookups, {
    publish: async (c) => void events.push(c),
  })
  return { repos, asked, events }
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
      {
        type: 'domain.changed',
        domainId: 'd1',
        domain: 'one.example',
        what: 'policy',
        policy: { text: 'version: STSv1\r\n', revision: 1 },
      },
      {
        type: 'domain.changed',
        domainId: 'd1',
        domain: 'one.example',
        what: 'policy',
        policy: { text: 'version: STSv1\r\nmode: none\r\n', revision: 2 },
      },
    ])
  })
  it('when the stored text is put again, then the store writes nothing and no event is published', async () => {
    const { repos, events } = harness({ d1: 'one.example' })
    await repos.policies.put(policyOf('d1'), AUDIT)

    expect(await repos.policies.put(policyOf('d1'), AUDIT)).toBeNull()

    expect(events).toHaveLength(1)
  })
})
