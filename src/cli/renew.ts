import type { Runtime } from '../main.js'
import { DomainError } from '../core/errors.js'
import { out } from './output.js'

/** Runs issuance now, as the scheduler would; exit 1 when any attempt failed. */
export async function renew(
  rt: Runtime,
  host: string | undefined,
  force: boolean,
): Promise<number> {
  await rt.certs.prepare()
  await rt.snapshot.refresh()
  let summary
  if (host) {
    const name = host.toLowerCase().replace(/\.$/, '')
    if (rt.snapshot.certSerial(name) === undefined)
      throw new DomainError('NOT_FOUND', `no hostname "${name}" is served here`)
    summary = await rt.certs.renew([name], force)
  } else {
    summary = force ? await rt.certs.renew(rt.snapshot.hostnames(), true) : await rt.certs.runDue()
  }
  out(
    Object.entries(summary)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
  )
  return summary.failed > 0 || summary.dns_pending > 0 ? 1 : 0
}
