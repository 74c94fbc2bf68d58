import { shown, svgIssue } from './svg-issues.js'
import { ATTRIBUTES } from './svg-profile.js'
import { profileElements } from './svg-rules-elements.js'
import { attributeKey, attrValue, elementPath, XML_NS } from './svg-tree.js'
import type { SvgAttribute, SvgDocument, SvgElement } from './svg-tree.js'
import {
  collapseWhitespace,
  CONSTRAINED,
  DATATYPES,
  ENUMERATED,
  ENUMERATED_ON,
  PRESERVE_ASPECT_RATIO,
} from './svg-values.js'
import type { SvgIssue } from './types.js'

const XLINK_NS = 'http://www.w3.org/1999/xlink'

// Checked by their own rules on the root, so the generic allowlist leaves them alone.
const ROOT_SPECIAL = new Set(['version', 'baseProfile', 'x', 'y'])

const isEvent = (a: SvgAttribute): boolean => a.uri === '' && /^on/i.test(a.local)

/** SVG-PS §2.1 (schema): `version="1.2"` and `baseProfile="tiny-ps"` on the root. */
export function checkRootAttributes(doc: SvgDocument): SvgIssue[] {
  const issues: SvgIssue[] = []
  const path = elementPath(doc.root)
  const required = [
    ['version', '1.2', 'root-version'],
    ['baseProfile', 'tiny-ps', 'root-base-profile'],
  ] as const
  for (const [name, expected, rule] of required) {
    const value = attrValue(doc.root, name)
    if (value === undefined) {
      issues.push(svgIssue(rule, path, `${name} is missing; it must be ${name}="${expected}"`))
    } else if (collapseWhitespace(value) !== expected) {
      issues.push(svgIssue(rule, path, `${name}="${shown(value)}" must be ${name}="${expected}"`))
    }
  }
  return issues
}

/** SVG-PS §2.2 (as quoted; schema): no `x` or `y` on the root `svg`. */
export function checkRootPosition(doc: SvgDocument): SvgIssue[] {
  return ['x', 'y'].flatMap((name) => {
    const value = attrValue(doc.root, name)
    if (value === undefined) return []
    const message = `${name}="${shown(value)}" is not allowed on the root <svg> (remove it)`
    return [svgIssue('root-position', elementPath(doc.root), message)]
  })
}

/** SVG-PS §2.2 (as quoted; schema): no event handler attributes (`onload`, `onclick`, …). */
export function checkEventAttributes(doc: SvgDocument): SvgIssue[] {
  const issues: SvgIssue[] = []
  for (const el of doc.elements) {
    for (const a of el.attributes.filter(isEvent)) {
      const message = `event handler attribute ${a.name} is not allowed (no scripting)`
      issues.push(svgIssue('event-attribute', elementPath(el), message))
    }
  }
  return issues
}

/** SVG-PS §2.1–§2.3 (schema): each attribute is allowed where it stands, with a valid value. */
export function checkAttributes(doc: SvgDocument): SvgIssue[] {
  const issues: SvgIssue[] = []
  for (const el of profileElements(doc)) {
    const allowed = ATTRIBUTES[el.local] ?? new Set<string>()
    const path = elementPath(el)
    for (const a of el.attributes) {
      if (isEvent(a) || (el === doc.root && a.uri === '' && ROOT_SPECIAL.has(a.local))) continue
      const key = attributeKey(a)
      if (a.uri !== '' && a.uri !== XML_NS) {
        issues.push(svgIssue('foreign-attribute', path, foreignMessage(a)))
      } else if (!allowed.has(key)) {
        issues.push(svgIssue('attribute-not-allowed', path, notAllowedMessage(el, a)))
      } else {
        const problem = valueProblem(el, key, a.value)
        if (problem) issues.push(svgIssue(problem[0], path, problem[1]))
      }
    }
    if (attrValue(el, 'id') !== undefined && hasXmlId(el)) {
      const message = 'use either id or xml:id, not both'
      issues.push(svgIssue('id-conflict', path, message))
    }
  }
  return issues
}

function hasXmlId(el: SvgElement): boolean {
  return el.attributes.some((a) => a.uri === XML_NS && a.local === 'id')
}

function foreignMessage(a: SvgAttribute): string {
  if (a.uri === XLINK_NS) {
    return `${a.name} is not allowed: SVG Tiny PS declares no xlink namespace (use ${a.local}=)`
  }
  return `${a.name} is in the foreign namespace "${a.uri}" (no editor data)`
}

function notAllowedMessage(el: SvgElement, a: SvgAttribute): string {
  if (a.name === 'style')
    return 'the style attribute (CSS) is not allowed; use presentation attributes'
  if (a.name === 'opacity') return 'opacity is not allowed; use fill-opacity and stroke-opacity'
  return `${a.name} is not allowed on <${el.local}>`
}

type Problem = ['constrained-attribute' | 'preserve-aspect-ratio' | 'attribute-value', string]

function valueProblem(el: SvgElement, key: string, value: string): Problem | null {
  const constrained = CONSTRAINED[key]
  if (constrained !== undefined) {
    if (collapseWhitespace(value) === constrained) return null
    const message = `${key}="${shown(value)}" must be "${constrained}" (or, better, left out)`
    return ['constrained-attribute', message]
  }
  if (key === 'preserveAspectRatio') {
    if (PRESERVE_ASPECT_RATIO.test(value)) return null
    const message = `preserveAspectRatio="${shown(value)}" must be none, xMidYMid or xMidYMid meet`
    return ['preserve-aspect-ratio', message]
  }
  const choices = ENUMERATED_ON[el.local]?.[key] ?? ENUMERATED[key]
  if (choices !== undefined) {
    if (choices.includes(collapseWhitespace(value))) return null
    const message = `${key}="${shown(value)}" on <${el.local}> must be: ${choices.join(', ')}`
    return ['attribute-value', message]
  }
  const problem = DATATYPES[key]?.(value)
  return problem ? ['attribute-value', `${key}="${shown(value)}" ${problem}`] : null
}
