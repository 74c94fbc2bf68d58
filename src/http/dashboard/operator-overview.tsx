/**
 * The parts of `/operator/overview` (issue 14): certificates by state with counts, the failing
 * ones with their last error, and alert deliveries that failed for good. Hostnames, errors and
 * targets are outside text: JSX escapes them.
 */
import type { CertStatus } from '../../core/certs/types.js'
import type { FailedDeliveries } from '../../services/alerts/failed-deliveries.js'
import type { CertificateOverview } from '../../services/certs/cert-overview.js'
import { when } from './page-dates.js'

const STATE_TEXT: Record<CertStatus, [string, string]> = {
  ok: ['state-ok', 'valid'],
  pending: ['state-warning', 'pending (being ordered)'],
  dns_pending: ['state-warning', 'waiting for DNS'],
  failed: ['state-error', 'failing'],
}

export function CertificateSections(props: { certs: CertificateOverview }) {
  const { certs } = props
  return (
    <>
      <section aria-labelledby="cert-states">
        <h2 id="cert-states">Certificates by state</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Hostnames</th>
              </tr>
            </thead>
            <tbody>
              {(Object.keys(STATE_TEXT) as CertStatus[]).map((s) => (
                <tr>
                  <th scope="row" class={STATE_TEXT[s][0]}>
                    {STATE_TEXT[s][1]}
                  </th>
                  <td>{certs.counts[s]}</td>
                </tr>
              ))}
              <tr>
                <th scope="row" class={certs.expired > 0 ? 'state-error' : undefined}>
                  expired (any state)
                </th>
                <td>{certs.expired}</td>
              </tr>
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="failing">
        <h2 id="failing">Failing certificates</h2>
        {certs.failing.length === 0 ? (
          <p class="state-ok">None: every certificate's last attempt succeeded or is pending.</p>
        ) : (
          <>
            {certs.failingTotal > certs.failing.length && (
              <p>
                The {certs.failing.length} with the most failures of {certs.failingTotal}:
              </p>
            )}
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Hostname</th>
                    <th scope="col">Failures</th>
                    <th scope="col">Last attempt</th>
                    <th scope="col">Next attempt</th>
                    <th scope="col">Last error</th>
                  </tr>
                </thead>
                <tbody>
                  {certs.failing.map((f) => (
                    <tr>
                      <th scope="row">{f.hostname}</th>
                      <td>{f.failures}</td>
                      <td>{when(f.lastAttemptAt)}</td>
                      <td>{when(f.dueAt)}</td>
                      <td>{f.lastError ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
    </>
  )
}

export function FailedDeliveriesSection(props: { failed: FailedDeliveries }) {
  const { failed } = props
  return (
    <section aria-labelledby="failed-deliveries">
      <h2 id="failed-deliveries">Failed alert deliveries</h2>
      {failed.partial && (
        <p class="notice">Only some tenants' webhooks and addresses were looked at.</p>
      )}
      {failed.items.length === 0 ? (
        <p class="state-ok">None recently.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Tenant</th>
                <th scope="col">Target</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last answer</th>
              </tr>
            </thead>
            <tbody>
              {failed.items.map((d) => (
                <tr>
                  <td>{when(d.at)}</td>
                  <td>{d.tenantName}</td>
                  <th scope="row">
                    {d.channel} <code>{d.target}</code>
                  </th>
                  <td>{d.attempts}</td>
                  <td>
                    {d.lastStatus !== null && `status ${d.lastStatus} `}
                    {d.lastReason ?? ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
