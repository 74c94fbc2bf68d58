/**
 * Drops or unwraps the elements SVG Tiny PS forbids (specs D.2), saying for each whether the
 * picture changes. What cannot go without changing the picture (raster `<image>`, referenced
 * clip paths, masks, filters, patterns, symbols, nested `<svg>`, `<tspan>` runs) is kept, so that
 * the verdict on the output reports it.
 */
import type { CustomPlugin, XastElement, XastParent } from 'svgo'
import { RENDERED } from './profile.js'
import { styleRemovalLine } from './style-sheet.js'
import { mergeSingleTspan } from './text.js'
import {
  clip,
  detach,
  elementPaths,
  isElement,
  referencedIds,
  replaceNode,
  rootSvg,
  tag,
  textOf,
  type ChangeLog,
} from './xast.js'

const w = (s: string) => new Set(s.split(' '))

// SVG-PS §2.2 / D.2: scripting, interactivity and animation; none is part of the static picture.
const NOT_DRAWN = w(
  'script handler listener prefetch cursor view audio discard set animate animateColor animateMotion animateTransform mpath',
)
// Content that some renderers draw (HTML, video, embedded animations): dropping it may show.
const MAYBE_DRAWN = w('foreignObject video iframe animation')
// Definitions that draw nothing unless referenced.
const DEFINITIONS = w('clipPath mask filter pattern symbol marker')
// Elements whose character data is content; anywhere else it is stray text (D.2).
const TEXT_HOLDERS = w('text tspan textArea title desc metadata style script textPath tref')
// Where display/visibility do not hide anything on their own.
const UNRENDERED_CONTEXT = w('defs symbol clipPath mask pattern marker')
// Attributes only meaningful on the link or conditional wrapper itself.
const WRAPPER_ONLY = /^(href|xlink:.*|target|requiredFeatures|requiredExtensions|systemLanguage)$/

const reason = (name: string) =>
  name.startsWith('animate') || name === 'set' || name === 'mpath' || name === 'discard'
    ? 'animation is not allowed; the static picture is kept'
    : 'scripting and interactivity are not allowed; nothing drawn'

/** Whether a `display`/`visibility` setting hides `el` for good (no visible descendant). */
function hidden(el: XastElement): boolean {
  if (el.attributes.display?.trim() === 'none') return true
  const v = el.attributes.visibility?.trim()
  if (v !== 'hidden' && v !== 'collapse') return false
  const anyVisible = (e: XastElement): boolean =>
    e.children.some((c) => isElement(c) && (c.attributes.visibility === 'visible' || anyVisible(c)))
  return !anyVisible(el)
}

/** The child a `<switch>` renders: the first without conditions a renderer might fail. */
function renderedChild(sw: XastElement): XastElement | undefined {
  const kids = sw.children.filter(isElement)
  const unconditional = kids.find(
    (k) =>
      !Object.keys(k.attributes).some((a) =>
        /^(requiredExtensions|requiredFeatures|systemLanguage)$/.test(a),
      ),
  )
  return unconditional ?? kids[0]
}

/**
 * `<a>`/`<switch>` → its children, or a `<g>` that carries its other attributes (transform,
 * styling, opacity…), which the attribute plugin then judges. Inside text a `<g>` would not be
 * drawn, so an attributed link there stays for the verdict to report.
 */
function unwrap(node: XastElement, parent: XastParent, inText: boolean): string | undefined {
  const kept = Object.keys(node.attributes).filter((a) => !WRAPPER_ONLY.test(a))
  if (kept.length > 0 && inText) return undefined
  // svgo keeps whitespace inside <a> (it may sit in text); outside text it is only indentation.
  if (!inText)
    node.children = node.children.filter((c) => c.type !== 'text' || c.value.trim() !== '')
  if (kept.length === 0) {
    replaceNode(parent, node, node.children)
    return 'its content is kept in place'
  }
  node.attributes = Object.fromEntries(kept.map((a) => [a, node.attributes[a] as string]))
  node.name = 'g'
  return 'its content is kept in a <g> with the same attributes'
}

/** The Tiny PS element plugin; every change is appended to `log.changes`. */
export function tinyPsElements(log: ChangeLog): CustomPlugin {
  return {
    name: 'tinyPsElements',
    fn: (root) => {
      const top = rootSvg(root)
      const paths = elementPaths(root)
      const refs = referencedIds(root)
      const say = (line: string) => log.changes.push(line)
      const at = (el: XastElement) => paths.get(el) ?? `<${el.name}>`
      const isRef = (el: XastElement) => refs.has(el.attributes.id ?? '\u0000')
      const inDefs: XastElement[] = []
      // Inside text content (a link within <text>, say) character data is content, not stray.
      let inText = 0
      return {
        instruction: {
          enter(node, parent) {
            detach(parent, node)
            const what = node.name === 'xml-stylesheet' ? 'an external stylesheet' : 'editor data'
            say(`removed <?${node.name} ${clip(node.value, 40)}?> (${what}; not allowed)`)
          },
        },
        text: {
          enter(node, parent) {
            if (parent.type !== 'element' || inText > 0 || node.value.trim() === '') return
            detach(parent, node)
            say(`removed stray text "${clip(node.value, 30)}" inside ${at(parent)} (not drawn)`)
          },
        },
        element: {
          enter(node, parent) {
            if (parent.type === 'root') return
            const name = node.name
            if (TEXT_HOLDERS.has(name)) inText++
            const drop = (why: string) => {
              detach(parent, node)
              say(`removed ${tag(node)} at ${at(node)} (${why})`)
            }
            if (UNRENDERED_CONTEXT.has(name)) inDefs.push(node)
            if (name.includes(':')) return drop('not SVG; never drawn')
            if (NOT_DRAWN.has(name)) return drop(reason(name))
            if (MAYBE_DRAWN.has(name)) {
              return drop('not allowed; THE PICTURE MAY CHANGE in renderers that showed it')
            }
            if (name === 'style') {
              detach(parent, node)
              return void say(styleRemovalLine(textOf(node), at(node), root))
            }
            if ((name === 'title' || name === 'desc' || name === 'metadata') && parent !== top) {
              return drop(`only allowed as a child of <svg>; not drawn`)
            }
            if (DEFINITIONS.has(name) && !isRef(node)) return drop('unused definition; never drawn')
            if (RENDERED.has(name) && inDefs.length === 0 && !isRef(node) && hidden(node)) {
              return drop(
                `hidden by ${node.attributes.display ? 'display' : 'visibility'}; not drawn`,
              )
            }
            if (name === 'switch') {
              const chosen = renderedChild(node)
              const others = node.children.filter((c) => isElement(c) && c !== chosen)
              node.children = chosen ? [chosen] : []
              for (const o of others)
                say(
                  `removed ${tag(o as XastElement)} from <switch> at ${at(node)} (an alternative that is not drawn)`,
                )
            }
            if (name === 'text') {
              const line = mergeSingleTspan(node, refs)
              if (line) say(`${line} at ${at(node)} (picture unchanged)`)
            }
          },
          exit(node, parent) {
            if (inDefs.at(-1) === node) inDefs.pop()
            if (TEXT_HOLDERS.has(node.name) && parent.type !== 'root') inText--
            if (node.name !== 'a' && node.name !== 'switch') return
            if (!parent.children.includes(node)) return
            const href = node.attributes.href ?? node.attributes['xlink:href']
            const what =
              node.name === 'a' ? `link <a${href ? ` href="${clip(href, 40)}"` : ''}>` : '<switch>'
            const how = unwrap(node, parent, inText > 0)
            if (how) say(`unwrapped ${what} at ${at(node)}: ${how} (picture unchanged)`)
          },
        },
      }
    },
  }
}
