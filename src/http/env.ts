import type { Actor } from '../core/actor.js'
import type { Logger } from '../core/ports.js'

/** Per-request variables every handler can read. */
export interface AppEnv {
  Variables: {
    requestId: string
    log: Logger
    actor: Actor
  }
}
