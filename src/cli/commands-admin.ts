/** CLI commands for the server itself, tenants and API tokens. */
import type { Command, OptionSpec } from './command.js'

export const JSON_OPTION: Record<string, OptionSpec> = {
  json: { type: 'boolean', help: 'print JSON (for scripts) instead of a table' },
}

export const ADMIN_COMMANDS: Command[] = [
  {
    name: 'serve',
    summary: 'run the server (HTTP_PORT, SERVICE_HOST, ... from the environment)',
    usage: '',
    args: '',
    help:
      'Applies POLICIES_DIR, then serves policies, logos and the admin API over HTTP and HTTPS ' +
      'and runs the background jobs (certificates, domain claims, retirements) until SIGTERM or ' +
      'SIGINT. Settings come from the environment (see Configuration in the README).',
    needs: 'config',
    run: async (c) => (await import('../main.js')).serveUntilSignal(c.config),
  },
  {
    name: 'migrate',
    summary: 'create or upgrade the database and exit',
    usage: '',
    args: '',
    help:
      'Opens the database under DATA_DIR and applies every pending migration, then exits. ' +
      '`serve` does the same at start-up; run it alone before a deploy to check the upgrade.',
    needs: 'runtime',
    run: async (c) => {
      process.stdout.write(`database ready at ${c.config.dbPath}\n`)
      return 0
    },
  },
  {
    name: 'tenant create',
    summary: 'create a tenant; prints it with its first API token (once)',
    usage: 'NAME',
    args: 'NAME',
    help:
      'Creates a tenant and its first API token and prints both as JSON. The token is shown ' +
      'only this once (only its hash is stored); `token rotate` replaces it.',
    needs: 'runtime',
    run: async (c) => (await import('./tenants.js')).tenantCreate(c.rt, c.args[0]!),
  },
  {
    name: 'tenant list',
    summary: 'list tenants',
    usage: '[--json]',
    args: '',
    help: 'Every tenant with its id and creation time, in name order.',
    options: JSON_OPTION,
    needs: 'runtime',
    run: async (c) => (await import('./tenants.js')).tenantList(c.rt, c.opts.json === true),
  },
  {
    name: 'token create',
    summary: 'create an API token for the operator or a tenant; printed once',
    usage: '--operator | --tenant NAME [--label L]',
    args: '',
    help:
      'Creates an API token and prints the secret alone on stdout, once; its id goes to stderr. ' +
      'An operator token sees every tenant; a tenant token only its own domains.',
    options: {
      operator: { type: 'boolean', help: 'a token for the operator (every tenant)' },
      tenant: { type: 'string', value: 'NAME', help: 'a token for this tenant' },
      label: { type: 'string', value: 'L', help: 'a label to tell tokens apart (default cli)' },
    },
    needs: 'runtime',
    run: async (c) => (await import('./tokens.js')).createTokenCmd(c.rt, c.opts),
  },
  {
    name: 'token list',
    summary: 'list tokens: id, label, tenant, created, last used, revoked',
    usage: '[--tenant NAME] [--json]',
    args: '',
    help:
      "Every token (or one tenant's), oldest first, with its label, tenant, creation, last use " +
      'and revocation. Never the secret: only its hash is stored.',
    options: {
      tenant: { type: 'string', value: 'NAME', help: "only this tenant's tokens" },
      ...JSON_OPTION,
    },
    needs: 'runtime',
    run: async (c) =>
      (await import('./tokens.js')).listTokensCmd(
        c.rt,
        typeof c.opts.tenant === 'string' ? c.opts.tenant : undefined,
        c.opts.json === true,
      ),
  },
  {
    name: 'token revoke',
    summary: "revoke a token (a tenant's first one too)",
    usage: 'ID',
    args: 'ID',
    help: 'Revokes the token at once: requests with it are answered 401 from then on.',
    needs: 'runtime',
    run: async (c) => (await import('./tokens.js')).revokeTokenCmd(c.rt, c.args[0]),
  },
  {
    name: 'token rotate',
    summary: 'a new secret for the same label and tenant; the old one is revoked',
    usage: 'ID',
    args: 'ID',
    help:
      'Creates a token with the same label and tenant, prints its secret once, and revokes ' +
      'the old one.',
    needs: 'runtime',
    run: async (c) => (await import('./tokens.js')).rotateTokenCmd(c.rt, c.args[0]),
  },
]
