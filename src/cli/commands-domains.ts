/** CLI commands for domains, their MTA-STS policy, DNS records, status and `policies/`. */
import { JSON_OPTION } from './commands-admin.js'
import type { Command } from './command.js'

export const DOMAIN_COMMANDS: Command[] = [
  {
    name: 'domain add',
    summary: 'register a domain (default tenant: local)',
    usage: 'DOMAIN [--tenant NAME]',
    args: 'DOMAIN',
    help:
      'Registers DOMAIN for a tenant. With DOMAIN_VERIFICATION=dns it is a pending claim until ' +
      'the _policyhost TXT record it prints is published and checked (`domain verify`); ' +
      'otherwise it is live at once.',
    options: { tenant: { type: 'string', value: 'NAME', help: 'the owner (default local)' } },
    needs: 'runtime',
    run: async (c) => (await import('./domains.js')).domainAdd(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'domain verify',
    summary: 'check the _policyhost TXT proof now (or --trust)',
    usage: 'DOMAIN [--trust] [--tenant NAME]',
    args: 'DOMAIN',
    help:
      'Looks up the _policyhost TXT record of a pending claim now. --trust marks the domain ' +
      'verified without DNS (audited). Exit 1 while it is still pending, with the reason.',
    options: {
      trust: { type: 'boolean', help: 'verify without DNS (operator input, audited)' },
      tenant: {
        type: 'string',
        value: 'NAME',
        help: 'the claim of this tenant (several may claim)',
      },
    },
    needs: 'runtime',
    run: async (c) => (await import('./domains.js')).domainVerify(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'domain dns',
    summary: 'who publishes the TXT records: self or delegated (DNS_ZONE)',
    usage: 'DOMAIN self|delegated',
    args: 'DOMAIN MODE',
    help:
      'delegated: the owner publishes CNAMEs into the service zone once (see `records`), and ' +
      'the zone serves the _mta-sts, _smtp._tls and _bimi TXT records, changing the id only ' +
      'after the new policy is served. Needs DNS_ZONE. self: the owner publishes the TXT records.',
    needs: 'runtime',
    run: async (c) => (await import('./domains.js')).domainDns(c.rt, c.args[0]!, c.args[1]),
  },
  {
    name: 'domain list',
    summary: 'list domains: name, tenant, status, created',
    usage: '[--tenant NAME] [--status pending|active|retiring] [--json]',
    args: '',
    help:
      'Every domain in name order (all pages), claims included: its tenant, status, creation ' +
      'time and, while retiring, when it will be removed.',
    options: {
      tenant: { type: 'string', value: 'NAME', help: "only this tenant's domains" },
      status: { type: 'string', value: 'S', help: 'only domains in this status' },
      ...JSON_OPTION,
    },
    needs: 'runtime',
    run: async (c) => (await import('./domains.js')).domainList(c.rt, c.opts),
  },
  {
    name: 'domain show',
    summary: 'one domain: status, tenant, verification, policy summary',
    usage: 'DOMAIN [--json]',
    args: 'DOMAIN',
    help:
      'The domain as stored: tenant, status, verification and, when set, its MTA-STS policy ' +
      '(mode, max_age, id). `status DOMAIN` adds DNS and certificate state.',
    options: JSON_OPTION,
    needs: 'runtime',
    run: async (c) => (await import('./domains.js')).domainShow(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'domain remove',
    summary: 'retire a domain safely (RFC 8461 §8.3); --force removes it at once',
    usage: 'DOMAIN [--force] [--json]',
    args: 'DOMAIN',
    help:
      'Retires DOMAIN the safe way: it serves mode "none" until every policy served before has ' +
      'expired in sender caches, then it is removed. A domain that never published a policy ' +
      '(or a pending claim) is removed at once; so is any domain with --force.',
    options: {
      force: { type: 'boolean', help: 'remove now, without the retirement period' },
      ...JSON_OPTION,
    },
    needs: 'runtime',
    run: async (c) => (await import('./domains.js')).domainRemove(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'domain restore',
    summary: 'cancel a retirement: the policy before it is served again, under a new id',
    usage: 'DOMAIN [--json]',
    args: 'DOMAIN',
    help:
      'Cancels the retirement of a retiring domain: it is active again and serves the policy ' +
      'in force before the retirement under a new id (RFC 8461 §3.1); publish that id in the ' +
      '_mta-sts TXT record. Fails when the domain is not retiring.',
    options: JSON_OPTION,
    needs: 'runtime',
    run: async (c) => (await import('./domains.js')).domainRestore(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'status',
    summary: 'per hostname: DNS preflight, certificate, last error, next attempt',
    usage: 'DOMAIN [--json]',
    args: 'DOMAIN',
    help:
      'What the API answers at GET /domains/DOMAIN/status: the policy, per hostname the DNS ' +
      'preflight, the certificate (serial, expiry, renewal time), the last error and the next ' +
      'attempt, the advice on moving to enforce, and BIMI blockers.',
    options: JSON_OPTION,
    needs: 'runtime',
    run: async (c) => (await import('./domain-status.js')).statusCmd(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'check',
    summary: "check the domain's published records, MX coverage and STARTTLS now",
    usage: 'DOMAIN [--json]',
    args: 'DOMAIN',
    help:
      'Runs the checks of POST /domains/DOMAIN/checks now (not rate-limited here): the ' +
      '_mta-sts and _smtp._tls records as a sender reads them, every MX against the policy, ' +
      'and the STARTTLS probe of each MX (MX_PROBE). Prints what changed and the open ' +
      'problems; exits 1 while an error-severity problem is open.',
    options: JSON_OPTION,
    needs: 'runtime',
    run: async (c) => (await import('./check.js')).checkCmd(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'policy set',
    summary: 'set the MTA-STS policy; the id changes only when the text does',
    usage: 'DOMAIN --mode M [--mx HOST]... --max-age SECONDS',
    args: 'DOMAIN',
    help:
      'Stores the MTA-STS policy (RFC 8461 §3.2) and prints its id and text. An identical ' +
      'policy keeps its id and writes nothing. Publish the new id in the _mta-sts TXT record.',
    options: {
      mode: { type: 'string', value: 'M', help: 'enforce, testing or none' },
      mx: { type: 'string', multiple: true, value: 'HOST', help: 'an MX pattern (repeat)' },
      'max-age': { type: 'string', value: 'SECONDS', help: 'how long senders cache it' },
    },
    needs: 'runtime',
    run: async (c) => (await import('./policy.js')).policySet(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'policy show',
    summary: 'the current MTA-STS policy: id and text',
    usage: 'DOMAIN [--json]',
    args: 'DOMAIN',
    help: 'The stored policy: its id (as in the _mta-sts TXT record) and the text served.',
    options: JSON_OPTION,
    needs: 'runtime',
    run: async (c) => (await import('./policy.js')).policyShow(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'records',
    summary: 'the DNS records to publish',
    usage: 'DOMAIN [--format json|bind]',
    args: 'DOMAIN',
    help:
      'The DNS records the domain needs (mta-sts CNAME, _mta-sts and _smtp._tls TXT, BIMI), ' +
      'each with its purpose, as JSON or as a BIND zone fragment.',
    options: { format: { type: 'string', value: 'F', help: 'json (default) or bind' } },
    needs: 'runtime',
    run: async (c) => (await import('./policy.js')).recordsCmd(c.rt, c.args[0]!, c.opts),
  },
  {
    name: 'sync',
    summary: 'apply policies/*.json (default POLICIES_DIR)',
    usage: '[DIR] [--json]',
    args: '[DIR]',
    help:
      'Applies every DIR/*.json file into the local tenant through the same checks as the API. ' +
      'Each applied file is one line on stdout (created, updated or unchanged); each broken ' +
      'file is one line on stderr naming the field at fault, and the rest still applies.',
    options: JSON_OPTION,
    needs: 'runtime',
    quiet: true,
    run: async (c) => (await import('./sync.js')).syncCmd(c.rt, c.args[0], c.opts),
  },
]
