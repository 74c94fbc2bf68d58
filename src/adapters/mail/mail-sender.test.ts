import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterEach, describe, expect, it } from 'vitest'
import { mailSender } from './mail-sender.js'

/** A real SMTP server on loopback: accepts, or answers RCPT with `rcpt`'s code. */
async function relay(rcpt?: { code: number; message: string }) {
  const messages: { from: string; to: string[]; raw: string }[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (!rcpt) return callback()
      const err = Object.assign(new Error(rcpt.message), { responseCode: rcpt.code })
      callback(err)
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        callback()
      })
    },
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.server.address() as AddressInfo).port
  closers.push(() => new Promise<void>((r) => server.close(() => r())))
  return { port, messages }
}

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

const send = (port: number, timeoutMs = 5000, subject = 'hello') =>
  mailSender({
    url: `smtp://127.0.0.1:${port}`,
    from: 'policyhost <alerts@service.example>',
    messageIdDomain: 'service.example',
    timeoutMs,
  }).send({ to: 'ops@alpha.example', subject, text: 'body line\n', deliveryId: 'd-1' })

describe('mail sender (nodemailer, issue 13)', () => {
  it('when the relay accepts, then ok with its 250 and the message carries our headers', async () => {
    const { port, messages } = await relay()

    const r = await send(port)

    expect(r).toMatchObject({ ok: true, status: 250 })
    expect(messages).toHaveLength(1)
    expect(messages[0]!.from).toBe('alerts@service.example')
    expect(messages[0]!.to).toEqual(['ops@alpha.example'])
    expect(messages[0]!.raw).toMatch(/^Message-ID: <d-1@service\.example>\r$/m)
    expect(messages[0]!.raw).toMatch(/^Auto-Submitted: auto-generated\r$/m)
    expect(messages[0]!.raw).toMatch(/^Subject: hello\r$/m)
  })

  it('when a subject carries CRLF and a header, then no header is added (folded into the subject)', async () => {
    const { port, messages } = await relay()

    const r = await send(port, 5000, 'x\r\nBcc: victim@elsewhere.example')

    expect(r.ok).toBe(true)
    expect(messages[0]!.to).toEqual(['ops@alpha.example'])
    expect(messages[0]!.raw).not.toMatch(/^Bcc:/im)
  })

  it.each([
    [550, false],
    [451, true],
  ])(
    'when the relay refuses the recipient with %i, then failed (retryable: %s) with the code',
    async (code, retryable) => {
      const { port, messages } = await relay({ code, message: 'no thanks' })

      const r = await send(port)

      expect(r).toMatchObject({ ok: false, status: code, retryable })
      expect(r.ok ? '' : r.reason).toMatch(new RegExp(`^SMTP ${code}: `))
      expect(messages).toEqual([])
    },
  )

  it('when nothing listens, then a retryable failure without a status', async () => {
    const server = createServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as AddressInfo).port
    await new Promise<void>((r) => server.close(() => r()))

    const r = await send(port)

    expect(r).toMatchObject({ ok: false, retryable: true })
    expect(r).not.toHaveProperty('status')
  })

  it('when the relay never greets, then the attempt ends at the timeout, retryable', async () => {
    const held: Socket[] = []
    const silent: Server = createServer((s) => void held.push(s))
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    closers.push(
      () =>
        new Promise<void>((r) => {
          silent.close(() => r())
          for (const s of held) s.destroy()
        }),
    )
    const started = Date.now()

    const r = await send((silent.address() as AddressInfo).port, 300)

    expect(r).toMatchObject({ ok: false, retryable: true })
    expect(Date.now() - started).toBeLessThan(3000)
  })
})
