import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { IxfrJournal } from '../../core/dns/ixfr-journal.js'
import { createLogger } from '../log/logger.js'
import { startDnsServer, type DnsServerOptions } from './server.js'
import { makeZone } from '../../../test/helpers/dns-kit.js'

function options(port: number, extra: Partial<DnsServerOptions> = {}): DnsServerOptions {
  const zone = makeZone()
  return {
    address: '127.0.0.1',
    port,
    zone: () => zone,
    journal: new IxfrJournal(5),
    transferAllow: [],
    rrl: { responsesPerSecond: 0, window: 1, slip: 2, maxEntries: 10 },
    log: createLogger('error', () => {}),
    ...extra,
  }
}

describe('startDnsServer', () => {
  it('when the UDP port is taken, then it rejects with one Error naming udp and address:port', async () => {
    const taken = createSocket('udp4')
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve))
    const port = taken.address().port
    try {
      await expect(startDnsServer(options(port))).rejects.toThrow(
        new RegExp(`^dns server: cannot listen on udp 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`),
      )
    } finally {
      taken.close()
    }
  })

  it('when the TCP port is taken, then it rejects naming tcp, and the UDP socket is released', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as { port: number }).port
    try {
      await expect(startDnsServer(options(port))).rejects.toThrow(
        `dns server: cannot listen on tcp 127.0.0.1:${port}`,
      )
      const udp = createSocket('udp4')
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject)
        udp.bind(port, '127.0.0.1', resolve)
      })
      udp.close()
    } finally {
      taken.close()
    }
  })

  it('when a transferAllow entry is not an address or CIDR, then it rejects naming the entry', async () => {
    await expect(startDnsServer(options(0, { transferAllow: ['10.0.0.0/33'] }))).rejects.toThrow(
      '"10.0.0.0/33"',
    )
  })

  it('when started on port 0 and closed twice, then both ports were real and close resolves each time', async () => {
    const server = await startDnsServer(options(0))
    expect(server.udpPort).toBeGreaterThan(0)
    expect(server.tcpPort).toBeGreaterThan(0)
    await server.close()
    await server.close()
  })
})
