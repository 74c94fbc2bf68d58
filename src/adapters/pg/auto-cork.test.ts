import { once } from 'node:events'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { autoCork } from './auto-cork.js'

let server: Server | undefined
afterEach(() => server?.close())

/** A connected client socket, a count of the system-level writes it makes, and what arrives. */
async function connected(): Promise<{
  socket: Socket
  flushes: () => number
  received: Promise<string>
}> {
  let resolveReceived: (s: string) => void = () => {}
  const received = new Promise<string>((r) => (resolveReceived = r))
  server = createServer((peer) => {
    let got = ''
    peer.setEncoding('utf8').on('data', (d: string) => {
      got += d
      if (got.length >= 5) resolveReceived(got)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const socket = connect((server.address() as { port: number }).port, '127.0.0.1')
  socket.setNoDelay(true)
  await once(socket, 'connect')
  let n = 0
  const internals = socket as unknown as Record<'_write' | '_writev', (...a: unknown[]) => void>
  for (const name of ['_write', '_writev'] as const) {
    const original = internals[name].bind(socket)
    internals[name] = (...a: unknown[]) => {
      n++
      original(...a)
    }
  }
  return { socket, flushes: () => n, received }
}

describe('autoCork', () => {
  it('when a query writes its messages one by one in a tick, then they leave in one write, in order', async () => {
    const c = await connected()
    autoCork(c.socket)

    for (const m of ['P', 'B', 'D', 'E', 'S']) c.socket.write(m)
    expect(c.flushes()).toBe(0)

    expect(await c.received).toBe('PBDES')
    expect(c.flushes()).toBe(1)
    c.socket.destroy()
  })

  it('when the socket is not corked, then the same writes take more than one', async () => {
    const c = await connected()

    for (const m of ['P', 'B', 'D', 'E', 'S']) c.socket.write(m)

    expect(await c.received).toBe('PBDES')
    expect(c.flushes()).toBeGreaterThan(1)
    c.socket.destroy()
  })
})
