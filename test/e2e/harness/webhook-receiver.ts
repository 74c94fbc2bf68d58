/**
 * A tenant's alert webhook receiver for the e2e suite: a plain HTTP server on loopback that
 * verifies every delivery's signature as README "Alerts" tells receivers to (HMAC-SHA256 of
 * "<X-Policyhost-Timestamp>.<raw body>", compared in constant time) and keeps what it received.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'

export type ReceivedAlert = { body: Record<string, unknown>; raw: string }

export interface Receiver {
  server: Server
  /** Deliveries whose signature verified, in arrival order. */
  received: ReceivedAlert[]
  /** Raw bodies of deliveries whose signature did not (answered 401). */
  rejected: string[]
}

/** The receiver (not yet listening): checks each signature with `secret()`, keeps each body. */
export function startReceiver(secret: () => string): Receiver {
  const received: ReceivedAlert[] = []
  const rejected: string[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      const ts = String(req.headers['x-policyhost-timestamp'] ?? '')
      const given = Buffer.from(String(req.headers['x-policyhost-signature'] ?? ''))
      const mac = createHmac('sha256', secret()).update(`${ts}.${raw}`).digest('hex')
      const wanted = Buffer.from(`sha256=${mac}`)
      if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
        rejected.push(raw)
        res.writeHead(401).end()
        return
      }
      received.push({ body: JSON.parse(raw) as Record<string, unknown>, raw })
      res.writeHead(204).end()
    })
  })
  return { server, received, rejected }
}

/** Waits until `count()` stops growing for `quietMs` (deliveries are sent after the check). */
export async function settled(
  count: () => number,
  quietMs = 2_000,
  maxMs = 20_000,
): Promise<number> {
  const until = Date.now() + maxMs
  let last = -1
  let since = Date.now()
  while (Date.now() < until) {
    const now = count()
    if (now !== last) [last, since] = [now, Date.now()]
    else if (Date.now() - since >= quietMs) break
    await sleep(100)
  }
  return last
}
