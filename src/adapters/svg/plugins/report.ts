/**
 * svgo's built-in plugins say nothing about what they changed, and the converter must list every
 * change. `reported()` puts a snapshot plugin before a built-in and a diff plugin after it, and
 * turns the difference (nodes removed, attributes added, removed or changed) into change lines.
 */
import type { CustomPlugin, PluginConfig, XastChild, XastElement, XastRoot } from 'svgo'
import { elementPaths, type ChangeLog } from './xast.js'

export interface Removed {
  node: XastChild
  /** Path of the element (or of the parent, for comments and instructions). */
  path: string
}

export interface Edited {
  element: XastElement
  path: string
  before: Record<string, string>
  after: Record<string, string>
}

export interface Diff {
  removed: Removed[]
  edited: Edited[]
}

interface Snapshot {
  nodes: Map<XastChild, { path: string; parent: XastChild | null }>
  attrs: Map<XastElement, Record<string, string>>
}

function snapshot(root: XastRoot): Snapshot {
  const paths = elementPaths(root)
  const nodes: Snapshot['nodes'] = new Map()
  const attrs: Snapshot['attrs'] = new Map()
  const visit = (children: XastChild[], parent: XastElement | null) => {
    for (const child of children) {
      const path = child.type === 'element' ? paths.get(child) : parent && paths.get(parent)
      nodes.set(child, { path: path ?? '/', parent })
      if (child.type === 'element') {
        attrs.set(child, { ...child.attributes })
        visit(child.children, child)
      }
    }
  }
  visit(root.children, null)
  return { nodes, attrs }
}

function diff(before: Snapshot, root: XastRoot): Diff {
  const after = snapshot(root)
  const removed: Removed[] = []
  for (const [node, { path, parent }] of before.nodes) {
    // Only the outermost removed node: its descendants went with it.
    if (after.nodes.has(node) || (parent !== null && !after.nodes.has(parent))) continue
    removed.push({ node, path })
  }
  const edited: Edited[] = []
  for (const [element, was] of before.attrs) {
    const now = after.attrs.get(element)
    if (now === undefined) continue
    const keys = new Set([...Object.keys(was), ...Object.keys(now)])
    if ([...keys].some((k) => was[k] !== now[k])) {
      edited.push({
        element,
        path: before.nodes.get(element)?.path ?? '/',
        before: was,
        after: now,
      })
    }
  }
  return { removed, edited }
}

/** Attributes present after but not before, or changed. */
export const added = (e: Edited) => Object.keys(e.after).filter((k) => e.before[k] !== e.after[k])

/** Attributes present before but not after. */
export const dropped = (e: Edited) => Object.keys(e.before).filter((k) => !(k in e.after))

/**
 * The built-in `plugin` wrapped so that `describe` turns what it did into change lines. `fixup`
 * may repair the tree after the built-in ran (before the diff is taken), e.g. restore an id that
 * inlineStyles removed although something still references it.
 */
export function reported(
  log: ChangeLog,
  plugin: Exclude<PluginConfig, CustomPlugin | string>,
  describe: (d: Diff) => string[],
  fixup?: (root: XastRoot, before: Diff) => void,
): PluginConfig[] {
  let taken: Snapshot | undefined
  return [
    {
      name: `${plugin.name}:before`,
      fn: (root) => {
        taken = snapshot(root)
        return null
      },
    },
    plugin,
    {
      name: `${plugin.name}:after`,
      fn: (root) => {
        if (taken === undefined) return null
        if (fixup) fixup(root, diff(taken, root))
        log.changes.push(...describe(diff(taken, root)))
        taken = undefined
        return null
      },
    },
  ]
}
