import { describe, expect, it } from 'vitest'
import { createLogger } from '../../adapters/log/logger.js'
import type { ServedHost, SnapshotSource } from '../../core/ports.js'
import { PolicySnapshot } from './policy-snapshot.js'

const row = (
  domainId: string,
  hostname: string,
  text: string | null,
  revision: number | null = text === null ? null : 1,
): ServedHost => ({
  hostname,
  role: 'policy',
  domain: hostname.replace(/^mta-sts\./, ''),
  domainId,
  text,
  revision,
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
      revision: null,
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

describe('PolicySnapshot and a policy write that carries its text', () => {
  const A = 'mta-sts.a.example'
  const served = (snap: PolicySnapshot, host: string) =>
    new TextDecoder().decode(snap.lookup(host)?.bytes)
  const policyChange = (revision: number, mx: string) =>
    ({
      type: 'domain.changed',
      domainId: 'a',
      domain: 'a.example',
      what: 'policy',
      policy: { text: text(mx), revision },
    }) as const

  /** A source that counts its reads of one domain. */
  function counted(rows: ServedHost[]) {
    const src = source(rows)
    const reads = { n: 0 }
    const hostsOfDomain = src.hostsOfDomain.bind(src)
    src.hostsOfDomain = async (id) => {
      reads.n++
      return hostsOfDomain(id)
    }
    return { src, reads }
  }

  /** A snapshot over `counted(rows)`, loaded. */
  async function loaded(rows: ServedHost[]) {
    const { src, reads } = counted(rows)
    const snap = new PolicySnapshot(
      src,
      createLogger('warn', () => undefined),
    )
    await snap.refresh()
    return { src, reads, snap }
  }

  it('when a newer revision arrives, then its text is served without a read; an older or repeated one changes nothing', async () => {
    const { reads, snap } = await loaded([row('a', A, text('mx.one.example'), 3)])

    await snap.apply(policyChange(4, 'mx.four.example'))
    expect(served(snap, A)).toBe(text('mx.four.example'))
    expect(reads.n).toBe(0)

    // Out of order (another instance's older write) and repeated: both ignored.
    await snap.apply(policyChange(2, 'mx.two.example'))
    await snap.apply(policyChange(4, 'mx.other.example'))
    expect(served(snap, A)).toBe(text('mx.four.example'))
    expect(reads.n).toBe(0)
    expect(snap.size).toBe(1)
  })

  it('when the domain has no policy yet, then the carried text is its first and counted', async () => {
    const { reads, snap } = await loaded([row('a', A, null)])
    expect(snap.size).toBe(0)
    await snap.apply(policyChange(1, 'mx.first.example'))
    expect(served(snap, A)).toBe(text('mx.first.example'))
    expect(snap.size).toBe(1)
    expect(reads.n).toBe(0)
  })

  it('when nothing is held for the domain, then the store is read (the carried text is not trusted alone)', async () => {
    const { reads, snap } = await loaded([])
    // A pending claim or a name this process has not loaded: the store decides what is served.
    await snap.apply(policyChange(1, 'mx.claim.example'))
    expect(reads.n).toBe(1)
    expect(snap.lookup(A)).toBeUndefined()
  })

  it('when a read that began before a newer carried write ends after it, then the newer text stays', async () => {
    const { src, snap } = await loaded([row('a', A, text('mx.one.example'), 1)])
    // A status change makes this process read the domain; the read returns revision 1...
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const read = src.hostsOfDomain.bind(src)
    src.hostsOfDomain = async (id) => {
      const rows = await read(id)
      await gate
      return rows
    }
    const status = snap.apply({
      type: 'domain.changed',
      domainId: 'a',
      domain: 'a.example',
      what: 'status',
    })
    // ...while revision 2's event, carried, is taken first.
    await snap.apply(policyChange(2, 'mx.two.example'))
    release()
    await status
    expect(served(snap, A)).toBe(text('mx.two.example'))
  })

  it('when a logo host belongs to the domain, then only its policy host takes the text', async () => {
    const logo: ServedHost = {
      ...row('a', 'logo.a.example', null),
      role: 'logo',
      domain: 'a.example',
    }
    const { snap } = await loaded([row('a', A, text('mx.one.example'), 1), logo])
    await snap.apply(policyChange(2, 'mx.two.example'))
    expect(served(snap, A)).toBe(text('mx.two.example'))
    expect(snap.lookup('logo.a.example')).toBeUndefined()
    expect(snap.logoDomainOf('logo.a.example')).toBe('a.example')
  })
})
