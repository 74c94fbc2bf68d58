/**
 * The root `<svg>` of a Tiny PS document (specs D.1/D.2): SVG namespace, `version="1.2"`,
 * `baseProfile="tiny-ps"`, no `x`/`y`, a `viewBox`, and one `<title>` as its first child.
 */
import type { CustomPlugin, XastElement } from 'svgo'
import { clip, isElement, num, rootSvg, SVG_NS, textOf, userUnits, type ChangeLog } from './xast.js'

function titles(svg: XastElement): XastElement[] {
  return svg.children.filter((c): c is XastElement => isElement(c) && c.name === 'title')
}

/** The Tiny PS root plugin; `title` (trimmed, non-empty) becomes the document's title. */
export function tinyPsRoot(log: ChangeLog, title: string | undefined): CustomPlugin {
  return {
    name: 'tinyPsRoot',
    fn: (root) => {
      const svg = rootSvg(root)
      if (svg === undefined) return null
      const a = svg.attributes
      const say = (line: string) => log.changes.push(line)
      const set = (name: string, value: string, why: string) => {
        if (a[name] === value) return
        const was = a[name] === undefined ? 'missing' : `was "${a[name]}"`
        a[name] = value
        say(`set ${name}="${value}" on <svg> (${was}; ${why})`)
      }

      if (a.xmlns === undefined) set('xmlns', SVG_NS, 'the profile is in the SVG namespace')
      const xy = ['x', 'y'].filter((k) => a[k] !== undefined)
      if (xy.length > 0) {
        say(
          `removed ${xy.map((k) => `${k}="${a[k]}"`).join(', ')} from the root <svg> (not allowed; ignored on the outermost <svg>, picture unchanged)`,
        )
        for (const k of xy) delete a[k]
      }
      set('version', '1.2', 'required by SVG Tiny PS')
      set('baseProfile', 'tiny-ps', 'required by SVG Tiny PS')

      if (a.viewBox === undefined) {
        const [w, h] = [userUnits(a.width), userUnits(a.height)]
        if (w !== undefined && h !== undefined && w > 0 && h > 0) {
          a.viewBox = `0 0 ${num(w)} ${num(h)}`
          say(`added viewBox="${a.viewBox}" from width/height (picture unchanged)`)
        }
      }

      const found = titles(svg)
      const wanted = title?.trim() ?? ''
      let first = found[0]
      if (wanted !== '' && first === undefined) {
        first = { type: 'element', name: 'title', attributes: {}, children: [] }
        say(`added <title>${clip(wanted)}</title>`)
      } else if (wanted !== '' && first !== undefined && textOf(first) !== wanted) {
        say(`replaced the title "${clip(textOf(first))}" with "${clip(wanted)}"`)
      }
      if (first !== undefined && wanted !== '') first.children = [{ type: 'text', value: wanted }]
      for (const extra of found.slice(1)) {
        say(`removed a second <title> "${clip(textOf(extra))}" (only one is allowed)`)
      }
      const rest = svg.children.filter((c) => !(isElement(c) && c.name === 'title'))
      if (first !== undefined) {
        const lead = svg.children.find(isElement)
        if (lead !== first && found.includes(first))
          say('moved <title> to be the first child of <svg>')
        svg.children = [first, ...rest]
      }
      return null
    },
  }
}
