/**
 * `contact add|confirm|list|remove|deliveries` and `alert test`: a tenant's alert mail addresses
 * and test alerts (issue 13), as the API has them.
 */
import { SYSTEM_ACTOR } from '../core/actor.js'
import type { StoredContact } from '../core/alerts/alert-ports.js'
import type { Runtime } from '../main.js'
import {
  addContact,
  ConfirmIn,
  confirmContact,
  contactDeliveries,
  ContactIn,
  listContacts,
  removeContact,
} from '../services/alerts/contacts.js'
import { sendTestAlert } from '../services/alerts/test-alert.js'
import { flag, type OptionValues } from './command.js'
import { escapeText, fields, iso, json, out, parse, table } from './output.js'
import { limitOf, printDeliveries, tenantOf } from './webhooks.js'

const view = (c: StoredContact) => ({
  id: c.id,
  email: c.email,
  confirmed: c.confirmedAt !== null,
  confirmedAt: iso(c.confirmedAt),
  createdAt: c.createdAt.toISOString(),
})

function printContact(c: StoredContact, o: OptionValues, note: string): void {
  if (flag(o, 'json')) {
    json(view(c))
    return
  }
  fields([
    ['id', c.id],
    ['email', escapeText(c.email)],
    ['confirmed', c.confirmedAt === null ? `no — ${note}` : c.confirmedAt.toISOString()],
  ])
}

export async function contactAdd(rt: Runtime, email: string, o: OptionValues): Promise<number> {
  const input = parse(ContactIn, { email })
  const c = await addContact(rt.deps, SYSTEM_ACTOR, input, await tenantOf(rt, o))
  printContact(c, o, "a code was mailed to it; pass it to 'contact confirm'")
  return 0
}

export async function contactConfirm(
  rt: Runtime,
  id: string,
  code: string,
  o: OptionValues,
): Promise<number> {
  const input = parse(ConfirmIn, { code })
  const c = await confirmContact(rt.deps, SYSTEM_ACTOR, id, input, await tenantOf(rt, o))
  printContact(c, o, '')
  return 0
}

export async function contactList(rt: Runtime, o: OptionValues): Promise<number> {
  const rows = (await listContacts(rt.deps, SYSTEM_ACTOR, await tenantOf(rt, o))).map(view)
  if (flag(o, 'json')) json({ contacts: rows })
  else
    table(
      ['id', 'email', 'confirmed', 'created'],
      rows.map((c) => [c.id, escapeText(c.email), c.confirmedAt ?? 'no', c.createdAt]),
    )
  return 0
}

export async function contactRemove(rt: Runtime, id: string, o: OptionValues): Promise<number> {
  await removeContact(rt.deps, SYSTEM_ACTOR, id, await tenantOf(rt, o))
  out(`removed alert contact ${escapeText(id)}`)
  return 0
}

export async function contactDeliveryLog(
  rt: Runtime,
  id: string,
  o: OptionValues,
): Promise<number> {
  const rows = await contactDeliveries(rt.deps, SYSTEM_ACTOR, id, {
    limit: limitOf(o),
    tenantId: await tenantOf(rt, o),
  })
  printDeliveries(rows, o)
  return 0
}

/** Exit 1 when any target failed: scripts can check the alert path in one command. */
export async function alertTest(rt: Runtime, o: OptionValues): Promise<number> {
  const results = await sendTestAlert(rt.deps, SYSTEM_ACTOR, await tenantOf(rt, o))
  if (flag(o, 'json')) json({ results })
  else
    table(
      ['channel', 'target', 'result', 'answer'],
      results.map((r) => [
        r.channel,
        escapeText(r.target),
        r.ok ? 'ok' : 'failed',
        escapeText(r.reason ?? String(r.status ?? '')),
      ]),
    )
  return results.every((r) => r.ok) ? 0 : 1
}
