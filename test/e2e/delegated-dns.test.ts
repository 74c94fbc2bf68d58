/**
 * Delegated DNS end to end (issue 12): policyhost runs the authoritative server of its zone
 * `dns.policyhost.test` on 127.0.0.2:53; knot on 127.0.0.1 holds the owner's records (the CNAMEs
 * our records output lists) and the delegation of our zone (NS + glue, in zone `test.`); unbound
 * on 127.0.0.53 is the recursive resolver senders use; a second knotd on 127.0.0.3 is a
 * secondary of our zone (NOTIFY, AXFR, IXFR). A policy change made through the API reaches
 * Debian's mta-sts-query with no DNS edit, the zone's id moves only after the new policy is
 * served (RFC 8461 §8.1), and the server survives malformed packets and a UDP flood.
 * Runs only inside test/e2e/run.sh's namespace.
 */
import { createSocket } from 'node:dgram'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:https'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import * as packet from 'dns-packet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKnot, type Knot } from './harness/knot.js'
import { mtaStsQuery, parseMtaStsQuery } from './harness/mta-sts-query.js'
import {
  createTenant,
  HTTPS_PORT,
  putPolicy,
  startPolicyhost,
  startTestbed,
  TestClock,
  tickUntil,
  type Policyhost,
  type Testbed,
} from './harness/policyhost.js'
import { runOk } from './harness/processes.js'
import { startUnbound, type Unbound } from './harness/unbound.js'

const ZONE = 'dns.policyhost.test'
const NS = `ns1.${ZONE}`
/** Our DNS server (DNS_BIND_ADDRESS), the secondary knotd and unbound: one loopback each. */
const OUR_DNS = '127.0.0.2'
const SECONDARY = '127.0.0.3'
const RESOLVER = '127.0.0.53'
/**
 * Sources for the wire tests, in their own /24s: response-rate limiting counts per /24, and
 * unbound, knot and kdig all send from 127.0.0.0/24 — a flood from there would silence them.
 */
const ATTACKER = '127.0.9.9'
const ODD_CLIENT = '127.0.8.8'
/** Low, so that a 500-query burst is far above it (bucket: rate × 5 s window = 100). */
const RRL_RATE = 20

const DOMAIN = 'deleg.test'
const HOST = `mta-sts.${DOMAIN}`
const POLICY = { mode: 'enforce', mx: ['mail.deleg.test'], maxAge: 86400 } as const
const NEW_POLICY = { mode: 'enforce', mx: ['mx2.deleg.test'], maxAge: 172800 } as const
const THIRD_POLICY = { mode: 'enforce', mx: ['mx3.deleg.test'], maxAge: 86400 } as const
const RUA = 'mailto:tlsrpt@deleg.test'

/** A transcript line for the closing note. */
function say(line: string): void {
  // eslint-disable-next-line no-console
  console.log(`[delegated-dns] ${line}`)
}

/** kdig's full output for one query (+tcp etc. in `flags`). */
const kdig = (server: string, name: string, type: string, ...flags: string[]) =>
  runOk('kdig', [`@${server}`, '-p', '53', '+timeout=2', '+retry=0', ...flags, name, type])

/** kdig +short answers, one per line. */
async function short(server: string, name: string, type: string, ...flags: string[]) {
  const out = await kdig(server, name, type, '+short', ...flags)
  return out.split('\n').filter((l) => l !== '')
}

/** The zone's SOA serial as our server answers it. */
async function ourSerial(): Promise<number> {
  const [soa] = await short(OUR_DNS, ZONE, 'SOA', '+tcp')
  return Number(soa?.split(' ')[2])
}

/** GET of the policy over HTTPS on a kept-alive connection, as the other e2e files fetch it. */
function fetchPolicy(agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const path = '/.well-known/mta-sts.txt'
    const opts = { host: '127.0.0.1', port: HTTPS_PORT, path, headers: { host: HOST }, agent }
    const req = request({ ...opts, servername: HOST }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('error', reject)
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** One poll: when it was sent and answered (performance.now()), and what it saw. */
interface Seen {
  start: number
  end: number
  value: string
}

/**
 * Calls `probe` back to back until it has seen something other than `old` `settle` times in a
 * row (or the deadline passes), recording each call's timestamps and answer.
 */
async function poll(probe: () => Promise<string>, old: string, deadlineMs: number, settle = 3) {
  const seen: Seen[] = []
  const until = performance.now() + deadlineMs
  let inARow = 0
  while (inARow < settle && performance.now() < until) {
    const start = performance.now()
    const value = await probe()
    seen.push({ start, end: performance.now(), value })
    inARow = value === old ? 0 : inARow + 1
  }
  return seen
}

/**
 * Index of the first observation of `next`: every observation before it saw `old`, every one
 * from it on `next` (nothing else, no going back). -1 when `next` was never seen.
 */
function switchOf(seen: Seen[], old: string, next: string): number {
  const first = seen.findIndex((s) => s.value === next)
  const before = first < 0 ? seen : seen.slice(0, first)
  expect(before.every((s) => s.value === old)).toBe(true)
  if (first >= 0) expect(seen.slice(first).every((s) => s.value === next)).toBe(true)
  return first
}

/**
 * A raw UDP exchange from `source`: sends every query (awaiting each send), then collects the
 * answers arriving within `waitMs`; also how long the sending took.
 */
async function udpExchange(source: string, queries: Buffer[], waitMs: number) {
  const socket = createSocket('udp4')
  const answers: Buffer[] = []
  socket.on('message', (msg) => answers.push(msg))
  await new Promise<void>((resolve) => socket.bind(0, source, resolve))
  const started = performance.now()
  for (const q of queries) {
    await new Promise<void>((resolve, reject) =>
      socket.send(q, 53, OUR_DNS, (err) => (err ? reject(err) : resolve())),
    )
  }
  const sendMs = performance.now() - started
  await sleep(waitMs)
  socket.close()
  return { answers, sendMs }
}

/** One DNS query over TCP from `source` (two-octet length prefix, RFC 1035 §4.2.2). */
function tcpQuery(source: string, query: Buffer): Promise<packet.Packet> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: OUR_DNS, port: 53, localAddress: source })
    let data = Buffer.alloc(0)
    socket.setTimeout(3_000, () => socket.destroy(new Error('TCP query timed out')))
    const length = Buffer.alloc(2)
    length.writeUInt16BE(query.length)
    socket.on('connect', () => socket.write(Buffer.concat([length, query])))
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk])
      if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
        socket.end()
        resolve(packet.decode(data.subarray(2, 2 + data.readUInt16BE(0))))
      }
    })
    socket.on('error', reject)
  })
}

const encodeQuery = (id: number, name: string, type: packet.RecordType) =>
  packet.encode({ type: 'query', id, flags: 0, questions: [{ type, name, class: 'IN' }] })

/** The TXT strings of an answer section. */
const txtData = (answers: packet.Answer[] | undefined) =>
  (answers ?? []).map((a) => ('data' in a ? a.data : null))

const rcodeOf = (msg: Buffer) => msg.readUInt16BE(2) & 0x0f
const isTruncated = (msg: Buffer) => (msg.readUInt16BE(2) & 0x0200) !== 0
const FORMERR = 1

describe.skipIf(!process.env.PH_E2E_NETNS)(
  'delegated DNS: our zone behind knot and unbound',
  () => {
    let workDir: string
    let bed: Testbed
    let ph: Policyhost
    let secondary: Knot | undefined
    let resolver: Unbound | undefined
    let agent: Agent
    let token: string
    let domainId: string
    let label: string
    let mtaStsName: string
    /** A resolv.conf naming unbound, for mta-sts-query (see harness/mta-sts-query.ts). */
    let resolvConf: string
    let firstId: string

    beforeAll(async () => {
      workDir = mkdtempSync(join(tmpdir(), 'ph-e2e-deleg-'))
      resolvConf = join(workDir, 'resolv.conf')
      writeFileSync(resolvConf, `nameserver ${RESOLVER}\n`)
      bed = await startTestbed()
      // The parent side of the delegation: NS + glue in knot's zone `test.` (RFC 1034 §4.2.1).
      await bed.dns.set(ZONE, `${ZONE}. 60 IN NS ${NS}.\n${NS}. 60 IN A ${OUR_DNS}`)
      secondary = await startKnot(join(workDir, 'secondary'), { address: SECONDARY })
      resolver = await startUnbound(join(workDir, 'unbound'), {
        listen: RESOLVER,
        stubs: [{ zone: 'test', addresses: ['127.0.0.1'] }],
      })
      ph = await startPolicyhost({
        pebble: bed.pebble,
        clock: new TestClock(),
        env: {
          DNS_ZONE: ZONE,
          DNS_BIND_ADDRESS: OUR_DNS,
          DNS_PORT: '53',
          DNS_NAMESERVERS: `${NS}=${OUR_DNS}`,
          DNS_SECONDARIES: SECONDARY,
          DNS_TRANSFER_ALLOW: SECONDARY,
          DNS_TTL: '30',
          DNS_RRL_RESPONSES_PER_SECOND: String(RRL_RATE),
          // Status checks and the certificate preflight resolve as a sender does: through unbound.
          DNS_SERVERS: RESOLVER,
        },
      })
      agent = new Agent({ ca: bed.pebble.rootPem(), keepAlive: true, maxSockets: 1 })
      token = await createTenant(ph, 'deleg')
    })

    afterAll(async () => {
      agent?.destroy()
      await ph?.close()
      if (ph) rmSync(ph.dataDir, { recursive: true, force: true })
      await Promise.all([resolver?.stop(), secondary?.stop()])
      await bed?.stop()
      if (workDir) rmSync(workDir, { recursive: true, force: true })
    })

    const api = async (method: string, path: string, json?: unknown) => {
      const res = await ph.http(method, `/api/v1/domains${path}`, { token, json })
      expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300)
      return res.json()
    }

    const txtOf = (id: string) => `"v=STSv1; id=${id}"`

    /** Starts polling the served policy (HTTPS) and the zone's TXT (kdig over TCP: never limited). */
    async function pollBoth(deadlineMs: number) {
      const oldText = (await fetchPolicy(agent)).body
      const served = poll(
        async () => {
          const res = await fetchPolicy(agent)
          return `${res.status} ${res.body}`.replace(/^200 /, '')
        },
        oldText,
        deadlineMs,
      )
      const probeDns = async () => (await short(OUR_DNS, mtaStsName, 'TXT', '+tcp')).join(' | ')
      const inDns = poll(probeDns, txtOf(firstId), deadlineMs)
      return { served, inDns, oldText }
    }

    it('when a domain is delegated and its CNAMEs published, then unbound resolves our TXT records through them and status says ok', async () => {
      await api('POST', '', { name: DOMAIN })
      domainId = (await ph.runtime.deps.repos.domains.byName(DOMAIN))!.id
      await ph.runtime.certs.idle()
      firstId = (await putPolicy(ph, token, DOMAIN, POLICY)).id
      await api('PUT', `/${DOMAIN}/tls-rpt`, { rua: [RUA] })
      await api('PUT', `/${DOMAIN}/dns`, { mode: 'delegated' })
      const { text: bind } = await ph.http('GET', `/api/v1/domains/${DOMAIN}/records?format=bind`, {
        token,
      })
      const cname = new RegExp(
        `^_mta-sts\\.${DOMAIN}\\. IN CNAME ([a-z0-9-]+)\\._mta-sts\\.${ZONE}\\.$`,
        'm',
      ).exec(bind)
      expect(cname, bind).not.toBeNull()
      label = cname![1]!
      mtaStsName = `${label}._mta-sts.${ZONE}`
      expect(bind).toContain(`_smtp._tls.${DOMAIN}. IN CNAME ${label}._smtp._tls.${ZONE}.`)
      expect(bind).not.toMatch(/IN TXT "v=STSv1/) // the id lives in our zone, not in the owner's
      await bed.dns.set(DOMAIN, bind)
      const { state } = await tickUntil(ph, HOST, (s) => s.status === 'ok', 3)
      expect(state).toMatchObject({ status: 'ok' })

      // knot only refers: the target is in our zone, reached through the delegation.
      expect(await bed.knot.dig(`_mta-sts.${DOMAIN}`, 'TXT')).toEqual([`${mtaStsName}.`])
      const viaUnbound = await kdig(RESOLVER, `_mta-sts.${DOMAIN}`, 'TXT')
      say(`kdig @${RESOLVER} _mta-sts.${DOMAIN} TXT:\n${viaUnbound.trim()}`)
      expect(await resolver!.query(`_mta-sts.${DOMAIN}`, 'TXT')).toEqual({
        rcode: 'NOERROR',
        answer: [
          `_mta-sts.${DOMAIN}. 0 IN CNAME ${mtaStsName}.`,
          `${mtaStsName}. 0 IN TXT "v=STSv1; id=${firstId}"`,
        ],
      })
      const tlsRpt = await resolver!.dig(`_smtp._tls.${DOMAIN}`, 'TXT')
      expect(tlsRpt).toEqual([
        `${label}._smtp._tls.${ZONE}.`,
        expect.stringMatching(/^"v=TLSRPTv1;/),
      ])
      expect(tlsRpt[1]).toContain(RUA)
      say(`kdig @${RESOLVER} +short _smtp._tls.${DOMAIN} TXT: ${tlsRpt.join(' ')}`)

      const { dns } = await api('GET', `/${DOMAIN}/status`)
      expect(dns).toMatchObject({
        mode: 'delegated',
        zone: ZONE,
        zoneId: firstId,
        policyId: firstId,
      })
      expect(dns.inFlight).toBeNull()
      const check = (name: string) => dns.records.find((r: { name: string }) => r.name === name)
      expect(check(`_mta-sts.${DOMAIN}`)).toMatchObject({
        target: `${mtaStsName}.`,
        value: `v=STSv1; id=${firstId}`,
        check: 'ok',
      })
      expect(check(`_smtp._tls.${DOMAIN}`)).toMatchObject({
        check: 'ok',
        value: tlsRpt[1]?.slice(1, -1),
      })

      // The baseline for the change below: the real client, through unbound.
      const out = await mtaStsQuery(DOMAIN, bed.pebble.rootPemPath, undefined, { resolvConf })
      expect(parseMtaStsQuery(out.stdout), out.stderr).toMatchObject({
        result: 'VALID',
        id: firstId,
      })
      // The control: with the namespace's resolv.conf (knot, which only refers) it finds no TXT.
      const direct = await mtaStsQuery(DOMAIN, bed.pebble.rootPemPath)
      expect(parseMtaStsQuery(direct.stdout).result, direct.stderr).not.toBe('VALID')
      say(`mta-sts-query ${DOMAIN} with knot as resolver: ${direct.stdout.trim()}`)
    })

    it('when knot is made a secondary of our zone, then it is sent the zone by AXFR and answers the same TXT', async () => {
      expect(label).toBeDefined()
      await secondary!.addSecondaryZone(ZONE, { primary: { address: OUR_DNS } })
      await secondary!.waitForSerial(ZONE, await ourSerial())
      expect(await secondary!.dig(mtaStsName, 'TXT')).toEqual([`"v=STSv1; id=${firstId}"`])
      expect(secondary!.transferLog(ZONE).join('\n')).toMatch(
        /AXFR, incoming, remote 127\.0\.0\.2@53.*finished/,
      )
    })

    it('when the policy changes through the API only, then the zone id follows the served policy, the secondary gets it by IXFR and mta-sts-query sees the new id', async () => {
      expect(label).toBeDefined()
      const knotSerial = await bed.knot.soaSerialOf('test')
      const secondaryMark = secondary!.transferLog(ZONE).length
      const serialBefore = await ourSerial()

      // Both sides polled back to back from before the change until each settles on the new state.
      const { served, inDns, oldText } = await pollBoth(15_000)
      await sleep(300)
      const next = await putPolicy(ph, token, DOMAIN, NEW_POLICY)
      expect(next.id).not.toBe(firstId)
      const [http, dns] = await Promise.all([served, inDns])
      const h = switchOf(http, oldText, next.text)
      const d = switchOf(dns, txtOf(firstId), txtOf(next.id))
      expect(h, 'HTTPS never served the new policy').toBeGreaterThan(0)
      expect(d, 'the zone never served the new id').toBeGreaterThan(0)
      // RFC 8461 §8.1: no HTTPS request sent after the new id had come back from DNS got the old
      // policy — the last old answer was asked for before the first new id arrived.
      expect(http[h - 1]!.start).toBeLessThan(dns[d]!.end)
      say(
        `ordering: last old policy asked at ${http[h - 1]!.start.toFixed(1)} ms, first new policy ` +
          `answered ${http[h]!.end.toFixed(1)} ms, first new id answered ${dns[d]!.end.toFixed(1)} ms ` +
          `(${http.length} HTTPS, ${dns.length} DNS polls)`,
      )

      // The secondary: NOTIFY from 127.0.0.2, then an incremental transfer.
      const serialAfter = await ourSerial()
      expect(serialAfter).toBeGreaterThan(serialBefore)
      await secondary!.waitForSerial(ZONE, serialAfter, 10_000)
      expect(await secondary!.dig(mtaStsName, 'TXT')).toEqual([`"v=STSv1; id=${next.id}"`])
      const transfers = secondary!.transferLog(ZONE).slice(secondaryMark)
      expect(transfers.join('\n')).toMatch(/IXFR, incoming, remote 127\.0\.0\.2@53.*finished/)
      expect(secondary!.logs()).toMatch(
        new RegExp(`\\[${ZONE}\\.\\] notify, incoming, remote 127\\.0\\.0\\.2`),
      )
      say(`knot secondary transfer log:\n${secondary!.transferLog(ZONE).join('\n')}`)

      // The sender, through unbound, with the old id cached: the new policy under the new id.
      const out = await mtaStsQuery(DOMAIN, bed.pebble.rootPemPath, firstId, { resolvConf })
      expect(out.code, out.stderr).toBe(0)
      expect(parseMtaStsQuery(out.stdout)).toEqual({
        result: 'VALID',
        id: next.id,
        policy: { mx: ['mx2.deleg.test'], version: 'STSv1', mode: 'enforce', max_age: 172800 },
      })
      say(`mta-sts-query ${DOMAIN} ${firstId} (via unbound): ${out.stdout.trim()}`)
      // No DNS edit: the owner's zone in knot kept its serial throughout.
      expect(await bed.knot.soaSerialOf('test')).toBe(knotSerial)
      firstId = next.id
    })

    it('when another serving instance has not yet served a new policy, then the zone keeps the old id until it has, while HTTPS here already serves the new one', async () => {
      expect(label).toBeDefined()
      // A second instance as the store knows it: alive (heartbeat) and not serving the change yet.
      const lagging = 'e2e-lagging-instance'
      const zoneRepo = ph.runtime.deps.repos.zone
      // It beats like a live instance (each one does every 5 s), so it holds the change back for
      // as long as the test needs, not just the 20 s liveness window.
      const beat = () => zoneRepo.heartbeat(lagging, ph.clock.now())
      await beat()
      const beating = setInterval(() => void beat(), 2_000)
      try {
        const { served, inDns, oldText } = await pollBoth(30_000)
        await sleep(200)
        const next = await putPolicy(ph, token, DOMAIN, THIRD_POLICY)
        // HTTPS settles on the new policy while the zone keeps the old id and status says why.
        const http = await served
        const h = switchOf(http, oldText, next.text)
        expect(h).toBeGreaterThan(0)
        await sleep(1_000)
        expect(await short(OUR_DNS, mtaStsName, 'TXT', '+tcp')).toEqual([txtOf(firstId)])
        const statusStarted = performance.now()
        const { dns: status } = await api('GET', `/${DOMAIN}/status`)
        say(
          `status during the change (${(performance.now() - statusStarted).toFixed(0)} ms): ${status.inFlight}`,
        )
        expect(status).toMatchObject({ zoneId: firstId, policyId: next.id })
        expect(status.inFlight).toMatch(/waiting until every serving instance serves policy/)
        // The other instance reports in; the zone follows at its next tick (every 5 s).
        const acked = performance.now()
        await zoneRepo.ack(lagging, domainId, next.id, ph.clock.now())
        const dns = await inDns
        const d = switchOf(dns, txtOf(firstId), txtOf(next.id))
        expect(d).toBeGreaterThan(0)
        // The new policy was answered before the query that first saw the new id was even sent,
        // and DNS kept answering the old id for a while after HTTPS served the new policy.
        expect(http[h]!.end).toBeLessThan(dns[d]!.start)
        expect(dns.filter((s, i) => i < d && s.start > http[h]!.end).length).toBeGreaterThan(10)
        expect(dns[d]!.end).toBeGreaterThan(acked)
        say(
          `lagging instance: new policy served at ${http[h]!.end.toFixed(0)} ms, acked at ` +
            `${acked.toFixed(0)} ms, new id in DNS at ${dns[d]!.end.toFixed(0)} ms`,
        )
        firstId = next.id
      } finally {
        clearInterval(beating)
        await zoneRepo.leave(lagging)
      }
    })

    it('when malformed packets arrive, then they get FORMERR or nothing and the next good query is answered', async () => {
      expect(label).toBeDefined()
      const good = encodeQuery(7, mtaStsName, 'TXT')
      // A header and half a question; a name that points at itself (a compression loop); a
      // packet shorter than the 12-octet header.
      const truncated = encodeQuery(8, mtaStsName, 'TXT').subarray(0, 12 + 5)
      const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])
      const loop = Buffer.concat([header, Buffer.from([0xc0, 0x0c, 0x00, 0x10, 0x00, 0x01])])
      const shortHeader = encodeQuery(9, mtaStsName, 'TXT').subarray(0, 7)
      for (const [name, bad] of [
        ['truncated question', truncated],
        ['compression loop', loop],
        ['7-octet packet', shortHeader],
      ] as const) {
        const { answers } = await udpExchange(ODD_CLIENT, [bad, good], 500)
        const forBad = answers.filter((a) => a.readUInt16BE(0) !== 7)
        const forGood = answers.filter((a) => a.readUInt16BE(0) === 7)
        expect(
          forBad.every((a) => rcodeOf(a) === FORMERR),
          name,
        ).toBe(true)
        expect(forGood, name).toHaveLength(1)
        const decoded = packet.decode(forGood[0]!)
        expect(txtData(decoded.answers), name).toEqual([[Buffer.from(`v=STSv1; id=${firstId}`)]])
        say(`${name}: ${forBad.length === 0 ? 'no answer' : 'FORMERR'}; the next query answered`)
      }
    })

    it('when one source floods UDP, then response-rate limiting drops or truncates most answers while TCP still answers', async () => {
      expect(label).toBeDefined()
      const burst = Array.from({ length: 500 }, (_, i) =>
        encodeQuery(i, mtaStsName, i % 2 === 0 ? 'TXT' : ('ANY' as packet.RecordType)),
      )
      const { answers, sendMs } = await udpExchange(ATTACKER, burst, 1_500)
      const truncated = answers.filter(isTruncated).length
      const full = answers.length - truncated
      say(
        `500 UDP queries from ${ATTACKER}: ${full} answered, ${truncated} truncated (TC), ` +
          `${500 - answers.length} dropped (sent in ${sendMs.toFixed(0)} ms)`,
      )
      // The bucket holds rate × 5 s = 100 answers and refills at 20/s: most of 500 are limited.
      expect(full).toBeGreaterThan(0)
      expect(full).toBeLessThanOrEqual(RRL_RATE * 5 + RRL_RATE * 2)
      expect(truncated).toBeGreaterThan(0)
      expect(500 - answers.length).toBeGreaterThan(0)
      expect(sendMs).toBeLessThan(1_000)
      // TCP is never limited (the source cannot be forged): the same source gets its answer.
      const viaTcp = await tcpQuery(ATTACKER, encodeQuery(9, mtaStsName, 'TXT'))
      expect(txtData(viaTcp.answers)).toEqual([[Buffer.from(`v=STSv1; id=${firstId}`)]])
      // And a limited network is only itself: unbound still resolves through us.
      expect(await resolver!.dig(`_mta-sts.${DOMAIN}`, 'TXT')).toEqual([
        `${mtaStsName}.`,
        `"v=STSv1; id=${firstId}"`,
      ])
    })
  },
)
