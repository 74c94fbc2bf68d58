/**
 * What is left in a `<style>` element after inlineStyles: rules that could not become attributes.
 * The profile has no CSS (D.2), so the element goes; this decides how to say whether the picture
 * changes when it does.
 */
import { querySelectorAll, type XastRoot } from 'svgo'
import { clip } from './xast.js'

interface Rule {
  prelude: string
  body: string
}

/** Top-level rules of a stylesheet; at-rules keep their nested block as the body. */
export function splitRules(css: string): Rule[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '')
  const rules: Rule[] = []
  let depth = 0
  let start = 0
  let open = -1
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '{' && depth++ === 0) open = i
    if (ch === '}' && depth > 0 && --depth === 0) {
      rules.push({ prelude: text.slice(start, open).trim(), body: text.slice(open + 1, i).trim() })
      start = i + 1
    }
    // `@import url(…);` and `@charset` have no block.
    if (ch === ';' && depth === 0) {
      const prelude = text.slice(start, i).trim()
      if (prelude !== '') rules.push({ prelude, body: '' })
      start = i + 1
    }
  }
  return rules.filter((r) => r.prelude !== '' || r.body !== '')
}

type Kind = 'inert' | 'lost'

/** Why a leftover rule was not inlined, and whether dropping it changes the static picture. */
function classify(rule: Rule, root: XastRoot): [Kind, string] {
  const p = rule.prelude
  if (p.startsWith('@font-face')) return ['inert', 'a font face (fonts cannot be fetched)']
  if (p.startsWith('@import')) return ['lost', 'an external stylesheet, not allowed']
  if (p.startsWith('@charset') || p.startsWith('@namespace')) return ['inert', 'no styling']
  if (p.startsWith('@media') && /prefers-color-scheme\s*:\s*dark/.test(p)) {
    return ['lost', 'dark-mode styling, which the profile cannot express']
  }
  if (/^@media\s+print\b/.test(p)) return ['inert', 'print-only styling']
  if (p.startsWith('@keyframes')) return ['inert', 'animation; the static picture is kept']
  if (p.startsWith('@')) return ['lost', 'conditional styling, which the profile cannot express']
  if (/:(hover|active|focus|visited|link|target)\b/.test(p)) {
    return ['inert', 'interactive styling, never seen in a static logo']
  }
  try {
    if (querySelectorAll(root, p).length === 0) return ['inert', 'it matches no element']
  } catch {
    return ['lost', 'its selector could not be evaluated']
  }
  return ['lost', 'it could not be turned into attributes']
}

/**
 * The change line for removing a `<style>` element whose remaining text is `css`; it says
 * plainly when rules that applied to the picture are lost.
 */
export function styleRemovalLine(css: string, path: string, root: XastRoot): string {
  const rules = splitRules(css)
  if (rules.length === 0) return `removed empty <style> at ${path}`
  const judged = rules.map(
    (r) => [classify(r, root), clip(`${r.prelude} {${r.body}}`, 50)] as const,
  )
  const list = judged.map(([[, why], text]) => `"${text}" (${why})`).join('; ')
  const lost = judged.some(([[kind]]) => kind === 'lost')
  return lost
    ? `removed <style> at ${path}; THE PICTURE CHANGES where these rules applied: ${list}`
    : `removed <style> at ${path}; its remaining rules do not affect the picture: ${list}`
}
