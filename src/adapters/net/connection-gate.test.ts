import { connect, createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger } from '../log/logger.js'
import { ConnectionGate } from './connection-gate.js'
import { capUnderLimit, openFilesLimit, RESERVED_FILES } from './open-files.js'

describe('capUnderLimit', () => {
  it('when the open-files limit is below the cap, then the cap leaves the reserve free', () => {
    expect(capUnderLimit(10_000, 1_024)).toBe(1_024 - RESERVED_FILES)
    expect(capUnderLimit(10_000, 20_000)).toBe(10_000)
    expect(capUnderLimit(10_000, null)).toBe(10_000)
    expect(capUnderLimit(10_000, 100)).toBe(1)
  })

  it('when /proc/self/limits is read, then the soft limit of open files is found', () => {
    const limits =
      'Limit                     Soft Limit           Hard Limit           Units     \n' +
      'Max open files            1024                 524288               files     \n'
    expect(openFilesLimit(() => limits)).toBe(1024)
    expect(openFilesLimit(() => limits.replace('1024 ', 'unlimited '))).toBeNull()
    expect(
      openFilesLimit(() => {
        throw new Error('no /proc')
      }),
    ).toBeNull()
  })
})

describe('ConnectionGate', () => {
  let server: Server | undefined
  const sockets: Socket[] = []
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    server = undefined
  })

  it('when more connections arrive than the total cap, then the extra ones are closed before the server sees them', async () => {
    const lines: string[] = []
    const gate = new ConnectionGate(
      { total: 3, perSource: 100 },
      createLogger('info', (l) => lines.push(l)),
    )
    let seen = 0
    server = createServer(() => seen++)
    gate.guard(server)
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const closed = await Promise.all(
      ['127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8', '127.0.0.9'].map(
        (from) =>
          new Promise<boolean>((resolve) => {
            const s = connect({ host: '127.0.0.1', port, localAddress: from })
            sockets.push(s)
            s.on('error', () => undefined)
            s.once('close', () => resolve(true))
            setTimeout(() => resolve(false), 1_000)
          }),
      ),
    )

    expect(closed.filter(Boolean)).toHaveLength(2)
    expect(seen).toBe(3)
    expect(gate.size).toBe(3)
  })
})
