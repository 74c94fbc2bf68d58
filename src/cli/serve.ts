import type { Config } from '../config.js'
import { openRuntime, serve } from '../main.js'

/** `serve`: listeners and background jobs until SIGTERM or SIGINT, then a graceful stop. */
export async function serveUntilSignal(config: Config): Promise<number> {
  const server = await serve(await openRuntime(config), {
    drainDelayMs: config.SHUTDOWN_DRAIN_SECONDS * 1000,
  })
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
  })
  await server.close()
  return 0
}
