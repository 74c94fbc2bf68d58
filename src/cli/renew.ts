import { canonicalHost } from '../core/canonical-host.js'
import { DomainError } from '../core/errors.js'
import type { Runtime } from '../main.js'
import type { Skip } from '../services/engines/cert-manager.js'
import { escapeText, out } from './output.js'

/** Why a hostname was not issued for, in words. */
export function skipReason(s: Skip): string {
  const until = s.until?.toISOString() ?? '-'
  switch (s.reason) {
    case 'not_due':
      return `not due until ${until} (--force renews now)`
    case 'backoff':
      return `backing off until ${until} after: ${s.lastError ?? 'an error'} (--force retries now)`
    case 'leased':
      return 'another process is issuing it now'
    case 'in_flight':
      return 'already being issued'
  }
}

/** Runs issuance now, as the scheduler would; exit 1 when any attempt failed. */
export async function renew(
  rt: Runtime,
  host: string | undefined,
  force: boolean,
): Promise<number> {
  await rt.certs.prepare()
  await rt.snapshot.refresh()
  const skips: Skip[] = []
  const onSkip = (s: Skip) => skips.push(s)
  let summary
  if (host) {
    const name = canonicalHost(host)
    if (rt.snapshot.certSerial(name) === undefined)
      throw new DomainError('NOT_FOUND', `no hostname "${name}" is served here`)
    summary = await rt.certs.renew([name], force, onSkip)
  } else {
    summary = force
      ? await rt.certs.renew(rt.snapshot.hostnames(), true, onSkip)
      : await rt.certs.runDue(true, onSkip)
  }
  out(
    Object.entries(summary)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
  )
  for (const s of skips) out(`skipped ${s.hostname}: ${escapeText(skipReason(s))}`)
  return summary.failed > 0 || summary.dns_pending > 0 ? 1 : 0
}
