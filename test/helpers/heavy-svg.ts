/**
 * SVG inputs that make the converter work hard, for the tenant-work tests and the bench row.
 * Issue 9 finding 1: a descendant selector over deep nesting; svgo's style inlining backtracks
 * over the ancestors of every element.
 */
const NS = 'xmlns="http://www.w3.org/2000/svg"'

/** Finding 1's shape: `<style>x g g g rect{fill:red}</style>` over `depth` nested `<g>`. */
export function nestedStyleSvg(depth: number, selector = 'x g g g rect'): string {
  return (
    `<svg ${NS} viewBox="0 0 10 10"><style>${selector}{fill:red}</style>` +
    `${'<g>'.repeat(depth)}<rect width="1" height="1"/>${'</g>'.repeat(depth)}</svg>`
  )
}

/** Finding 1 as reported: 300 levels, 2 KB, 10 s of svgo on the serving loop. */
export const FINDING_1_SVG = nestedStyleSvg(300)

/**
 * Finding 1's shape at the deepest nesting the converter accepts (input-bounds.ts): the worst
 * case that reaches the worker pool (~20–60 ms of svgo).
 */
export const FINDING_1_BOUNDED_SVG = nestedStyleSvg(56)

/**
 * Within every input bound yet slow: `elements` shapes, each matched by `rules / 5` class rules
 * that svgo inlines one by one (1,000 × 50 ≈ 1 s, 2,000 × 50 ≈ 2–3 s, 5,000 × 400 > 100 s on
 * Node 20).
 */
export function manyRulesSvg(elements: number, rules: number): string {
  const css = Array.from(
    { length: rules },
    (_, i) =>
      `.a${i % 5}{fill:#${((i * 4111) % 0xffffff).toString(16).padStart(6, '0')};stroke-width:${i}}`,
  ).join('')
  const shapes = Array.from(
    { length: elements },
    (_, i) => `<rect class="a${i % 5}" width="1" height="${i}"/>`,
  ).join('')
  return `<svg ${NS} viewBox="0 0 10 10"><style>${css}</style>${shapes}</svg>`
}

/**
 * Within every input bound (86 KB, 4,000 elements, one selector without combinators), and over
 * 256 MB of svgo's output: each element gets the rule's `valueBytes` declaration inlined as its own
 * style string (4,000 × 30 KB), then the serialised copy. Memory grows as fast as svgo copies, so
 * a 64 MB heap is passed within a second or two (the earlier many-rules shape took 20–40 s of
 * CPU before it reached the limit).
 */
export function memoryHogSvg(elements = 4_000, valueBytes = 30_000): string {
  return (
    `<svg ${NS} viewBox="0 0 10 10"><style>.a{--p:${'x'.repeat(valueBytes)}}</style>` +
    `${'<g class="a"/>'.repeat(elements)}</svg>`
  )
}
