/** `check DOMAIN [--json]`: the checks of POST /domains/DOMAIN/checks, run now (issue 13). */
import { SYSTEM_ACTOR } from '../core/actor.js'
import type { Runtime } from '../main.js'
import { checkNow } from '../services/checks/domain-checks.js'
import { flag, type OptionValues } from './command.js'
import { domainArg, escapeText, json, out, table } from './output.js'

/** Exit status: 0 when no error-severity finding is open, 1 when one is (for scripts). */
export async function checkCmd(rt: Runtime, name: string, o: OptionValues): Promise<number> {
  const r = await checkNow(rt.deps, SYSTEM_ACTOR, domainArg(name), { limited: false })
  const failing = r.findings.some((f) => f.severity === 'error') ? 1 : 0
  if (flag(o, 'json')) {
    json({
      ran: r.ran,
      skipped: r.skipped,
      changes: r.changes.map((c) => ({ change: c.change, key: c.finding.key })),
      findings: r.findings.map((f) => ({ ...f, openedAt: f.openedAt.toISOString() })),
    })
    return failing
  }
  out(`checked: ${r.ran.join(', ') || 'nothing'}`)
  for (const s of r.skipped) out(`not checked: ${s.kind} (${escapeText(s.reason)})`)
  for (const c of r.changes) out(`${c.change}: ${escapeText(c.finding.key)}`)
  out('')
  if (r.findings.length === 0) out('no problems found')
  else {
    table(
      ['severity', 'check', 'since', 'problem'],
      r.findings.map((f) => [f.severity, f.kind, f.openedAt.toISOString(), f.message]),
    )
  }
  return failing
}
