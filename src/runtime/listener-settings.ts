/**
 * The listeners' connection gate and deadlines from the configuration: one gate for both
 * listeners, because the caps count every open connection of the process and must stay under
 * its open-files limit, or accept() would fail for everyone before a cap does.
 */
import type { Config } from '../config.js'
import type { Logger } from '../core/ports.js'
import { ConnectionGate } from '../adapters/net/connection-gate.js'
import { capUnderLimit, openFilesLimit } from '../adapters/net/open-files.js'
import type { ListenerOptions } from './listeners.js'

/** Listener options for a port: the shared gate (warned when lowered) and the deadlines. */
export function listenerSettings(config: Config, log: Logger): (port: number) => ListenerOptions {
  const openFiles = openFilesLimit()
  const total = capUnderLimit(config.MAX_CONNECTIONS, openFiles)
  if (total < config.MAX_CONNECTIONS) {
    log.warn('max_connections_lowered', {
      configured: config.MAX_CONNECTIONS,
      effective: total,
      openFilesLimit: openFiles,
      hint: 'raise the open-files limit (ulimit -n, LimitNOFILE=) or lower MAX_CONNECTIONS',
    })
  }
  const gate = new ConnectionGate(
    { total, perSource: Math.min(config.MAX_CONNECTIONS_PER_SOURCE, total) },
    log,
  )
  return (port) => ({
    port,
    hostname: config.BIND_ADDRESS,
    gate,
    handshakeMs: config.TLS_HANDSHAKE_TIMEOUT_SECONDS * 1000,
    headersMs: config.HEADERS_TIMEOUT_SECONDS * 1000,
    requestMs: config.REQUEST_TIMEOUT_SECONDS * 1000,
    keepAliveMs: config.KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
  })
}
