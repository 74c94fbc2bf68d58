import { describe, expect, it } from 'vitest'
import { titleOf } from './svg-title.js'

describe('titleOf', () => {
  it.each([
    ['<svg><title>Acme</title></svg>', 'Acme'],
    ['<svg><title id="t">Acme &amp; Co</title></svg>', 'Acme & Co'],
    [
      '<svg><title>&lt;script&gt;window.__xss=1&lt;/script&gt;</title></svg>',
      '<script>window.__xss=1</script>',
    ],
    ['<svg><title>caf&#233; &#x2603;</title></svg>', 'café ☃'],
    ['<svg><title>&#x110000;</title></svg>', ''],
    ['<svg><desc>no title</desc></svg>', null],
    ['<svg><titles>x</titles></svg>', null],
  ])('when the SVG is %s, then the title is %j', (svg, title) => {
    expect(titleOf(svg)).toBe(title)
  })
})
