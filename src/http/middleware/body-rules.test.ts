import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { AppEnv } from '../env.js'
import { bodyRules } from './body-rules.js'

const app = new Hono<AppEnv>()
app.use(bodyRules([], 1024))
app.post('/x', async (c) => c.text(`read ${(await c.req.text()).length}`))

describe('bodyRules', () => {
  it('when a POST has no body at all (no length, no type), then it passes', async () => {
    const r = await app.request('/x', { method: 'POST' })
    expect(r.status).toBe(200)
    expect(await r.text()).toBe('read 0')
  })

  it('when a POST declares a length but no JSON type, then it is 415 naming the type', async () => {
    const r = await app.request('/x', {
      method: 'POST',
      body: 'a=b',
      headers: { 'content-length': '3', 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(r.status).toBe(415)
    expect(await r.json()).toMatchObject({ detail: 'request body must be application/json' })
  })

  it('when a JSON body is over the limit, then it is 413', async () => {
    const body = JSON.stringify({ a: 'x'.repeat(2000) })
    const r = await app.request('/x', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
    })
    expect(r.status).toBe(413)
  })
})
