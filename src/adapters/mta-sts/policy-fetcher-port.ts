/** adapters/mta-sts: the checker's PolicyFetcher port over fetchPolicy (policy-fetcher.ts). */
import type { PolicyFetcher } from '../../core/checks/check-ports.js'
import { fetchPolicy } from './policy-fetcher.js'

export function policyFetcher(opts: {
  timeoutMs: number
  port?: number
  ca?: string
}): PolicyFetcher {
  return {
    async fetch(domain, address, now) {
      const r = await fetchPolicy({ domain, address, now, ...opts })
      return r.ok ? { ok: true, text: r.text } : { ok: false, reason: r.reason, detail: r.detail }
    },
  }
}
