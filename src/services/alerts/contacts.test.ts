import { afterEach, describe, expect, it } from 'vitest'
import {
  alphaWithDomain,
  failure,
  serviceWorld,
  type ServiceWorld,
} from '../../../test/helpers/services.js'
import type { AlertMail, DeliveryResult } from '../../core/alerts/alert-ports.js'
import { checkDomain } from '../checks/check-domain.js'
import { getDomain } from '../domains/domains.js'
import { AlertDispatcher } from '../engines/alert-dispatcher.js'
import { setPolicy } from '../mta-sts/mta-sts.js'
import {
  addContact,
  CONFIRM_ATTEMPTS,
  confirmContact,
  contactDeliveries,
  listContacts,
  removeContact,
} from './contacts.js'
import { sendTestAlert } from './test-alert.js'
import { addWebhook } from './webhooks.js'

let world: ServiceWorld
afterEach(() => world.close())

/**
 * A world with mail on: a relay standing in for the nodemailer adapter (its own test talks to a
 * real SMTP server) records each mail and answers what `answer` says.
 */
async function withMail() {
  world = await serviceWorld()
  const { a } = await alphaWithDomain(world)
  const mails: AlertMail[] = []
  const relay = { answer: { ok: true, status: 250, ms: 1 } as DeliveryResult }
  world.deps.mail = { sender: { send: async (m) => (mails.push(m), relay.answer) } }
  const codeOf = (to: string) => {
    const mail = mails.filter((m) => m.to === to).at(-1)
    return /Confirmation code: (\S+)/.exec(mail?.text ?? '')?.[1] ?? 'none'
  }
  return { a, mails, relay, codeOf }
}

async function problemChecked(a: { actor: Parameters<typeof getDomain>[1] }) {
  await setPolicy(world.deps, a.actor, 'alpha.example', {
    mode: 'enforce',
    mx: ['mx1.alpha.example'],
    maxAge: 86400,
  })
  world.dns.mxs.set('alpha.example', ['mx9.elsewhere.example'])
  await checkDomain(world.deps, await getDomain(world.deps, a.actor, 'alpha.example'))
}

describe('alert contacts (issue 13)', () => {
  it('when SMTP_URL is unset, then adding a contact is refused with the variable named', async () => {
    world = await serviceWorld()
    const { a } = await alphaWithDomain(world)

    const err = await failure(addContact(world.deps, a.actor, { email: 'ops@alpha.example' }))

    expect(err.code).toBe('CONFLICT')
    expect(err.message).toContain('SMTP_URL')
    expect(await listContacts(world.deps, a.actor)).toEqual([])
  })

  it('when a contact is added, then it gets a code and no alert until the tenant confirms it', async () => {
    const { a, mails, codeOf } = await withMail()
    const contact = await addContact(world.deps, a.actor, { email: 'Ops@Alpha.example' })
    const dispatcher = new AlertDispatcher({
      deps: world.deps,
      sender: { send: async () => ({ ok: true, status: 204, ms: 1 }) },
      log: world.deps.log,
    })

    await problemChecked(a)
    await dispatcher.tick()
    const beforeConfirm = mails.length
    await confirmContact(world.deps, a.actor, contact.id, { code: codeOf('ops@alpha.example') })
    world.dns.mxs.set('alpha.example', ['mx1.alpha.example'])
    await checkDomain(world.deps, await getDomain(world.deps, a.actor, 'alpha.example'))
    await dispatcher.tick()

    expect(contact).toMatchObject({ email: 'ops@alpha.example', confirmedAt: null })
    expect(beforeConfirm).toBe(1)
    expect(mails[0]!.subject).toContain('confirm alert mail')
    // Confirmed after the problem opened: it hears of the resolution only.
    // The subject is cut to 120 characters; the message is whole in the text.
    expect(mails.slice(1).map((m) => m.subject)).toEqual([
      "[policyhost] alpha.example: resolved — MX mx9.elsewhere.example is not in the policy's mx list: senders refuse to deliv…",
    ])
    expect(mails[1]!.text).toContain(
      "not in the policy's mx list: senders refuse to deliver to it\n",
    )
    expect(mails[1]!.text).toContain('finding:  mx:uncovered:mx9.elsewhere.example')
    const log = await contactDeliveries(world.deps, a.actor, contact.id, { limit: 5 })
    expect(log).toMatchObject([
      { status: 'delivered', attempts: 1, contactId: contact.id, webhookId: null },
    ])
  })

  it('when the relay answers 451, then the mail waits on the ladder; 550 fails it for good', async () => {
    const { a, relay, codeOf, mails } = await withMail()
    const c = await addContact(world.deps, a.actor, { email: 'ops@alpha.example' })
    await confirmContact(world.deps, a.actor, c.id, { code: codeOf('ops@alpha.example') })
    const dispatcher = new AlertDispatcher({
      deps: world.deps,
      sender: { send: async () => ({ ok: true, status: 204, ms: 1 }) },
      log: world.deps.log,
    })
    relay.answer = { ok: false, reason: 'SMTP 451: try later', status: 451, retryable: true, ms: 1 }

    await problemChecked(a)
    await dispatcher.tick()
    const waiting = await contactDeliveries(world.deps, a.actor, c.id, { limit: 5 })
    world.clock.advance(61)
    relay.answer = {
      ok: false,
      reason: 'SMTP 550: no such user',
      status: 550,
      retryable: false,
      ms: 1,
    }
    await dispatcher.tick()
    world.clock.advance(86_400)
    await dispatcher.tick()

    // Two problems opened (the uncovered MX, the missing _mta-sts record): one mail each.
    const pending = { status: 'pending', attempts: 1, lastStatus: 451 }
    expect(waiting).toMatchObject([pending, pending])
    const failed = {
      status: 'failed',
      attempts: 2,
      lastStatus: 550,
      lastReason: 'SMTP 550: no such user',
    }
    expect(await contactDeliveries(world.deps, a.actor, c.id, { limit: 5 })).toMatchObject([
      failed,
      failed,
    ])
    expect(mails.filter((m) => m.subject.includes('alpha.example:'))).toHaveLength(4)
  })

  it('when wrong codes are tried, then each is refused and after the limit even the right one is', async () => {
    const { a, codeOf } = await withMail()
    const c = await addContact(world.deps, a.actor, { email: 'ops@alpha.example' })

    const wrong = await failure(confirmContact(world.deps, a.actor, c.id, { code: 'AAAAAAAAAA' }))
    for (let i = 1; i < CONFIRM_ATTEMPTS; i++) {
      await failure(confirmContact(world.deps, a.actor, c.id, { code: 'AAAAAAAAAA' }))
    }
    const locked = await failure(
      confirmContact(world.deps, a.actor, c.id, { code: codeOf('ops@alpha.example') }),
    )

    expect(wrong.code).toBe('VALIDATION')
    expect(wrong.issues).toEqual([{ path: 'code', message: 'not the code mailed to this address' }])
    expect(locked.code).toBe('CONFLICT')
    expect((await listContacts(world.deps, a.actor))[0]!.confirmedAt).toBeNull()
  })

  it('when the code is retyped in lower case with spaces, then it confirms once', async () => {
    const { a, codeOf } = await withMail()
    const c = await addContact(world.deps, a.actor, { email: 'ops@alpha.example' })
    const code = codeOf('ops@alpha.example')
    const typed = `${code.slice(0, 5)} ${code.slice(5)}`.toLowerCase()

    const confirmed = await confirmContact(world.deps, a.actor, c.id, { code: typed })
    const again = await failure(confirmContact(world.deps, a.actor, c.id, { code }))

    expect(code).toMatch(/^[A-HJKMNP-Z2-9]{10}$/)
    expect(confirmed.confirmedAt).toEqual(world.clock.now())
    expect(again.code).toBe('CONFLICT')
  })

  it('when the confirmation mail cannot be sent, then nothing is stored and the reason is told', async () => {
    const { a, relay } = await withMail()
    relay.answer = { ok: false, reason: 'ECONNECTION: refused', retryable: true, ms: 1 }

    const err = await failure(addContact(world.deps, a.actor, { email: 'ops@alpha.example' }))

    expect(err.code).toBe('UPSTREAM')
    expect(err.message).toContain('ECONNECTION: refused')
    expect(await listContacts(world.deps, a.actor)).toEqual([])
  })

  it("when another tenant names this tenant's contact, then it is not found, and its own list is empty", async () => {
    const { a } = await withMail()
    const c = await addContact(world.deps, a.actor, { email: 'ops@alpha.example' })
    const b = await world.tenant('bravo')

    const errs = await Promise.all([
      failure(confirmContact(world.deps, b.actor, c.id, { code: 'X' })),
      failure(removeContact(world.deps, b.actor, c.id)),
      failure(contactDeliveries(world.deps, b.actor, c.id, { limit: 5 })),
    ])

    expect(errs.map((e) => e.code)).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND'])
    expect(await listContacts(world.deps, b.actor)).toEqual([])
    expect(await listContacts(world.deps, a.actor)).toHaveLength(1)
  })

  it('when the same address is added twice, or a tenant asks for codes in a loop, then it is refused', async () => {
    const { a, mails } = await withMail()
    await addContact(world.deps, a.actor, { email: 'ops@alpha.example' })

    const twice = await failure(addContact(world.deps, a.actor, { email: 'OPS@alpha.example' }))
    const codes: string[] = []
    for (let i = 0; i < 12; i++) {
      const c = await addContact(world.deps, a.actor, { email: `x${i}@alpha.example` }).then(
        (c) => (void removeContact(world.deps, a.actor, c.id), 'sent'),
        (e: { code: string }) => e.code,
      )
      codes.push(c)
    }

    expect(twice.code).toBe('CONFLICT')
    expect(codes.filter((c) => c === 'sent')).toHaveLength(9)
    expect(codes.slice(9)).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED'])
    expect(mails).toHaveLength(10)
  })
})

describe('test alerts (issue 13)', () => {
  it('when the tenant asks for a test, then each webhook and confirmed contact gets one now, with its outcome', async () => {
    const { a, codeOf, mails } = await withMail()
    const c = await addContact(world.deps, a.actor, { email: 'ops@alpha.example' })
    await addContact(world.deps, a.actor, { email: 'unconfirmed@alpha.example' })
    await confirmContact(world.deps, a.actor, c.id, { code: codeOf('ops@alpha.example') })
    const hook = await addWebhook(world.deps, a.actor, { url: 'https://hooks.alpha.example/x' })
    const bodies: string[] = []
    world.deps.webhooks.sender = {
      send: async (d) => (
        bodies.push(d.body),
        { ok: false, reason: 'HTTP 500', status: 500, retryable: true, ms: 1 }
      ),
    }
    const before = mails.length

    const outcomes = await sendTestAlert(world.deps, a.actor)

    expect(outcomes).toEqual([
      {
        channel: 'webhook',
        id: hook.id,
        target: hook.url,
        ok: false,
        status: 500,
        reason: 'HTTP 500',
      },
      {
        channel: 'mail',
        id: c.id,
        target: 'ops@alpha.example',
        ok: true,
        status: 250,
        reason: null,
      },
    ])
    expect(JSON.parse(bodies[0]!)).toMatchObject({ type: 'test' })
    expect(mails.slice(before).map((m) => m.to)).toEqual(['ops@alpha.example'])
  })

  it('when the tenant has nowhere to send, then the test is refused', async () => {
    const { a } = await withMail()

    const err = await failure(sendTestAlert(world.deps, a.actor))

    expect(err.code).toBe('CONFLICT')
  })
})
