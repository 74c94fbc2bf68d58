/**
 * Issue 10 point 7: README drifted from behaviour (routes that existed but were not listed,
 * paths that moved). These checks keep the two in step: every variable the config reads is in
 * README's table and every variable there is read; every admin route README names exists with
 * that method, and every route the OpenAPI document describes is named in README.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONFIG_VARIABLES } from '../src/config.js'
import { startServer, type TestServer } from './helpers/test-server.js'

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const section = (title: string) => {
  const start = README.indexOf(`\n## ${title}`)
  const end = README.indexOf('\n## ', start + 1)
  return README.slice(start, end === -1 ? undefined : end)
}

/**
 * `METHOD path` pairs README names. `…/x` abbreviates `/domains/:name/x`, `[…]` is optional, and
 * in a list (`DELETE …/a`, `…/b`) the paths after the first share its method up to a `;`.
 */
function readmeRoutes(): Set<string> {
  const routes = new Set<string>()
  const methods = '(GET|PUT|POST|DELETE|PATCH)'
  // `PUT`/`GET`/`DELETE /x` names three methods of one path.
  const text = README.replace(new RegExp(`${methods}\`/\``, 'g'), '$1 ')
  for (const segment of text.split(/[;\n]/)) {
    let current: string[] = []
    for (const m of segment.matchAll(/`([^`]+)`/g)) {
      const head = new RegExp(`^((?:${methods} ?)+)(.*)$`).exec(m[1]!)
      let raw: string | undefined
      if (head) {
        current = head[1]!.trim().split(' ')
        raw = head[3] || undefined
      } else if (current.length > 0 && m[1]!.startsWith('…/')) {
        raw = m[1]
      }
      if (raw === undefined) continue
      let path = raw
        .split(' ')[0]!
        .replace(/\[[^\]]*\]/g, '')
        .replace(/\?.*$/, '')
      path = path.replace(/^\/api\/v1(?=\/)/, '').replace(/^…\//, '/domains/:name/')
      if (!path.startsWith('/') || path.startsWith('/tlsrpt/')) continue
      path = path.replace(/:([a-z]+)/gi, '{$1}').replace(/\/$/, '')
      for (const method of current) routes.add(`${method} ${path}`)
    }
  }
  return routes
}

let s: TestServer
beforeAll(async () => {
  s = await startServer()
})
afterAll(() => s.close())

describe('README agrees with the code', () => {
  it('when the configuration table is read, then it lists exactly the variables the config reads', () => {
    const table = section('Configuration')
    const listed = new Set(
      table
        .split('\n')
        .filter((l) => l.startsWith('| `'))
        .flatMap((l) => [...l.split('|')[1]!.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]!)),
    )
    expect([...CONFIG_VARIABLES].filter((v) => !listed.has(v))).toEqual([])
    expect([...listed].filter((v) => !CONFIG_VARIABLES.includes(v))).toEqual([])
  })

  it('when README names an admin route, then the OpenAPI document has it, and the other way round', async () => {
    const doc = (await s.request('GET', '/api/v1/openapi.json')).json()
    const documented = new Set<string>()
    for (const [path, ops] of Object.entries(doc.paths as Record<string, object>)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path}`)
    }
    documented.delete('GET /openapi.json')
    const named = readmeRoutes()
    named.delete('GET /openapi.json')
    // Health answers outside the API (README's table of what is served where).
    for (const r of [...named]) if (/ \/(healthz|readyz)$/.test(r)) named.delete(r)
    expect(documented.size).toBeGreaterThan(30)
    expect([...named].filter((r) => !documented.has(r))).toEqual([])
    expect([...documented].filter((r) => !named.has(r))).toEqual([])
  })
})
