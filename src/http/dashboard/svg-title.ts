/** The title of a converted BIMI logo, for the page to show as text (issue 14). */

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

/**
 * The text of the converted logo's <title> (SVG-PS §2.1: the first child of the root, which the
 * converter guarantees), entities decoded so the page escapes it once, as any outside text.
 */
export function titleOf(svg: string): string | null {
  const m = /<title(?:\s[^>]*)?>([^<]{0,1000})<\/title>/.exec(svg)
  if (!m) return null
  return m[1]!.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-f]{1,6}|#[0-9]{1,7});/gi, (_, e: string) => {
    if (e[0] !== '#') return XML_ENTITIES[e.toLowerCase()] ?? ''
    const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)
    return code <= 0x10ffff ? String.fromCodePoint(code) : ''
  })
}
