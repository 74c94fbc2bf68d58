/**
 * SVG transform lists as 2×3 matrices `[a, b, c, d, e, f]` (x' = a·x + c·y + e,
 * y' = b·x + d·y + f; SVG 1.1 §7.4), enough to fold a `gradientTransform` into coordinates.
 */
export type Matrix = [number, number, number, number, number, number]

export const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0]

export function multiply(m: Matrix, n: Matrix): Matrix {
  const [a, b, c, d, e, f] = m
  const [A, B, C, D, E, F] = n
  return [
    a * A + c * B,
    b * A + d * B,
    a * C + c * D,
    b * C + d * D,
    a * E + c * F + e,
    b * E + d * F + f,
  ]
}

const rad = (deg: number) => (deg * Math.PI) / 180

function step(fn: string, v: number[]): Matrix | undefined {
  const [p = NaN, q, r] = v
  switch (fn) {
    case 'matrix':
      return v.length === 6 ? (v as Matrix) : undefined
    case 'translate':
      return [1, 0, 0, 1, p, q ?? 0]
    case 'scale':
      return [p, 0, 0, q ?? p, 0, 0]
    case 'rotate': {
      const [cos, sin] = [Math.cos(rad(p)), Math.sin(rad(p))]
      const turn: Matrix = [cos, sin, -sin, cos, 0, 0]
      if (q === undefined || r === undefined) return turn
      return multiply(multiply([1, 0, 0, 1, q, r], turn), [1, 0, 0, 1, -q, -r])
    }
    case 'skewX':
      return [1, 0, Math.tan(rad(p)), 1, 0, 0]
    case 'skewY':
      return [1, Math.tan(rad(p)), 0, 1, 0, 0]
    default:
      return undefined
  }
}

/** Parses a transform list; undefined when any part is malformed (then nothing is folded). */
export function parseTransform(list: string): Matrix | undefined {
  let m: Matrix = IDENTITY
  const re = /\s*([a-zA-Z]+)\s*\(([^)]*)\)\s*,?/gy
  let consumed = 0
  for (const [all, fn = '', args = ''] of list.matchAll(re)) {
    const nums =
      args.trim() === ''
        ? []
        : args
            .trim()
            .split(/[\s,]+/)
            .map(Number)
    const next = nums.some((n) => !Number.isFinite(n)) ? undefined : step(fn, nums)
    if (next === undefined) return undefined
    m = multiply(m, next)
    consumed += all.length
  }
  return consumed === list.length ? m : undefined
}

export const apply = (m: Matrix, x: number, y: number): [number, number] => [
  m[0] * x + m[2] * y + m[4],
  m[1] * x + m[3] * y + m[5],
]

export const det = (m: Matrix) => m[0] * m[3] - m[1] * m[2]

/** Whether `m` keeps circles circles (rotation, uniform scale, reflection, translation). */
export function isSimilarity(m: Matrix): boolean {
  const [a, b, c, d] = m
  const tol = 1e-9 * Math.max(1, Math.abs(a), Math.abs(b), Math.abs(c), Math.abs(d))
  const close = (x: number, y: number) => Math.abs(x - y) <= tol
  return (close(a, d) && close(b, -c)) || (close(a, -d) && close(b, c))
}
