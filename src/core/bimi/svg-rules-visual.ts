import { shown, svgIssue } from './svg-issues.js'
import { isSquare, parseLength, parseViewBox, toPixels } from './svg-geometry.js'
import type { Box } from './svg-geometry.js'
import { attrValue, elementPath, isSvgElement, walk } from './svg-tree.js'
import type { SvgDocument } from './svg-tree.js'
import type { SvgIssue } from './types.js'

// Gmail's documented minimum rendering size for BIMI logos.
const MIN_PIXELS = 96

/** The root's viewBox if it parses, its absolute width/height in pixels, and the drawing area. */
export function rootGeometry(doc: SvgDocument): {
  viewBox: Box | null
  width: number | null
  height: number | null
  /** The user-space area the logo occupies: the viewBox, or 0 0 width height without one. */
  area: Box | null
} {
  const vb = attrValue(doc.root, 'viewBox')
  const viewBox = vb === undefined ? null : parseViewBox(vb)
  const width = toPixels(parseLength(attrValue(doc.root, 'width')))
  const height = toPixels(parseLength(attrValue(doc.root, 'height')))
  const area =
    viewBox ??
    (vb === undefined && width !== null && height !== null ? { x: 0, y: 0, width, height } : null)
  return { viewBox, width, height, area }
}

// Judged on the viewBox and, when both are absolute, on width/height (the viewport); an
// unreadable viewBox is an error of its own.
/** BIMI guidance, BIMI Group, Gmail: the logo is square. */
export function checkAspect(doc: SvgDocument): SvgIssue[] {
  const issues: SvgIssue[] = []
  const path = elementPath(doc.root)
  const vb = attrValue(doc.root, 'viewBox')
  const { viewBox, width, height } = rootGeometry(doc)
  if (vb !== undefined && viewBox === null) {
    const message = `viewBox="${shown(vb)}" is not four numbers with a positive width and height`
    issues.push(svgIssue('viewbox-invalid', path, message))
  }
  if (viewBox && !isSquare(viewBox.width, viewBox.height)) {
    const message = `viewBox is ${viewBox.width}×${viewBox.height}; the logo must be square`
    issues.push(svgIssue('aspect-ratio', path, message))
  }
  if (width !== null && height !== null && !isSquare(width, height)) {
    const message = `width×height is ${width}×${height} px; the logo must be square`
    issues.push(svgIssue('aspect-ratio', path, message))
  }
  if (vb === undefined && (width === null || height === null)) {
    const message = 'no viewBox and no absolute width and height: the aspect ratio is unknown'
    issues.push(svgIssue('aspect-unknown', path, message))
  }
  return issues
}

/** Gmail (BIMI help): absolute sizes (no %) of at least 96×96. */
export function checkPixelSize(doc: SvgDocument): SvgIssue[] {
  const issues: SvgIssue[] = []
  const path = elementPath(doc.root)
  for (const name of ['width', 'height']) {
    if (parseLength(attrValue(doc.root, name))?.unit === '%') {
      const message = `${name} is a percentage; give the size in absolute pixels`
      issues.push(svgIssue('percent-size', path, message))
    }
  }
  const { viewBox, width, height } = rootGeometry(doc)
  const w = width ?? viewBox?.width ?? null
  const h = height ?? viewBox?.height ?? null
  if (w !== null && h !== null && (w < MIN_PIXELS || h < MIN_PIXELS)) {
    const message = `the logo is ${w}×${h}; Gmail asks for at least ${MIN_PIXELS}×${MIN_PIXELS}`
    issues.push(svgIssue('small-size', path, message))
  }
  return issues
}

/** BIMI Group, Gmail: a non-empty `desc` for accessibility. */
export function checkDesc(doc: SvgDocument): SvgIssue[] {
  const descs = doc.root.children.filter((c) => isSvgElement(c, 'desc'))
  if (descs.length === 0) {
    const message = 'no <desc>; a short description helps accessibility'
    return [svgIssue('desc-missing', elementPath(doc.root), message)]
  }
  return descs
    .filter((d) => d.text.trim() === '')
    .map((d) => svgIssue('desc-empty', elementPath(d), '<desc> is empty'))
}

/** SVG-PS §2.4 (as quoted), BIMI guidance: fonts are not reliably available; outline text. */
export function checkText(doc: SvgDocument): SvgIssue[] {
  const issues: SvgIssue[] = []
  walk(doc.root, (el) => {
    if (isSvgElement(el, 'text') || isSvgElement(el, 'textArea')) {
      const message = `<${el.local}> depends on the reader's fonts; convert text to paths`
      issues.push(svgIssue('text-element', elementPath(el), message))
    }
    return true
  })
  return issues
}
