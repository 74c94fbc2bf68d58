/** `logo list|upload`: the services behind GET …/bimi and PUT …/bimi/logo. */
import { open } from 'node:fs/promises'
import { SYSTEM_ACTOR } from '../core/actor.js'
import { Selector } from '../core/bimi/selector.js'
import { MAX_LOGO_BYTES } from '../core/bimi/types.js'
import { DomainError } from '../core/errors.js'
import type { Runtime } from '../main.js'
import { bimiView } from '../http/views.js'
import { listBimi, uploadLogo } from '../services/bimi/bimi-logo.js'
import { flag, str, type OptionValues } from './command.js'
import { domainArg, escapeText, json, out, parse, table } from './output.js'

/** `logo list DOMAIN [--json]`. */
export async function logoList(rt: Runtime, name: string, o: OptionValues): Promise<number> {
  const all = (await listBimi(rt.deps, SYSTEM_ACTOR, domainArg(name))).map(bimiView)
  if (flag(o, 'json')) json(all)
  else {
    table(
      ['selector', 'logo URL', 'certificate URL', 'certificate until', 'updated'],
      all.map((b) => [b.selector, b.logoUrl, b.certificateUrl, b.certificateNotAfter, b.updatedAt]),
    )
  }
  return 0
}

/** Reads at most `max` + 1 bytes: a bigger file is refused without reading all of it. */
async function readCapped(path: string, max: number): Promise<Uint8Array> {
  const file = await open(path, 'r')
  try {
    const buf = Buffer.alloc(max + 1)
    let n = 0
    while (n < buf.length) {
      const { bytesRead } = await file.read(buf, n, buf.length - n, n)
      if (bytesRead === 0) break
      n += bytesRead
    }
    if (n > max) throw new DomainError('VALIDATION', `the logo is over ${max} bytes (SVG-PS §2.4)`)
    return new Uint8Array(buf.subarray(0, n))
  } finally {
    await file.close()
  }
}

/** `logo upload DOMAIN FILE [--selector S] [--json]`: warnings on stderr. */
export async function logoUpload(
  rt: Runtime,
  name: string,
  path: string,
  o: OptionValues,
): Promise<number> {
  const selector = parse(Selector, str(o, 'selector'))
  const bytes = await readCapped(path, MAX_LOGO_BYTES)
  const r = await uploadLogo(rt.deps, SYSTEM_ACTOR, domainArg(name), selector, bytes)
  const v = bimiView(r)
  if (flag(o, 'json')) json({ ...v, changed: r.changed, warnings: r.warnings })
  else {
    out(
      `logo ${r.changed ? 'stored' : 'unchanged'} for selector ${v.selector}: ${escapeText(v.logoUrl)}`,
    )
  }
  for (const w of r.warnings) {
    process.stderr.write(`warning: ${escapeText(`${w.path} ${w.rule}: ${w.message}`)}\n`)
  }
  return 0
}
