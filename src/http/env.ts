import type { IncomingMessage } from 'node:http'
import type { Actor } from '../core/actor.js'
import type { Logger } from '../core/ports.js'

/** Per-request variables every handler can read. */
export interface AppEnv {
  /** From the node adapter; absent (no socket) when a test calls app.request(). */
  Bindings: { incoming?: IncomingMessage }
  Variables: {
    requestId: string
    log: Logger
    actor: Actor
  }
}
