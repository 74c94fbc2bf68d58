/** Lengths, viewBox and simple shape bounds, as far as the size and background rules need them. */

export interface Length {
  value: number
  /** '' for user units (px). */
  unit: '' | 'px' | 'pt' | 'pc' | 'mm' | 'cm' | 'in' | 'em' | 'ex' | '%'
}

export interface Box {
  x: number
  y: number
  width: number
  height: number
}

const NUMBER = '[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?'
const LENGTH = new RegExp(`^\\s*(${NUMBER})(px|pt|pc|mm|cm|in|em|ex|%)?\\s*$`)
const NUMBERS = new RegExp(NUMBER, 'g')

// CSS absolute units at 96 px per inch.
const PX_PER_UNIT: Readonly<Record<string, number>> = {
  '': 1,
  px: 1,
  pt: 96 / 72,
  pc: 16,
  in: 96,
  cm: 96 / 2.54,
  mm: 96 / 25.4,
}

/** Parses an SVG length such as `512`, `32px`, `100%`; null when it is not one. */
export function parseLength(value: string | undefined): Length | null {
  if (value === undefined) return null
  const m = LENGTH.exec(value)
  if (!m) return null
  return { value: Number(m[1]), unit: (m[2] ?? '') as Length['unit'] }
}

/** An absolute length in pixels; null for %, em, ex (they depend on the context). */
export function toPixels(length: Length | null): number | null {
  if (!length) return null
  const factor = PX_PER_UNIT[length.unit]
  return factor === undefined ? null : length.value * factor
}

// A negative width or height is an error and zero disables rendering: both are invalid here.
/** SVG Tiny 1.2 §7.7: parses four numbers separated by whitespace and/or a comma, or null. */
export function parseViewBox(value: string): Box | null {
  const parts = value.trim().split(/\s*,\s*|\s+/)
  if (parts.length !== 4 || !parts.every((p) => new RegExp(`^${NUMBER}$`).test(p))) return null
  const [x, y, width, height] = parts.map(Number) as [number, number, number, number]
  return width > 0 && height > 0 ? { x, y, width, height } : null
}

// Rounding in design tools (e.g. 512 × 511.99) is not a different shape; a real non-square
// logo differs by far more than one part in a thousand.
const SQUARE_TOLERANCE = 0.001

/** True when width and height are equal up to export rounding. */
export function isSquare(width: number, height: number): boolean {
  return Math.abs(width - height) <= SQUARE_TOLERANCE * Math.max(width, height)
}

/** The numbers in a list attribute such as `points`. */
export function parseNumbers(value: string): number[] {
  return (value.match(NUMBERS) ?? []).map(Number)
}

// Backgrounds are usually drawn this way; curves would need real geometry, so they give null.
/** Bounds of a path of straight segments only (M, L, H, V, Z), or null. */
export function straightPathBounds(d: string): Box | null {
  const tokens = d.match(new RegExp(`[A-Za-z]|${NUMBER}`, 'g')) ?? []
  let x = 0
  let y = 0
  let command = ''
  const xs: number[] = []
  const ys: number[] = []
  for (let i = 0; i < tokens.length;) {
    const t = tokens[i] as string
    if (/^[A-Za-z]$/.test(t)) {
      if (!/^[MmLlHhVvZz]$/.test(t)) return null
      command = t
      i++
      if (/[Zz]/.test(t)) continue
    } else if (command === '' || /[Zz]/.test(command)) return null
    const relative = command === command.toLowerCase()
    const upper = command.toUpperCase()
    const n = (k: number): number => Number(tokens[i + k])
    if (upper === 'H') [x, i] = [relative ? x + n(0) : n(0), i + 1]
    else if (upper === 'V') [y, i] = [relative ? y + n(0) : n(0), i + 1]
    else [x, y, i] = [relative ? x + n(0) : n(0), relative ? y + n(1) : n(1), i + 2]
    if (!Number.isFinite(x) || !Number.isFinite(y)) return null
    xs.push(x)
    ys.push(y)
    // SVG path grammar: coordinates after a moveto are implicit linetos.
    if (upper === 'M') command = relative ? 'l' : 'L'
  }
  return boundsOf(xs, ys)
}

/** The bounding box of the given coordinates, or null when there are none. */
export function boundsOf(xs: number[], ys: number[]): Box | null {
  if (xs.length === 0 || ys.length === 0) return null
  const x = Math.min(...xs)
  const y = Math.min(...ys)
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y }
}
