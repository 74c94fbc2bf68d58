import { describe, expect, it } from 'vitest'
import type { StoredPolicy } from '../../../core/ports.js'
import { migrateDatabase, openDatabase } from '../database.js'
import { sqliteRepos } from './index.js'

const audit = (at: Date) => ({
  at,
  tenantId: null,
  actorTokenId: null,
  action: 'test',
  subject: 'example.com',
})

describe('PolicyRepo.versions', () => {
  it('when the same text was published again under a new id, then versions list the newest first', async () => {
    const db = openDatabase(':memory:')
    migrateDatabase(db)
    db.sqlite.exec(`
      INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'acme', 0);
      INSERT INTO domains (id, tenant_id, name, status, created_at) VALUES ('d1', 't1', 'example.com', 'active', 0);
    `)
    const repos = sqliteRepos(db)
    const text = 'version: STSv1\r\nmode: testing\r\nmx: mx.example.com\r\nmax_age: 86400\r\n'
    const put = (policyId: string, body: string, day: number) => {
      const at = new Date(Date.UTC(2026, 11, day))
      const policy: StoredPolicy = {
        domainId: 'd1',
        mode: 'testing',
        mx: ['mx.example.com'],
        maxAge: 86400,
        policyId,
        text: body,
        updatedAt: at,
      }
      return repos.policies.put(policy, audit(at))
    }
    await put('first', text, 1)
    await put('other', text.replace('testing', 'enforce'), 2)
    await put('again', text, 3)
    expect((await repos.policies.versions('d1')).map((v) => v.policyId)).toEqual([
      'again',
      'other',
      'first',
    ])
    db.close()
  })
})
