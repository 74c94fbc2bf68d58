/**
 * Inkscape writes every text line as `<text><tspan sodipodi:role="line" x y>…</tspan></text>`.
 * `tspan` is outside the profile (D.2); a lone run that starts where the text starts is the same
 * picture as plain character data in `<text>`, so it is merged. Multi-run text is kept (the
 * verdict reports the `tspan`s); outlining text is left to the author's editor.
 */
import type { XastElement } from 'svgo'
import { isElement, textOf } from './xast.js'

// Per-glyph positioning and length adjustment have no equivalent on the `<text>` element itself.
const POSITIONAL = /^(dx|dy|rotate|textLength|lengthAdjust)$/

/** Merges a single `<tspan>` into its `<text>`; returns the change line, or undefined. */
export function mergeSingleTspan(text: XastElement, refs: Set<string>): string | undefined {
  const spans = text.children.filter(isElement)
  const span = spans[0]
  if (spans.length !== 1 || span?.name !== 'tspan') return undefined
  if (span.children.some(isElement)) return undefined
  const others = text.children.filter((c) => c !== span)
  if (others.some((c) => c.type !== 'text' || c.value.trim() !== '')) return undefined
  const a = span.attributes
  if (Object.keys(a).some((k) => POSITIONAL.test(k))) return undefined
  if (a.id !== undefined && refs.has(a.id)) return undefined
  // Preserved whitespace before the run would be drawn unless the run repositions itself.
  const preserve = (text.attributes['xml:space'] ?? a['xml:space']) === 'preserve'
  if (preserve && others.length > 0 && (a.x === undefined || a.y === undefined)) return undefined
  // The run's own x/y (carried over below) is where its glyphs were drawn.
  const { id: _id, ...carried } = a
  text.attributes = { ...text.attributes, ...carried }
  text.children = [{ type: 'text', value: textOf(span) }]
  return 'merged the single <tspan> into its <text>'
}
