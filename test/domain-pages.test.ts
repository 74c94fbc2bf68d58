/** `GET /api/v1/domains` pages with an opaque cursor (issue 9 point 3: lists are paginated). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type TestApp } from './helpers/app.js'
import { ADMIN_TOKEN, createTenant } from './helpers/test-server.js'

let s: TestApp
let a: { id: string; token: string }
let b: { id: string; token: string }
const A_NAMES = ['a1.example', 'a2.example', 'a3.example', 'a4.example', 'a5.example']

beforeAll(async () => {
  s = await startApp({ env: { DOMAIN_VERIFICATION: 'dns' } })
  a = await createTenant(s, 'alpha')
  b = await createTenant(s, 'bravo')
  for (const name of [...A_NAMES].reverse()) {
    await s.request('POST', '/api/v1/domains', { token: a.token, json: { name } })
  }
  // Two tenants claim one name: the operator's list holds both rows.
  await s.request('POST', '/api/v1/domains', { token: b.token, json: { name: 'a3.example' } })
})
afterAll(() => s.close())

async function allPages(token: string, limit: number) {
  const pages: Array<{ names: string[]; tenants: string[] }> = []
  let cursor: string | null = null
  do {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
    const res = await s.request('GET', `/api/v1/domains?limit=${limit}${q}`, { token })
    expect(res.status).toBe(200)
    const body = res.json()
    pages.push({
      names: body.domains.map((d: { name: string }) => d.name),
      tenants: body.domains.map((d: { tenantId: string }) => d.tenantId),
    })
    cursor = body.nextCursor
  } while (cursor !== null && pages.length < 20)
  return pages
}

describe('GET /domains pages', () => {
  it('when a tenant lists with a limit, then pages follow the cursor in name order, each row once', async () => {
    const pages = await allPages(a.token, 2)
    expect(pages.map((p) => p.names)).toEqual([
      ['a1.example', 'a2.example'],
      ['a3.example', 'a4.example'],
      ['a5.example'],
    ])
    const whole = await s.request('GET', '/api/v1/domains', { token: a.token })
    expect(whole.json().nextCursor).toBeNull()
    expect(whole.json().domains).toHaveLength(5)
  })

  it('when the operator lists, then both claims on one name appear, across a page boundary', async () => {
    const pages = await allPages(ADMIN_TOKEN, 3)
    const names = pages.flatMap((p) => p.names)
    expect(names).toEqual([...A_NAMES.slice(0, 3), 'a3.example', ...A_NAMES.slice(3)])
    expect(pages.flatMap((p) => p.tenants).filter((t) => t === b.id)).toHaveLength(1)
  })

  it('when the OpenAPI document is read, then it describes the page parameters and the check', async () => {
    const doc = (await s.request('GET', '/api/v1/openapi.json', { token: a.token })).json()
    const params = doc.paths['/domains'].get.parameters.map((p: { name: string }) => p.name)
    expect(params).toEqual(expect.arrayContaining(['limit', 'cursor']))
    expect(doc.paths['/domains/{name}/verification'].post).toBeDefined()
  })

  it('when limit or cursor is bad, then 400 naming the parameter', async () => {
    for (const [q, param] of [
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=2.5', 'limit'],
      ['cursor=%25%25', 'cursor'],
      ['cursor=bm90IGEgY3Vyc29y', 'cursor'],
    ]) {
      const res = await s.request('GET', `/api/v1/domains?${q}`, { token: a.token })
      expect(res.status, q).toBe(400)
      expect(res.headers['content-type'], q).toBe('application/problem+json')
      expect(res.json().errors[0].path, q).toBe(param)
    }
    const max = await s.request('GET', '/api/v1/domains?limit=1000', { token: a.token })
    expect(max.status).toBe(200)
  })
})
