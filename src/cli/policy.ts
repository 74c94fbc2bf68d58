/** `policy set|show` and `records`: the services behind /domains/DOMAIN/mta-sts and /records. */
import { SYSTEM_ACTOR } from '../core/actor.js'
import { renderBind } from '../core/dns/bind.js'
import { MtaStsPolicyInput } from '../core/mta-sts/policy.js'
import type { Runtime } from '../main.js'
import { getPolicy, setPolicy, type PolicyView } from '../services/mta-sts/mta-sts.js'
import { recordsFor } from '../services/domains/records.js'
import { serviceWarnings } from '../services/domains/service-warnings.js'
import { flag, str, type OptionValues } from './command.js'
import { domainArg, json, out, parse, UsageError } from './output.js'

const policyJson = (p: PolicyView) => ({
  domain: p.domain,
  id: p.policyId,
  mode: p.mode,
  mx: p.mx,
  maxAge: p.maxAge,
  text: p.text,
  updatedAt: p.updatedAt.toISOString(),
})

/** `policy set DOMAIN --mode M [--mx HOST]... --max-age SECONDS`: prints the id and the text. */
export async function policySet(rt: Runtime, name: string, o: OptionValues): Promise<number> {
  const raw = str(o, 'max-age')
  const maxAge = raw === undefined ? undefined : Number(raw)
  const mx = Array.isArray(o.mx) ? o.mx : []
  const policy = parse(MtaStsPolicyInput, { mode: str(o, 'mode'), mx, maxAge })
  const view = await setPolicy(rt.deps, SYSTEM_ACTOR, domainArg(name), policy)
  out(`id: ${view.policyId}${view.changed ? '' : ' (unchanged)'}\n${view.text}`)
  return 0
}

/** `policy show DOMAIN [--json]`: the id, then the text as served. */
export async function policyShow(rt: Runtime, name: string, o: OptionValues): Promise<number> {
  const view = await getPolicy(rt.deps, SYSTEM_ACTOR, domainArg(name))
  if (flag(o, 'json')) json(policyJson(view))
  else out(`id: ${view.policyId}\n${view.text}`)
  return 0
}

/** `records DOMAIN [--format json|bind]`; warnings as zone-file comments or on stderr. */
export async function recordsCmd(rt: Runtime, name: string, o: OptionValues): Promise<number> {
  const format = str(o, 'format') ?? 'json'
  if (format !== 'json' && format !== 'bind') throw new UsageError('--format must be json or bind')
  const records = await recordsFor(rt.deps, SYSTEM_ACTOR, domainArg(name))
  const warnings = await serviceWarnings(rt.deps)
  if (format === 'bind') {
    out(renderBind(records, warnings))
    return 0
  }
  // stdout stays the records alone (scripts parse it); the warnings go where people look.
  json(records)
  for (const w of warnings) process.stderr.write(`policyhost: warning: ${w}\n`)
  return 0
}
