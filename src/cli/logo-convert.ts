import { readFile, writeFile } from 'node:fs/promises'
import { convertToTinyPs } from '../adapters/svg/convert.js'
import { out } from './output.js'

/** Converts without a database: prints the SVG (or writes --out), changes and problems. */
export async function convertFile(
  path: string,
  title: string | undefined,
  outPath: string | undefined,
): Promise<number> {
  const input = await readFile(path, 'utf8')
  const r = convertToTinyPs(input, { title })
  if (outPath) await writeFile(outPath, r.svg)
  else out(r.svg)
  for (const change of r.changes) process.stderr.write(`changed: ${change}\n`)
  for (const i of r.verdict.errors)
    process.stderr.write(`error: ${i.path} ${i.rule}: ${i.message}\n`)
  for (const i of r.verdict.warnings)
    process.stderr.write(`warning: ${i.path} ${i.rule}: ${i.message}\n`)
  return r.verdict.valid ? 0 : 1
}
