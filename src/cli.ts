#!/usr/bin/env node
/**
 * The operator CLI: the same service verbs as the API, acting as the operator. Results go to
 * stdout (secrets only once); every failure is one line on stderr and a non-zero exit.
 */
import { parseArgs } from 'node:util'
import { loadConfig, type Config } from './config.js'
import { SYSTEM_ACTOR } from './core/actor.js'
import { renderBind } from './core/dns/bind.js'
import { verificationRecord } from './core/domain-claim.js'
import { DomainError } from './core/errors.js'
import { MtaStsPolicyInput } from './core/mta-sts/policy.js'
import { LOCAL_TENANT } from './core/tenant-name.js'
import { openRuntime, serve, syncDir, VERSION, type Runtime } from './main.js'
import { addDomain, DomainInput } from './services/domains.js'
import { verifyDomain } from './services/domain-verification.js'
import { setPolicy } from './services/mta-sts.js'
import { recordsFor } from './services/records.js'
import { createTenant, ensureTenant, listTenants, TenantInput } from './services/tenants.js'
import { createToken } from './services/tokens.js'
import { convertFile } from './cli/logo-convert.js'
import { domainArg, escapeText, json, need, oneLine, out, parse, UsageError } from './cli/output.js'
import { renew } from './cli/renew.js'
import { listTokensCmd, revokeTokenCmd, rotateTokenCmd } from './cli/tokens.js'
import { importFiles } from './cli/tlsrpt-import.js'

const USAGE = `usage: policyhost <command> [options]   (--version, --help)

  serve                                   run the server (HTTP_PORT, SERVICE_HOST, ... from env)
  migrate                                 create or upgrade the database and exit
  tenant create NAME                      create a tenant; prints its first token once
  tenant list                             list tenants
  token create --operator [--label L]     create an operator token; printed once
  token create --tenant NAME [--label L]  create a token for a tenant; printed once
  token list [--tenant NAME] [--json]     list tokens: id, label, tenant, created, last used,
                                          revoked (never the secret)
  token revoke ID                         revoke a token (a tenant's first one too)
  token rotate ID                         a new secret for the same label and tenant, printed
                                          once; the old one is revoked
  domain add DOMAIN [--tenant NAME]       register a domain (default tenant: ${LOCAL_TENANT})
  domain verify DOMAIN [--trust] [--tenant NAME]
                                          check the _policyhost TXT proof now; --trust marks
                                          the domain verified without DNS (audited)
  policy set DOMAIN --mode M [--mx HOST]... --max-age SECONDS
  records DOMAIN [--format json|bind]     the DNS records to publish
  sync [DIR]                              apply policies/*.json (default POLICIES_DIR)
  logo convert FILE [--title T] [--out F] turn an SVG into SVG Tiny PS; changes on stderr
  tlsrpt import FILE...                   store TLS reports received by mail (.json, .json.gz, .eml)
  renew [HOST] [--force]                  obtain/renew certificates that are due (or HOST);
                                          --force ignores renewal windows and backoff
`

async function tenantIdByName(rt: Runtime, name: string): Promise<string> {
  if (name === LOCAL_TENANT) return (await ensureTenant(rt.deps, SYSTEM_ACTOR, name)).id
  const t = await rt.deps.repos.tenants.byName(name)
  if (!t) throw new DomainError('NOT_FOUND', `tenant "${name}" not found`)
  return t.id
}

async function run(argv: string[], config: Config): Promise<number> {
  const { values: o, positionals: p } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      operator: { type: 'boolean' },
      tenant: { type: 'string' },
      label: { type: 'string' },
      mode: { type: 'string' },
      mx: { type: 'string', multiple: true },
      'max-age': { type: 'string' },
      format: { type: 'string' },
      force: { type: 'boolean' },
      trust: { type: 'boolean' },
      title: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
      json: { type: 'boolean' },
    },
  })
  const [cmd, sub, arg] = p
  if (o.version) {
    out(VERSION)
    return 0
  }
  if (o.help || !cmd) {
    out(USAGE)
    return cmd || o.help ? 0 : 2
  }
  if (cmd === 'logo' && sub === 'convert') return convertFile(need(arg, 'FILE'), o.title, o.out)
  // Whatever the runtime creates (database, journal files, keys, exports) is the service's
  // alone: tenants' reports and token hashes must not be readable by other local users.
  process.umask(0o077)
  if (cmd === 'serve') return serveUntilSignal(config)
  const rt = await openRuntime(
    { ...config, LOG_LEVEL: config.LOG_LEVEL === 'debug' ? 'debug' : 'warn' },
    {
      logSink: (line) => process.stderr.write(line + '\n'),
      oneShot: true,
    },
  )
  try {
    const d = rt.deps
    const key = `${cmd} ${sub ?? ''}`.trim()
    switch (
      key.startsWith('records')
        ? 'records'
        : key.startsWith('sync')
          ? 'sync'
          : key.startsWith('renew')
            ? 'renew'
            : key
    ) {
      case 'migrate':
        out(`database ready at ${config.dbPath}`)
        return 0
      case 'tenant create':
        json(
          await createTenant(
            d,
            SYSTEM_ACTOR,
            parse(TenantInput, { name: need(arg, 'tenant NAME') }),
          ),
        )
        return 0
      case 'tenant list':
        json(await listTenants(d, SYSTEM_ACTOR))
        return 0
      case 'token create': {
        if (Boolean(o.operator) === Boolean(o.tenant))
          throw new UsageError('give exactly one of --operator or --tenant NAME')
        const tenantId = o.tenant ? await tenantIdByName(rt, o.tenant) : undefined
        const t = await createToken(d, SYSTEM_ACTOR, {
          label: o.label ?? 'cli',
          ...(tenantId ? { tenantId } : { operator: true }),
        })
        out(t.token)
        process.stderr.write(`token ${t.id} created; it is shown only this once\n`)
        return 0
      }
      case 'token list':
        return await listTokensCmd(rt, o.tenant, Boolean(o.json))
      case 'token revoke':
        return await revokeTokenCmd(rt, arg)
      case 'token rotate':
        return await rotateTokenCmd(rt, arg)
      case 'domain add': {
        const tenantId = await tenantIdByName(rt, o.tenant ?? LOCAL_TENANT)
        const input = parse(DomainInput, { name: need(arg, 'DOMAIN'), tenantId })
        const dom = await addDomain(d, SYSTEM_ACTOR, input)
        if (dom.status === 'pending' && dom.verificationToken) {
          const r = verificationRecord(dom.name, dom.verificationToken)
          out(
            `domain ${dom.name} claimed (pending until ${dom.claimExpiresAt?.toISOString()}); ` +
              `publish ${r.name} TXT "${r.value}", then run "policyhost domain verify ${dom.name}" ` +
              '(or --trust)',
          )
        } else {
          out(`domain ${dom.name} added; run "policyhost records ${dom.name}" for the DNS records`)
        }
        return 0
      }
      case 'domain verify': {
        const tenantId = o.tenant ? await tenantIdByName(rt, o.tenant) : undefined
        const r = await verifyDomain(d, SYSTEM_ACTOR, domainArg(arg), {
          trust: Boolean(o.trust),
          tenantId,
        })
        out(`${r.verified ? 'verified' : 'pending'}: ${r.message}`)
        return r.verified ? 0 : 1
      }
      case 'policy set': {
        const maxAge = o['max-age'] === undefined ? undefined : Number(o['max-age'])
        const policy = parse(MtaStsPolicyInput, { mode: o.mode, mx: o.mx ?? [], maxAge })
        const view = await setPolicy(d, SYSTEM_ACTOR, domainArg(arg), policy)
        out(`id: ${view.policyId}${view.changed ? '' : ' (unchanged)'}\n${view.text}`)
        return 0
      }
      case 'records': {
        const format = o.format ?? 'json'
        if (format !== 'json' && format !== 'bind')
          throw new UsageError('--format must be json or bind')
        const records = await recordsFor(d, SYSTEM_ACTOR, domainArg(sub))
        if (format === 'bind') out(renderBind(records))
        else json(records)
        return 0
      }
      case 'tlsrpt import':
        return await importFiles(rt, p.slice(2))
      case 'renew':
        return await renew(rt, sub, Boolean(o.force))
      case 'sync': {
        const outcomes = await syncDir(rt, sub ?? config.POLICIES_DIR)
        for (const x of outcomes) {
          out(`${x.result}\t${escapeText(x.path)}${x.error ? `\t${escapeText(x.error)}` : ''}`)
        }
        return outcomes.some((x) => x.result === 'error') ? 1 : 0
      }
      default:
        throw new UsageError(`unknown command "${key}"`)
    }
  } finally {
    rt.close()
  }
}

async function serveUntilSignal(config: Config): Promise<number> {
  const server = await serve(await openRuntime(config))
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
  })
  await server.close()
  return 0
}

async function main(): Promise<void> {
  let code: number
  try {
    code = await run(process.argv.slice(2), loadConfig())
  } catch (err) {
    const usage =
      err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    process.stderr.write(`policyhost: ${oneLine(err)}\n`)
    if (usage) process.stderr.write('run "policyhost --help" for usage\n')
    code = usage ? 2 : 1
  }
  process.exitCode = code
}

await main()
