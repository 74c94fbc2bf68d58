import { describe, expect, it } from 'vitest'
import { createLogger } from '../../adapters/log/logger.js'
import type { ServedHost, SnapshotSource } from '../../core/ports.js'
import { PolicySnapshot } from './policy-snapshot.js'

const row = (domainId: string, hostname: string, text: string | null): ServedHost => ({
  hostname,
  role: 'policy',
  domain: hostname.replace(/^mta-sts\./, ''),
  domainId,
  text,
  certSerial: null,
})

/** The rows a database would hold; tests edit `rows` between calls. */
function source(rows: ServedHost[]): SnapshotSource & { rows: ServedHost[] } {
  return {
    rows,
    hosts: async function () {
      return this.rows
    },
    hostsOfDomain: async function (id) {
      return this.rows.filter((r) => r.domainId === id)
    },
  }
}

const text = (mx: string) => `version: STSv1\r\nmode: enforce\r\nmx: ${mx}\r\nmax_age: 86400\r\n`

describe('PolicySnapshot', () => {
  it('when domains are added, changed and removed one by one, then lookups, size and gone names follow', async () => {
    const src = source([row('a', 'mta-sts.a.example', text('mx.a.example'))])
    const snap = new PolicySnapshot(
      src,
      createLogger('warn', () => undefined),
    )
    await snap.refresh()
    expect(snap.size).toBe(1)

    src.rows = [...src.rows, row('b', 'mta-sts.b.example', null)]
    expect(await snap.refreshDomain('b')).toEqual([])
    expect(snap.size).toBe(1)
    expect(snap.certSerial('mta-sts.b.example')).toBeNull()

    src.rows = src.rows.map((r) => (r.domainId === 'b' ? { ...r, text: text('mx.b.example') } : r))
    await snap.refreshDomain('b')
    expect(snap.size).toBe(2)
    expect(new TextDecoder().decode(snap.lookup('mta-sts.b.example')!.bytes)).toBe(
      text('mx.b.example'),
    )

    src.rows = src.rows.filter((r) => r.domainId !== 'a')
    expect(await snap.refreshDomain('a')).toEqual(['mta-sts.a.example'])
    expect(snap.size).toBe(1)
    expect(snap.lookup('mta-sts.a.example')).toBeUndefined()
    expect(snap.certSerial('mta-sts.a.example')).toBeUndefined()
  })

  it('when a domain row names the service host and goes, then the service host entry stays', async () => {
    const svc: ServedHost = {
      hostname: 'api.svc.example',
      role: null,
      domain: null,
      domainId: null,
      text: null,
      certSerial: 'aa',
    }
    const logo: ServedHost = {
      ...row('b', 'api.svc.example', null),
      role: 'logo',
      certSerial: 'aa',
    }
    const src = source([logo, svc])
    const snap = new PolicySnapshot(
      src,
      createLogger('warn', () => undefined),
      ['api.svc.example'],
    )
    await snap.refresh()
    expect(snap.logoDomainOf('api.svc.example')).toBeNull()

    src.rows = [svc]
    expect(await snap.refreshDomain('b')).toEqual([])
    expect(snap.certSerial('api.svc.example')).toBe('aa')
    src.rows = [logo, svc]
    await snap.refreshDomain('b')
    expect(snap.logoDomainOf('api.svc.example')).toBeNull()
  })

  it('when 1,000 policies load at once, then each host serves exactly its own bytes', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) =>
      row(`d${i}`, `mta-sts.d${i}.example`, text(`mx${i}.d${i}.example`)),
    )
    const snap = new PolicySnapshot(
      source(rows),
      createLogger('warn', () => undefined),
    )
    await snap.refresh()

    expect(snap.size).toBe(1000)
    for (const [i, r] of rows.entries())
      expect(new TextDecoder().decode(snap.lookup(r.hostname)!.bytes)).toBe(
        text(`mx${i}.d${i}.example`),
      )
  })
})

describe('PolicySnapshot during a full reload', () => {
  it('when a certificate is stored and a domain changes while the reload reads, then both are served after it, not the rows read before', async () => {
    const before = [
      row('a', 'mta-sts.a.example', text('mx.a.example')),
      row('b', 'mta-sts.b.example', text('mx.b.example')),
    ]
    let release: () => void = () => {}
    const reading = new Promise<void>((r) => (release = r))
    const src = source(before)
    // The full read takes what the store held when it began; the store moves on meanwhile.
    src.hosts = async () => {
      const rows = before.map((r) => ({ ...r }))
      await reading
      return rows
    }
    const snap = new PolicySnapshot(
      src,
      createLogger('warn', () => undefined),
    )
    const reload = snap.refresh()

    src.rows = before.map((r) => (r.domainId === 'b' ? { ...r, text: text('mx2.b.example') } : r))
    await snap.apply({ type: 'certificate.stored', hostname: 'mta-sts.a.example', serial: '0a' })
    await snap.apply({ type: 'domain.changed', domainId: 'b', domain: 'b.example', what: 'policy' })
    release()
    await reload

    expect(snap.certSerial('mta-sts.a.example')).toBe('0a')
    expect(new TextDecoder().decode(snap.lookup('mta-sts.b.example')!.bytes)).toBe(
      text('mx2.b.example'),
    )
  })
})
