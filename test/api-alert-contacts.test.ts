/**
 * Alert mail over the API (issue 13) with a real SMTP server as the relay (SMTP_URL): the code
 * arrives by mail and is confirmed over the API, an alert arrives as a parsed message, test
 * alerts reach both channels, and bad input is a problem+json.
 */
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterEach, describe, expect, it } from 'vitest'
import { alertApp } from './helpers/alert-app.js'
import type { TestApp } from './helpers/app.js'
import { createTenant } from './helpers/test-server.js'

const DOMAIN = 'mail.example.org'
let s: TestApp
let sink: SMTPServer | undefined
afterEach(async () => {
  await new Promise<void>((r) => (sink ? sink.close(() => r()) : r()))
  sink = undefined
  await s.close()
})

interface Mail {
  to: string[]
  headers: Map<string, string>
  body: string
}

/** RFC 2047 §4.2: `=?UTF-8?Q?…?=` words (how the library writes non-ASCII headers), decoded. */
function decodeWords(value: string): string {
  // §6.2: whitespace between two encoded words is not part of the text.
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?Q\?([^?]*)\?=/gi, (_, q: string) => {
      const bytes: number[] = []
      for (let i = 0; i < q.length; i++) {
        if (q[i] === '_') bytes.push(0x20)
        else if (q[i] === '=') {
          bytes.push(parseInt(q.slice(i + 1, i + 3), 16))
          i += 2
        } else bytes.push(q.charCodeAt(i))
      }
      return Buffer.from(bytes).toString('utf8')
    })
}

/** Splits a received message into its (unfolded) header fields and its body. */
function parseMail(raw: string, to: string[]): Mail {
  const [head, ...rest] = raw.split('\r\n\r\n')
  const headers = new Map<string, string>()
  for (const line of head!.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':')
    headers.set(line.slice(0, colon).toLowerCase(), decodeWords(line.slice(colon + 1).trim()))
  }
  return { to, headers, body: rest.join('\r\n\r\n') }
}

/** A real SMTP server on loopback collecting every message. */
async function smtpSink(): Promise<{ url: string; mails: Mail[] }> {
  const mails: Mail[] = []
  sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address)
        mails.push(parseMail(Buffer.concat(chunks).toString('utf8'), to))
        done()
      })
    },
  })
  await new Promise<void>((r) => sink!.listen(0, '127.0.0.1', r))
  return { url: `smtp://127.0.0.1:${(sink.server.address() as AddressInfo).port}`, mails }
}

async function server(env: Record<string, string>) {
  const world = await alertApp(DOMAIN, env)
  s = world.app
  return world
}

describe('alert mail over the API (issue 13)', () => {
  it('when an address is added and confirmed with the mailed code, then a check problem arrives there as mail', async () => {
    const { url, mails } = await smtpSink()
    const { token, alerts } = await server({ SMTP_URL: url, ALERT_MAIL_FROM: 'alerts@ph.example' })

    const added = await s.request('POST', '/api/v1/alert-contacts', {
      token,
      json: { email: 'ops@mail.example.org' },
    })
    const { id } = added.json() as { id: string }
    const code = /Confirmation code: (\S+)/.exec(mails[0]?.body ?? '')?.[1]
    const confirmed = await s.request('POST', `/api/v1/alert-contacts/${id}/confirm`, {
      token,
      json: { code },
    })
    await s.request('POST', `/api/v1/domains/${DOMAIN}/checks`, { token })
    await alerts.settled()
    const log = await s.request('GET', `/api/v1/alert-contacts/${id}/deliveries`, { token })

    expect(added.status).toBe(201)
    expect(added.json()).toMatchObject({ email: 'ops@mail.example.org', confirmed: false })
    expect(confirmed.status).toBe(200)
    expect(confirmed.json()).toMatchObject({ confirmed: true })
    const alertsMailed = mails.slice(1)
    expect(alertsMailed.map((m) => m.headers.get('subject')).sort()).toEqual([
      `[policyhost] ${DOMAIN}: error — MX mx9.elsewhere.example is not in the policy's mx list: senders refuse to deliv…`,
      `[policyhost] ${DOMAIN}: error — no v=STSv1 TXT record at _mta-sts: senders see no policy`,
    ])
    for (const m of alertsMailed) {
      expect(m.to).toEqual(['ops@mail.example.org'])
      expect(m.headers.get('from')).toBe('alerts@ph.example')
      expect(m.headers.get('auto-submitted')).toBe('auto-generated')
    }
    expect((log.json() as { deliveries: { status: string }[] }).deliveries).toMatchObject([
      { status: 'delivered' },
      { status: 'delivered' },
    ])
  })

  it('when the tenant asks for a test alert, then the confirmed address gets it and the answer lists it', async () => {
    const { url, mails } = await smtpSink()
    const { token } = await server({ SMTP_URL: url })
    const added = await s.request('POST', '/api/v1/alert-contacts', {
      token,
      json: { email: 'ops@mail.example.org' },
    })
    const { id } = added.json() as { id: string }
    const code = /Confirmation code: (\S+)/.exec(mails[0]!.body)![1]
    await s.request('POST', `/api/v1/alert-contacts/${id}/confirm`, { token, json: { code } })

    const r = await s.request('POST', '/api/v1/alerts/test', { token })

    expect(r.status).toBe(200)
    expect(r.json()).toEqual({
      results: [
        {
          channel: 'mail',
          id,
          target: 'ops@mail.example.org',
          ok: true,
          status: 250,
          reason: null,
        },
      ],
    })
    expect(mails.at(-1)!.headers.get('subject')).toContain('test alert')
  })

  it.each([
    [{ email: 'not an address' }, 422],
    [{ email: 'ops@mail.example.org', extra: 1 }, 422],
    [{}, 422],
  ])(
    'when the body is %j, then %i with a problem body and nothing stored',
    async (body, status) => {
      const { url, mails } = await smtpSink()
      const { token } = await server({ SMTP_URL: url })

      const r = await s.request('POST', '/api/v1/alert-contacts', { token, json: body })
      const list = await s.request('GET', '/api/v1/alert-contacts', { token })

      expect(r.status).toBe(status)
      expect(r.headers['content-type']).toContain('application/problem+json')
      expect(list.json()).toEqual({ contacts: [] })
      expect(mails).toEqual([])
    },
  )

  it('when SMTP_URL is unset, then adding an address is a 409 naming it', async () => {
    const { token } = await server({})

    const r = await s.request('POST', '/api/v1/alert-contacts', {
      token,
      json: { email: 'ops@mail.example.org' },
    })

    expect(r.status).toBe(409)
    expect(JSON.stringify(r.json())).toContain('SMTP_URL')
  })

  it("when another tenant confirms, removes or reads this tenant's address, then 404 and nothing changes", async () => {
    const { url, mails } = await smtpSink()
    const { token } = await server({ SMTP_URL: url })
    const other = (await createTenant(s, 'other')).token
    const added = await s.request('POST', '/api/v1/alert-contacts', {
      token,
      json: { email: 'ops@mail.example.org' },
    })
    const { id } = added.json() as { id: string }
    const code = /Confirmation code: (\S+)/.exec(mails[0]!.body)![1]

    const statuses = [
      (
        await s.request('POST', `/api/v1/alert-contacts/${id}/confirm`, {
          token: other,
          json: { code },
        })
      ).status,
      (await s.request('DELETE', `/api/v1/alert-contacts/${id}`, { token: other })).status,
      (await s.request('GET', `/api/v1/alert-contacts/${id}/deliveries`, { token: other })).status,
    ]
    const mine = await s.request('GET', '/api/v1/alert-contacts', { token })

    expect(statuses).toEqual([404, 404, 404])
    expect(mine.json()).toMatchObject({ contacts: [{ id, confirmed: false }] })
  })
})
