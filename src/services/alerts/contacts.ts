/**
 * A tenant's mail contacts for alerts (issue 13). A new address gets a confirmation code by
 * mail and receives alerts only once the tenant passes the code back (`confirmContact`): the
 * mailbox's owner agreed, so a tenant cannot aim alert mail at a stranger.
 */
import { z } from 'zod'
import type { Actor } from '../../core/actor.js'
import { confirmationMail } from '../../core/alerts/alert-mail.js'
import type { DeliveryRow, StoredContact } from '../../core/alerts/alert-ports.js'
import { constantTimeEqual } from '../../core/constant-time.js'
import { DomainError } from '../../core/errors.js'
import type { ServiceDeps } from '../deps.js'
import { alertTenant, takeRequestedAlert } from './alert-tenant.js'

/** Addresses one tenant may have (confirmed or not): each alert is one mail per address. */
export const CONTACTS_PER_TENANT = 10
/** Wrong codes before the address must be removed and added again (a new code). */
export const CONFIRM_ATTEMPTS = 5

// Unambiguous when read out or typed: no 0/O, 1/I/L.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'
const CODE_LENGTH = 10

export const ContactIn = z
  .object({
    // RFC 5321 §4.5.3.1.3: a path is at most 256 octets, so an address at most 254.
    email: z.string().max(254).email(),
  })
  .strict()
export type ContactIn = z.infer<typeof ContactIn>

export const ConfirmIn = z.object({ code: z.string().min(1).max(64) }).strict()
export type ConfirmIn = z.infer<typeof ConfirmIn>

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * A code from the secret source (deps.newSecret: 32 random bytes, base64url): each character
 * below 62 = 2 × 31 maps onto the alphabet without bias; the rest are skipped.
 */
function newCode(newSecret: () => string): string {
  let code = ''
  while (code.length < CODE_LENGTH) {
    for (const ch of newSecret().replace(/^ph_/, '')) {
      const i = BASE64URL.indexOf(ch)
      if (i >= 0 && i < 2 * CODE_ALPHABET.length && code.length < CODE_LENGTH)
        code += CODE_ALPHABET[i % CODE_ALPHABET.length]
    }
  }
  return code
}

/** Codes are compared case- and space-insensitively: people retype them. */
const normalCode = (code: string): string => code.replace(/[\s-]/g, '').toUpperCase()

function mailOf(deps: ServiceDeps) {
  if (deps.mail === null) {
    throw new DomainError(
      'CONFLICT',
      'mail alerts are off on this server (the operator sets SMTP_URL)',
    )
  }
  return deps.mail
}

export async function addContact(
  deps: ServiceDeps,
  actor: Actor,
  input: ContactIn,
  tenant?: string,
): Promise<StoredContact> {
  const mail = mailOf(deps)
  const tenantId = await alertTenant(deps, actor, tenant)
  const email = input.email.toLowerCase()
  const existing = await deps.repos.alerts.contacts(tenantId)
  if (existing.some((c) => c.email === email)) {
    throw new DomainError('CONFLICT', `${email} is already an alert contact`)
  }
  if (existing.length >= CONTACTS_PER_TENANT) {
    throw new DomainError('CONFLICT', `a tenant has at most ${CONTACTS_PER_TENANT} alert contacts`)
  }
  takeRequestedAlert(deps, tenantId)
  const code = newCode(deps.newSecret)
  const contact = {
    id: deps.newId(),
    tenantId,
    email,
    confirmedAt: null,
    createdAt: deps.clock.now(),
  }
  await deps.repos.alerts.addContact({ ...contact, confirmHash: deps.sha256Hex(code) })
  const sent = await mail.sender.send({
    to: email,
    deliveryId: contact.id,
    ...confirmationMail(code, deps.serviceHost),
  })
  if (!sent.ok) {
    // Without the code the address could never be confirmed: leave nothing behind.
    await deps.repos.alerts.removeContact(tenantId, contact.id)
    throw new DomainError('UPSTREAM', `the confirmation mail could not be sent: ${sent.reason}`)
  }
  return contact
}

export async function confirmContact(
  deps: ServiceDeps,
  actor: Actor,
  id: string,
  input: ConfirmIn,
  tenant?: string,
): Promise<StoredContact> {
  const tenantId = await alertTenant(deps, actor, tenant)
  const contact = await deps.repos.alerts.contact(tenantId, id)
  if (!contact) throw new DomainError('NOT_FOUND', `alert contact "${id}" not found`)
  if (contact.confirmHash === null)
    throw new DomainError('CONFLICT', `${contact.email} is already confirmed`)
  // Counted before comparing: a guesser runs out of attempts whatever each guess gives.
  const attempts = await deps.repos.alerts.countConfirmAttempt(id)
  if (attempts > CONFIRM_ATTEMPTS) {
    throw new DomainError(
      'CONFLICT',
      `too many wrong codes for ${contact.email}: remove it and add it again for a new code`,
    )
  }
  if (!constantTimeEqual(deps.sha256Hex(normalCode(input.code)), contact.confirmHash)) {
    throw new DomainError('VALIDATION', 'invalid request', [
      { path: 'code', message: 'not the code mailed to this address' },
    ])
  }
  const at = deps.clock.now()
  await deps.repos.alerts.confirmContact(id, at)
  const { confirmHash: _h, confirmAttempts: _n, ...stored } = contact
  return { ...stored, confirmedAt: at }
}

export async function listContacts(
  deps: ServiceDeps,
  actor: Actor,
  tenantId?: string,
): Promise<StoredContact[]> {
  return deps.repos.alerts.contacts(await alertTenant(deps, actor, tenantId))
}

/** NOT_FOUND for another tenant's contact, so ids cannot be probed. */
async function ownContact(deps: ServiceDeps, actor: Actor, id: string, tenantId?: string) {
  const contact = await deps.repos.alerts.contact(await alertTenant(deps, actor, tenantId), id)
  if (!contact) throw new DomainError('NOT_FOUND', `alert contact "${id}" not found`)
  return contact
}

export async function removeContact(
  deps: ServiceDeps,
  actor: Actor,
  id: string,
  tenantId?: string,
): Promise<void> {
  const contact = await ownContact(deps, actor, id, tenantId)
  await deps.repos.alerts.removeContact(contact.tenantId, id)
}

export async function contactDeliveries(
  deps: ServiceDeps,
  actor: Actor,
  id: string,
  opts: { limit: number; tenantId?: string },
): Promise<DeliveryRow[]> {
  const contact = await ownContact(deps, actor, id, opts.tenantId)
  return deps.repos.alerts.deliveries(contact.tenantId, { contactId: id }, opts.limit)
}
