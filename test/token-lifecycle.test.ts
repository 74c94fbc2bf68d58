import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startApp, type TestApp } from './helpers/app.js'
import { scalar } from './helpers/server-store.js'
import { ADMIN_TOKEN } from './helpers/test-server.js'

let s: TestApp
beforeEach(async () => {
  s = await startApp()
})
afterEach(async () => {
  await s.close()
})

async function newTenant(name: string): Promise<{ id: string; token: string; tokenId: string }> {
  const res = await s.request('POST', '/api/v1/tenants', { token: ADMIN_TOKEN, json: { name } })
  expect(res.status).toBe(201)
  return res.json()
}

const domains = (token: string) => s.request('GET', '/api/v1/domains', { token })

describe('token lifecycle over HTTP (issue 10 point 3)', () => {
  it("when a tenant is created, then its first token's id is returned and it can be listed and revoked", async () => {
    const t = await newTenant('alpha')
    expect(Object.keys(t).sort()).toEqual(['createdAt', 'id', 'name', 'token', 'tokenId'])
    expect((await domains(t.token)).status).toBe(200)

    const listed = await s.request('GET', `/api/v1/tokens?tenantId=${t.id}`, { token: ADMIN_TOKEN })
    expect(listed.status).toBe(200)
    expect(listed.json().tokens.map((x: { id: string }) => x.id)).toEqual([t.tokenId])
    expect(listed.text).not.toContain(t.token)

    const revoked = await s.request('DELETE', `/api/v1/tokens/${t.tokenId}`, { token: ADMIN_TOKEN })
    expect(revoked.status).toBe(204)
    expect((await domains(t.token)).status).toBe(401)
  })

  it('when the operator posts a label without tenantId or operator, then 422 names both and nothing is made', async () => {
    const count = async () => Number(await scalar(s, 'SELECT count(*) AS n FROM api_tokens'))
    const before = await count()
    const res = await s.request('POST', '/api/v1/tokens', {
      token: ADMIN_TOKEN,
      json: { label: 'ci' },
    })
    expect(res.status).toBe(422)
    expect(res.text).toContain('tenantId')
    expect(res.text).toContain('operator')
    expect(await count()).toBe(before)

    const both = await s.request('POST', '/api/v1/tokens', {
      token: ADMIN_TOKEN,
      json: { label: 'ci', operator: true, tenantId: 'x' },
    })
    expect(both.status).toBe(422)

    const op = await s.request('POST', '/api/v1/tokens', {
      token: ADMIN_TOKEN,
      json: { label: 'second operator', operator: true },
    })
    expect(op.status).toBe(201)
    expect(op.json().tenantId).toBeNull()
    expect((await s.request('GET', '/api/v1/tenants', { token: op.json().token })).status).toBe(200)
  })

  it('when a tenant asks for an operator token, then 403', async () => {
    const t = await newTenant('alpha')
    const res = await s.request('POST', '/api/v1/tokens', {
      token: t.token,
      json: { label: 'up', operator: true },
    })
    expect(res.status).toBe(403)
  })

  it('when a token is rotated with no body, then the new secret works, the old is revoked, label and tenant kept', async () => {
    const t = await newTenant('alpha')
    const res = await s.request('POST', `/api/v1/tokens/${t.tokenId}/rotate`, { token: t.token })
    expect(res.status).toBe(200)
    const next = res.json()
    expect(next).toMatchObject({ tenantId: t.id, label: 'initial', replaces: t.tokenId })
    expect(next.id).not.toBe(t.tokenId)
    expect(next.token).toMatch(/^ph_/)
    expect((await domains(t.token)).status).toBe(401)
    expect((await domains(next.token)).status).toBe(200)
    const rows = await s.sql<{ id: string; revoked_at: unknown }>(
      'SELECT id, revoked_at FROM api_tokens WHERE tenant_id = ? ORDER BY created_at',
      t.id,
    )
    expect(rows.find((r) => r.id === t.tokenId)?.revoked_at).not.toBeNull()
    expect(rows.find((r) => r.id === next.id)?.revoked_at).toBeNull()
    expect((await s.audit()).some((a) => a.action === 'token.rotate')).toBe(true)

    const again = await s.request('POST', `/api/v1/tokens/${t.tokenId}/rotate`, {
      token: ADMIN_TOKEN,
    })
    expect(again.status).toBe(409)
  })

  it("when a tenant rotates another tenant's token, then 404 and the token still works", async () => {
    const a = await newTenant('alpha')
    const b = await newTenant('beta')
    const res = await s.request('POST', `/api/v1/tokens/${a.tokenId}/rotate`, { token: b.token })
    expect(res.status).toBe(404)
    expect((await domains(a.token)).status).toBe(200)
    const unknown = await s.request('POST', '/api/v1/tokens/nope/rotate', { token: ADMIN_TOKEN })
    expect(unknown.status).toBe(404)
  })
})
