/** CLI commands for alerts (issue 13): webhooks, mail contacts and test alerts. */
import { JSON_OPTION } from './commands-admin.js'
import type { Command } from './command.js'

const TENANT_OPTION = {
  tenant: { type: 'string' as const, value: 'NAME', help: 'the tenant (default: local)' },
}
const LIMIT_OPTION = {
  limit: { type: 'string' as const, value: 'N', help: 'deliveries shown, 1-200 (default 50)' },
}

export const ALERT_COMMANDS: Command[] = [
  {
    name: 'webhook add',
    summary: 'add an alert webhook for a tenant; prints its signing secret once',
    usage: 'URL [--tenant NAME] [--json]',
    args: 'URL',
    help:
      "Each change of a domain's findings is POSTed as JSON to URL, signed with " +
      'X-Policyhost-Signature: sha256=HMAC(secret, "<X-Policyhost-Timestamp>.<body>"). ' +
      'https: only, and never to private addresses (WEBHOOK_ALLOW_PRIVATE for labs).',
    options: { ...JSON_OPTION, ...TENANT_OPTION },
    needs: 'runtime',
    run: async (c) => (await import('./webhooks.js')).webhookAdd(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'webhook list',
    summary: "a tenant's alert webhooks (never their secrets)",
    usage: '[--tenant NAME] [--json]',
    args: '',
    help: 'The webhooks of the tenant (default: local) with their ids, URLs and creation times.',
    options: { ...JSON_OPTION, ...TENANT_OPTION },
    needs: 'runtime',
    run: async (c) => (await import('./webhooks.js')).webhookList(c.rt, c.opts),
  },
  {
    name: 'webhook remove',
    summary: 'remove an alert webhook and its pending deliveries',
    usage: 'ID [--tenant NAME]',
    args: 'ID',
    help: 'Removes the webhook; deliveries still waiting for it are dropped with it.',
    options: TENANT_OPTION,
    needs: 'runtime',
    run: async (c) => (await import('./webhooks.js')).webhookRemove(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'webhook deliveries',
    summary: "a webhook's delivery log, newest first",
    usage: 'ID [--tenant NAME] [--limit N] [--json]',
    args: 'ID',
    help:
      'Every alert sent to the webhook: status (pending, delivered, failed), attempts, the next ' +
      'attempt and the last answer.',
    options: { ...JSON_OPTION, ...TENANT_OPTION, ...LIMIT_OPTION },
    needs: 'runtime',
    run: async (c) => (await import('./webhooks.js')).webhookDeliveryLog(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'contact add',
    summary: 'add an alert mail address for a tenant; a confirmation code is mailed to it',
    usage: 'EMAIL [--tenant NAME] [--json]',
    args: 'EMAIL',
    help:
      'Mails a confirmation code to EMAIL through SMTP_URL. Alerts go to the address once the ' +
      "code is confirmed ('contact confirm'): its owner agreed to receive them.",
    options: { ...JSON_OPTION, ...TENANT_OPTION },
    needs: 'runtime',
    run: async (c) => (await import('./contacts.js')).contactAdd(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'contact confirm',
    summary: 'confirm an alert mail address with the code mailed to it',
    usage: 'ID CODE [--tenant NAME] [--json]',
    args: 'ID CODE',
    help: 'Five wrong codes lock the address: remove it and add it again for a new code.',
    options: { ...JSON_OPTION, ...TENANT_OPTION },
    needs: 'runtime',
    run: async (c) =>
      (await import('./contacts.js')).contactConfirm(c.rt, c.args[0]!, c.args[1]!, c.opts),
  },
  {
    name: 'contact list',
    summary: "a tenant's alert mail addresses",
    usage: '[--tenant NAME] [--json]',
    args: '',
    help: 'The addresses of the tenant (default: local), confirmed or not.',
    options: { ...JSON_OPTION, ...TENANT_OPTION },
    needs: 'runtime',
    run: async (c) => (await import('./contacts.js')).contactList(c.rt, c.opts),
  },
  {
    name: 'contact remove',
    summary: 'remove an alert mail address and its pending deliveries',
    usage: 'ID [--tenant NAME]',
    args: 'ID',
    help: 'Removes the address; mail still waiting for it is dropped with it.',
    options: TENANT_OPTION,
    needs: 'runtime',
    run: async (c) => (await import('./contacts.js')).contactRemove(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'contact deliveries',
    summary: "an alert mail address's delivery log, newest first",
    usage: 'ID [--tenant NAME] [--limit N] [--json]',
    args: 'ID',
    help:
      'Every alert mailed to the address: status (pending, delivered, failed), attempts, the ' +
      "next attempt and the relay's last answer.",
    options: { ...JSON_OPTION, ...TENANT_OPTION, ...LIMIT_OPTION },
    needs: 'runtime',
    run: async (c) => (await import('./contacts.js')).contactDeliveryLog(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'alert test',
    summary: 'send a test alert to every webhook and confirmed contact of a tenant',
    usage: '[--tenant NAME] [--json]',
    args: '',
    help:
      'Sends one test alert to each webhook and confirmed mail address now and prints each ' +
      'outcome. Exit 1 when one failed.',
    options: { ...JSON_OPTION, ...TENANT_OPTION },
    needs: 'runtime',
    run: async (c) => (await import('./contacts.js')).alertTest(c.rt, c.opts),
  },
]
