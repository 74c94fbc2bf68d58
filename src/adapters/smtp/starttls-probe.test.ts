import { createServer } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestCa,
  flood,
  type KeyAndCert,
  type SmtpScript,
  type SmtpTestServer,
  startSmtpServer,
} from '../../../test/helpers/smtp-test-server.js'
import { DomainError } from '../../core/errors.js'
import { type ProbeOptions, type ProbeResult, probeStartTls } from './starttls-probe.js'

const DAY_MS = 86_400_000
const NOW = new Date()
const MX = 'mx.good.test'
const SMALL = { connectMs: 1_000, bannerMs: 500, stepMs: 500, totalMs: 3_000 }
// Generous step timeouts, so a fast failure can only come from a bound, not from a timer.
const PATIENT = { connectMs: 5_000, bannerMs: 5_000, stepMs: 5_000, totalMs: 10_000 }

let caPem = ''
const certs: Record<'good' | 'expired' | 'wrongName' | 'selfSigned' | 'wildcard', KeyAndCert> =
  {} as never
let servers: SmtpTestServer[] = []

beforeAll(async () => {
  const ca = await createTestCa(NOW)
  caPem = ca.caPem
  const current = {
    notBefore: new Date(NOW.getTime() - DAY_MS),
    notAfter: new Date(NOW.getTime() + 90 * DAY_MS),
  }
  certs.good = await ca.issue({ names: [MX], ...current })
  certs.expired = await ca.issue({
    names: [MX],
    notBefore: new Date(NOW.getTime() - 90 * DAY_MS),
    notAfter: new Date(NOW.getTime() - DAY_MS),
  })
  certs.wrongName = await ca.issue({ names: ['mx.other.test'], ...current })
  certs.selfSigned = await ca.issue({ names: [MX], ...current, selfSigned: true })
  certs.wildcard = await ca.issue({ names: ['*.test'], ...current })
})

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()))
  servers = []
})

async function serve(script: SmtpScript): Promise<SmtpTestServer> {
  const server = await startSmtpServer(script)
  servers.push(server)
  return server
}

function probe(port: number, extra: Partial<ProbeOptions> = {}): Promise<ProbeResult> {
  return probeStartTls({
    mxHost: MX,
    address: '127.0.0.1',
    port,
    ehloName: 'probe.policyhost.test',
    ca: caPem,
    now: NOW,
    timeouts: SMALL,
    ...extra,
  })
}

describe('probeStartTls against well-formed servers', () => {
  it('when the certificate is good, then ok with TLS 1.2+, the names, and QUIT, never MAIL', async () => {
    const server = await serve({ tls: certs.good })
    const result = await probe(server.port)
    expect(result).toMatchObject({ ok: true, certificate: { names: [MX], subject: `CN=${MX}` } })
    if (!result.ok) return
    expect(['TLSv1.2', 'TLSv1.3']).toContain(result.tlsVersion)
    expect(result.cipher).not.toBe('unknown')
    expect(result.certificate.issuer).toBe('CN=policyhost Test SMTP Root')
    expect(result.certificate.notAfter.getTime()).toBeGreaterThan(NOW.getTime())
    expect(result.bytesRead).toBeGreaterThan(0)
    await expect.poll(() => server.commands).toContain('QUIT')
    expect(server.commands.slice(0, 2)).toEqual(['EHLO probe.policyhost.test', 'STARTTLS'])
    expect(server.commands.some((c) => /^(MAIL|RCPT|DATA)/i.test(c))).toBe(false)
  })

  it('when a certificate expired by the system clock is valid at `now`, then ok (now decides)', async () => {
    const server = await serve({ tls: certs.expired })
    const result = await probe(server.port, { now: new Date(NOW.getTime() - 30 * DAY_MS) })
    expect(result).toMatchObject({ ok: true, certificate: { names: [MX] } })
  })

  // Each row: the server's script, extra options, and what the probe must report.
  const failures: Array<{
    when: string
    script: () => SmtpScript
    extra?: Partial<ProbeOptions>
    resultType: string
    stage: string
    detail?: RegExp
  }> = [
    {
      when: 'the certificate has expired',
      script: () => ({ tls: certs.expired }),
      resultType: 'certificate-expired',
      stage: 'verify',
    },
    {
      when: 'a good certificate is judged at a `now` past its notAfter',
      script: () => ({ tls: certs.good }),
      extra: { now: new Date(NOW.getTime() + 365 * DAY_MS) },
      resultType: 'certificate-expired',
      stage: 'verify',
    },
    {
      when: 'the certificate is not yet valid at `now`',
      script: () => ({ tls: certs.good }),
      extra: { now: new Date(NOW.getTime() - 30 * DAY_MS) },
      resultType: 'validation-failure',
      stage: 'verify',
      detail: /not valid before/,
    },
    {
      when: 'the certificate names another host',
      script: () => ({ tls: certs.wrongName }),
      resultType: 'certificate-host-mismatch',
      stage: 'verify',
      detail: /mx\.other\.test/,
    },
    {
      when: 'a wildcard would have to match two labels (RFC 6125 §6.4.3)',
      script: () => ({ tls: certs.wildcard }),
      resultType: 'certificate-host-mismatch',
      stage: 'verify',
    },
    {
      when: 'the certificate is self-signed',
      script: () => ({ tls: certs.selfSigned }),
      resultType: 'certificate-not-trusted',
      stage: 'verify',
      detail: /SELF_SIGNED/,
    },
    {
      when: 'the chain ends at a CA the caller does not trust (system roots)',
      script: () => ({ tls: certs.good }),
      extra: { ca: undefined },
      resultType: 'certificate-not-trusted',
      stage: 'verify',
    },
    {
      when: 'EHLO does not offer STARTTLS',
      script: () => ({ ehlo: '250-mx.test\r\n250-STARTTLSX\r\n250 SIZE 1000\r\n' }),
      resultType: 'starttls-not-supported',
      stage: 'ehlo',
    },
    {
      when: 'only the greeting line mentions STARTTLS',
      script: () => ({ ehlo: '250 STARTTLS\r\n' }),
      resultType: 'starttls-not-supported',
      stage: 'ehlo',
    },
    {
      when: 'STARTTLS is answered 454',
      script: () => ({ starttls: '454 4.7.0 TLS not available\r\n' }),
      resultType: 'starttls-not-supported',
      stage: 'starttls',
      detail: /^STARTTLS refused: 454/,
    },
    {
      when: 'the greeting is 554',
      script: () => ({ banner: '554 go away\r\n' }),
      resultType: 'validation-failure',
      stage: 'banner',
      detail: /greeting refused: 554 go away/,
    },
    {
      when: 'the greeting is garbage with control bytes',
      script: () => ({ banner: 'HTTP/1.1 400 \x1b[31mBad\r\n' }),
      resultType: 'validation-failure',
      stage: 'banner',
      detail: /^malformed reply: HTTP\/1\.1 400 \\x1b\[31mBad$/,
    },
    {
      when: 'one reply mixes codes',
      script: () => ({ ehlo: '250-mx.test\r\n251 STARTTLS\r\n' }),
      resultType: 'validation-failure',
      stage: 'ehlo',
      detail: /malformed/,
    },
    {
      when: 'a reply line is longer than 512 octets (RFC 5321 §4.5.3.1.5)',
      script: () => ({ banner: `220 ${'x'.repeat(600)}\r\n` }),
      resultType: 'validation-failure',
      stage: 'banner',
      detail: /longer than 512/,
    },
    {
      when: 'plaintext follows the STARTTLS 220 (response injection)',
      script: () => ({ starttls: '220 go ahead\r\n250 injected\r\n', tls: certs.good }),
      resultType: 'validation-failure',
      stage: 'starttls',
      detail: /after the STARTTLS reply/,
    },
  ]

  it.each(failures)('when $when, then $resultType at $stage', async (row) => {
    const server = await serve(row.script())
    const result = await probe(server.port, row.extra)
    expect(result).toMatchObject({ ok: false, resultType: row.resultType, stage: row.stage })
    if (row.detail && !result.ok) expect(result.detail).toMatch(row.detail)
    expect(server.commands.some((c) => /^(MAIL|RCPT|DATA)/i.test(c))).toBe(false)
  })
})

describe('probeStartTls against hostile servers', () => {
  it('when the banner never comes, then validation-failure at banner within the timeout', async () => {
    const server = await serve({ banner: null })
    const result = await probe(server.port)
    expect(result).toMatchObject({ ok: false, resultType: 'validation-failure', stage: 'banner' })
    expect(result.ms).toBeGreaterThanOrEqual(450)
    expect(result.ms).toBeLessThan(1_500)
  })

  it('when the banner goes on forever (220-x …), then it fails fast after 100 lines', async () => {
    let sent = Promise.resolve(0)
    const server = await serve({
      banner: (socket) => void (sent = flood(socket, '220-x\r\n', 10e6)),
    })
    const result = await probe(server.port, { timeouts: PATIENT })
    expect(result).toMatchObject({
      ok: false,
      stage: 'banner',
      detail: expect.stringMatching(/more than 100 lines/),
    })
    expect(result.ms).toBeLessThan(1_000)
    // One socket read is at most 64 KiB; the probe hangs up after it.
    expect(result.bytesRead).toBeLessThan(128 * 1024)
    // The server could not get it all out: the connection was gone (kernel buffers took the rest).
    expect(await sent).toBeLessThan(10e6)
  })

  it('when the EHLO reply is 10 MB, then it fails fast without reading it all', async () => {
    let sent = Promise.resolve(0)
    const line = `250-${'A'.repeat(70)}\r\n`
    const server = await serve({ ehlo: (socket) => void (sent = flood(socket, line, 10e6)) })
    const result = await probe(server.port, { timeouts: PATIENT })
    expect(result).toMatchObject({
      ok: false,
      stage: 'ehlo',
      detail: expect.stringMatching(/more than 100 lines/),
    })
    expect(result.ms).toBeLessThan(1_000)
    expect(result.bytesRead).toBeLessThan(128 * 1024)
    expect(await sent).toBeLessThan(10e6)
  })

  it('when the TLS server never answers the ClientHello, then validation-failure at tls', async () => {
    const server = await serve({ tls: 'stall' })
    const result = await probe(server.port)
    expect(result).toMatchObject({ ok: false, resultType: 'validation-failure', stage: 'tls' })
    expect(result.ms).toBeLessThan(1_500)
  })

  it('when every step is slow, then the overall deadline ends the probe', async () => {
    const server = await serve({ banner: null })
    const timeouts = { ...SMALL, bannerMs: 5_000, totalMs: 300 }
    const result = await probe(server.port, { timeouts })
    expect(result).toMatchObject({
      ok: false,
      stage: 'banner',
      detail: expect.stringMatching(/no result within 300 ms/),
    })
    expect(result.ms).toBeLessThan(1_000)
  })

  it('when the connection is refused, then validation-failure at connect', async () => {
    // A port that was free a moment ago: listen, note it, close.
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as { port: number }
    await new Promise((resolve) => closed.close(resolve))
    const result = await probe(port)
    expect(result).toMatchObject({
      ok: false,
      resultType: 'validation-failure',
      stage: 'connect',
      detail: 'ECONNREFUSED',
    })
  })
})

describe('probeStartTls input', () => {
  it.each(['probe\r\nMAIL FROM:<x>', '', 'a b'])(
    'when ehloName is %j, then it rejects with VALIDATION before connecting',
    async (ehloName) => {
      await expect(probe(1, { ehloName })).rejects.toBeInstanceOf(DomainError)
    },
  )
})

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
})
