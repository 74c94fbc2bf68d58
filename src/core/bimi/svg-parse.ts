import { SaxesParser } from 'saxes'
import type { SaxesTagNS } from 'saxes'
import { svgIssue } from './svg-issues.js'
import { assignSteps, XML_NS } from './svg-tree.js'
import type { SvgDocument, SvgElement } from './svg-tree.js'
import { MAX_LOGO_BYTES } from './types.js'
import type { SvgIssue } from './types.js'

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/'

export type DecodeResult = { ok: true; text: string } | { ok: false; issue: SvgIssue }

/** Applies the byte cap and UTF-8 decoding that come before any parsing; a BOM is dropped. */
export function decodeSvg(input: string | Uint8Array): DecodeResult {
  const bytes = utf8Length(input)
  if (bytes > MAX_LOGO_BYTES) {
    const size =
      bytes === input.length && typeof input === 'string' ? `at least ${bytes}` : `${bytes}`
    const message = `${size} bytes is over the ${MAX_LOGO_BYTES}-byte (32 KiB) limit; not parsed`
    return { ok: false, issue: svgIssue('size', '/', message) }
  }
  if (typeof input === 'string') return { ok: true, text: input.replace(/^\uFEFF/, '') }
  try {
    // fatal: malformed UTF-8 is refused rather than silently replaced with U+FFFD.
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(input) }
  } catch {
    const message = 'the bytes are not valid UTF-8; save the logo as UTF-8'
    return { ok: false, issue: svgIssue('encoding', '/', message) }
  }
}

// SVG-PS §2.4: the limit is on the uncompressed bytes, so a string is measured as UTF-8. A string
// never has fewer UTF-8 bytes than UTF-16 code units, so an over-long one is refused unencoded.
function utf8Length(input: string | Uint8Array): number {
  if (typeof input !== 'string') return input.length
  if (input.length > MAX_LOGO_BYTES) return input.length
  return new TextEncoder().encode(input).length
}

export type ParseResult =
  { doc: SvgDocument; issues: SvgIssue[] } | { doc: null; issues: SvgIssue[] }

// Thrown from inside parser callbacks to stop at the first construct we refuse outright.
class Refusal {
  constructor(readonly issue: SvgIssue) {}
}

// A DOCTYPE (and with it every ENTITY declaration and external DTD) or a well-formedness error
// stops the parse: nothing is expanded or fetched, since saxes knows only the five predefined
// entities and never reads a DTD.
/** Parses the text into an element tree, refusing a DOCTYPE before anything is expanded. */
export function parseSvg(text: string): ParseResult {
  const issues: SvgIssue[] = []
  const parser = new SaxesParser({ xmlns: true })
  const elements: SvgElement[] = []
  const ids = new Map<string, SvgElement>()
  let current: SvgElement | null = null
  let root: SvgElement | null = null

  parser.on('xmldecl', (decl) => {
    const encoding = decl.encoding
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
      const message = `the XML declaration says encoding="${encoding}"; only UTF-8 is accepted`
      issues.push(svgIssue('encoding', '/', message))
    }
  })
  parser.on('doctype', () => {
    const message =
      'a DOCTYPE is not allowed (entity declarations and external DTDs are refused unread)'
    throw new Refusal(svgIssue('doctype', '/', message))
  })
  parser.on('processinginstruction', (pi) => {
    const what = pi.target === 'xml-stylesheet' ? ' (an external style sheet)' : ''
    const message = `processing instruction <?${pi.target}?>${what} is not allowed`
    issues.push(svgIssue('processing-instruction', '/', message))
  })
  parser.on('opentag', (tag: SaxesTagNS) => {
    const el: SvgElement = {
      name: tag.name,
      local: tag.local,
      uri: tag.uri,
      attributes: Object.values(tag.attributes)
        .filter((a) => a.uri !== XMLNS_NS)
        .map((a) => ({ name: a.name, local: a.local, uri: a.uri, value: a.value })),
      children: [],
      parent: current,
      text: '',
      step: '',
    }
    if (current) current.children.push(el)
    else root = el
    elements.push(el)
    for (const a of el.attributes) {
      const isId = (a.uri === '' && a.local === 'id') || (a.uri === XML_NS && a.local === 'id')
      const id = a.value.trim()
      if (isId && !ids.has(id)) ids.set(id, el)
    }
    current = el
  })
  parser.on('closetag', () => {
    current = current?.parent ?? null
  })
  const addText = (t: string): void => {
    if (current) current.text += t
  }
  parser.on('text', addText)
  parser.on('cdata', addText)
  parser.on('error', (err) => {
    const message = `not well-formed XML: ${err.message.replace(/\.$/, '')}`
    throw new Refusal(svgIssue('xml-well-formed', '/', message))
  })

  try {
    parser.write(text).close()
  } catch (e) {
    if (e instanceof Refusal) return { doc: null, issues: [...issues, e.issue] }
    throw e
  }
  if (!root) return { doc: null, issues }
  assignSteps(root)
  return { doc: { root, elements, ids }, issues }
}
