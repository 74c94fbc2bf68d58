/**
 * Which alert channels this server offers (issue 13/14): webhooks always; mail only where the
 * operator configured a relay (SMTP_URL). Pages say so before a tenant tries to add an address.
 */
import type { ServiceDeps } from '../deps.js'

export interface AlertChannels {
  webhooks: true
  mail: boolean
}

export function alertChannels(deps: Pick<ServiceDeps, 'mail'>): AlertChannels {
  return { webhooks: true, mail: deps.mail !== null }
}
