import type { ServedHost } from './ports.js'

/** The row of an `extra` name (the service host): no domain, no policy, only its certificate. */
export const extraHostRow = (hostname: string, certSerial: string | null): ServedHost => ({
  hostname,
  role: null,
  domain: null,
  domainId: null,
  text: null,
  revision: null,
  certSerial,
})
