/**
 * The svgo built-ins the converter uses, each chosen because it cannot change the picture, with
 * the words that describe what it did. preset-default is never used: it removes `<title>`,
 * `<desc>` and `viewBox` (BIMI needs them) and rounds coordinates (the picture would move).
 */
import type { PluginConfig, XastChild, XastRoot } from 'svgo'
import { added, dropped, reported, type Diff, type Edited } from './report.js'
import { clip, listAttrs, referencedIds, tag, type ChangeLog } from './xast.js'

/** A removed node as a change line names it. */
function named(node: XastChild): string {
  if (node.type === 'element') return tag(node)
  if (node.type === 'comment') return `comment <!--${clip(node.value, 50)}-->`
  if (node.type === 'instruction') return `<?${node.name} ${clip(node.value, 40)}?>`
  return `${node.type} "${clip('value' in node ? node.value : '', 40)}"`
}

const removedLines = (d: Diff, line: (what: string, path: string) => string) =>
  d.removed.map(({ node, path }) => line(named(node), path))

const editedLines = (d: Diff, line: (e: Edited) => string) => d.edited.map(line)

/** inlineStyles drops an `#id` it inlined even when a `url(#id)` or `href` still needs it. */
function restoreReferencedIds(root: XastRoot, d: Diff): void {
  const refs = referencedIds(root)
  for (const e of d.edited) {
    const id = e.before.id
    if (id !== undefined && e.element.attributes.id === undefined && refs.has(id)) {
      e.element.attributes.id = id
    }
  }
}

/** Built-ins that run before the Tiny PS plugins: clean-up and CSS → attributes. */
export function cleanupSteps(log: ChangeLog): PluginConfig[] {
  return [
    // The output is UTF-8 text; a kept `encoding="…"` declaration could mislabel it.
    ...reported(log, { name: 'removeXMLProcInst' }, (d) =>
      removedLines(d, () => 'removed the XML declaration (the output is UTF-8, which needs none)'),
    ),
    ...reported(log, { name: 'removeComments', params: { preservePatterns: false } }, (d) =>
      removedLines(d, (what, at) => `removed ${what} at ${at} (comments are not drawn)`),
    ),
    // RDF inside <metadata> is outside the profile (D.2); licence data is not drawn.
    ...reported(log, { name: 'removeMetadata' }, (d) =>
      removedLines(d, (what, at) => `removed ${what} at ${at} (editor/licence data, not drawn)`),
    ),
    // Inkscape, Illustrator, Sketch, Figma … namespaces: foreign to the profile, never drawn.
    ...reported(log, { name: 'removeEditorsNSData' }, (d) => [
      ...removedLines(d, (what, at) => `removed editor element ${what} at ${at} (not drawn)`),
      ...editedLines(d, (e) => `removed editor data from ${e.path}: ${dropped(e).join(', ')}`),
    ]),
    // Class rules become style attributes, then presentation attributes below. Rules that match
    // several elements are inlined too (onlyMatchedOnce: false): the profile has no CSS at all.
    ...reported(
      log,
      {
        name: 'inlineStyles',
        params: { onlyMatchedOnce: false, removeMatchedSelectors: true, useMqs: ['', 'screen'] },
      },
      (d) => [
        ...removedLines(d, (what, at) => `removed ${what} at ${at}: all its rules were inlined`),
        ...editedLines(d, (e) => {
          const gone = dropped(e).filter((k) => k !== 'style')
          const note = gone.length > 0 ? `; ${listAttrs(e.before, gone)} no longer needed` : ''
          return `applied <style> rules to ${e.path} as ${listAttrs(e.after, added(e))}${note}`
        }),
      ],
      restoreReferencedIds,
    ),
    ...reported(log, { name: 'convertStyleToAttrs', params: { keepImportant: false } }, (d) =>
      editedLines(d, (e) => {
        const attrs = added(e).filter((k) => k !== 'style')
        const left = e.after.style === undefined ? '' : ` (left in style: ${clip(e.after.style)})`
        return `turned style="${clip(e.before.style ?? '')}" on ${e.path} into ${listAttrs(e.after, attrs)}${left}`
      }),
    ),
    // Editors wrap long `d`/`points` values; whitespace is not significant there.
    ...reported(
      log,
      { name: 'cleanupAttrs', params: { newlines: true, trim: true, spaces: true } },
      (d) => editedLines(d, (e) => `normalised whitespace in ${added(e).join(', ')} on ${e.path}`),
    ),
  ]
}

/** Built-ins that tidy up after the Tiny PS plugins. */
export function tidySteps(log: ChangeLog): PluginConfig[] {
  return [
    // <defs> children without an id can never be referenced, so they are never drawn.
    ...reported(log, { name: 'removeUselessDefs' }, (d) =>
      d.removed.map(({ node, path }) =>
        node.type === 'element' && node.name === 'defs' && node.children.length === 0
          ? `removed the empty <defs> at ${path}`
          : `removed ${named(node)} at ${path}: it has no id, so it is never drawn`,
      ),
    ),
    // After xlink:href → href no `xlink:` attribute may remain; its declaration goes too.
    ...reported(log, { name: 'removeUnusedNS' }, (d) =>
      editedLines(d, (e) => `removed unused namespace declarations ${dropped(e).join(', ')}`),
    ),
  ]
}
