import { readFile, writeFile } from 'node:fs/promises'
import { fileTools } from '../main.js'
import { escapeText, out } from './output.js'

/** What to do about a missing <title>: BIMI needs one, and only the operator knows the brand. */
const TITLE_HINT = 'pass --title "Your Brand"'

/** Converts without a database: prints the SVG (or writes --out), changes and problems. */
export async function convertFile(
  path: string,
  title: string | undefined,
  outPath: string | undefined,
): Promise<number> {
  const input = await readFile(path, 'utf8')
  const { convertToTinyPs } = await fileTools()
  const r = convertToTinyPs(input, { title })
  if (outPath) await writeFile(outPath, r.svg)
  else out(r.svg)
  const line = (kind: string, text: string) =>
    process.stderr.write(`${kind}: ${escapeText(text)}\n`)
  for (const change of r.changes) line('changed', change)
  for (const i of r.verdict.errors) {
    const hint = i.rule === 'title-missing' ? `; ${TITLE_HINT}` : ''
    line('error', `${i.path} ${i.rule}: ${i.message}${hint}`)
  }
  for (const i of r.verdict.warnings) line('warning', `${i.path} ${i.rule}: ${i.message}`)
  return r.verdict.valid ? 0 : 1
}
