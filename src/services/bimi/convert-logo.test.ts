import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import type { SvgIssue } from '../../core/bimi/types.js'
import { serviceWorld, type ServiceWorld } from '../../../test/helpers/services.js'
import { addDomain } from '../domains/domains.js'
import { uploadLogo } from './bimi-logo.js'
import { converterHint, convertLogo } from './convert-logo.js'

const CONVERT = new URL('../../../test/fixtures/convert/', import.meta.url)
const input = (f: string) => readFileSync(new URL(f, CONVERT), 'utf8')

let world: ServiceWorld
afterEach(() => world?.close())

describe('convertLogo', () => {
  it.each([['inkscape-gradient.svg'], ['illustrator-classes.svg'], ['link-wrapper.svg']])(
    'when the design-tool export %s is converted, then the result is valid Tiny PS and a tenant can upload it',
    async (file) => {
      world = await serviceWorld()
      const a = await world.tenant('alpha')
      await addDomain(world.deps, a.actor, { name: 'alpha.example' })

      const out = await convertLogo(world.deps, a.actor, input(file), 'Alpha')

      expect(out.verdict.valid).toBe(true)
      expect(out.changes.length).toBeGreaterThan(0)
      expect(out.svg).toContain('<title>Alpha</title>')
      const up = await uploadLogo(
        world.deps,
        a.actor,
        'alpha.example',
        'default',
        new TextEncoder().encode(out.svg),
      )
      expect(up.changed).toBe(true)
    },
  )

  it.each([
    ['unfixable-raster.svg', 'raster-image'],
    ['unfixable-wide.svg', 'aspect-ratio'],
  ])(
    'when %s is converted, then what cannot be fixed is kept and reported (%s)',
    async (file, rule) => {
      world = await serviceWorld()

      const out = await convertLogo(world.deps, world.operator, input(file), 'Brand')

      expect(out.verdict.valid).toBe(false)
      expect(out.verdict.errors.map((e) => e.rule)).toContain(rule)
    },
  )
})

describe('converterHint', () => {
  const issue = (rule: string): SvgIssue => ({
    rule,
    severity: 'error',
    path: '/',
    message: rule,
    source: 'test',
  })

  it.each([
    [['forbidden-element'], true],
    [['title-missing', 'raster-image'], true],
    [['raster-image'], false],
    [['aspect-ratio', 'external-reference'], false],
    [['doctype', 'forbidden-element'], false],
    [['xml-well-formed'], false],
    [[], false],
  ])('when the errors are %j, then a hint to convert: %s', (rules, hint) => {
    expect(converterHint(rules.map(issue)) !== null).toBe(hint)
  })
})
