import { availableParallelism } from 'node:os'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.js'

/** Runs loadConfig on one variable and returns its error line, or null when accepted. */
function errorOf(name: string, value: string): string | null {
  try {
    loadConfig({ [name]: value })
    return null
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as Error).message
  }
}

describe('loadConfig', () => {
  it.each([
    ['PUBLIC_ADDRESSES', '1.2.3', 'invalid PUBLIC_ADDRESSES: 1.2.3 is not an IP address'],
    ['PUBLIC_ADDRESSES', 'not-an-ip', 'invalid PUBLIC_ADDRESSES: not-an-ip is not an IP address'],
    ['PUBLIC_ADDRESSES', '192.0.2.1,2001:db8::1,1.2.3', 'invalid PUBLIC_ADDRESSES: 1.2.3 is not'],
    ['DNS_SERVERS', '1.2.3.4:99999', 'invalid DNS_SERVERS: 1.2.3.4:99999 is not'],
    ['DNS_SERVERS', 'not-an-ip', 'invalid DNS_SERVERS: not-an-ip is not'],
    ['DNS_SERVERS', '[::1]:0', 'invalid DNS_SERVERS: [::1]:0 is not'],
    ['ACME_CA_FILE', '/nonexistent.pem', 'invalid ACME_CA_FILE: must be a readable file'],
    ['ACME_CA_FILE', '/', 'invalid ACME_CA_FILE: must be a readable file'],
    ['HTTPS_PORT', 'abc', 'invalid HTTPS_PORT: must be a port number 0-65535'],
    ['PUBLIC_HTTPS_PORT', '0', 'invalid PUBLIC_HTTPS_PORT: must be a port number 1-65535'],
    [
      'SHUTDOWN_DRAIN_SECONDS',
      '-1',
      'invalid SHUTDOWN_DRAIN_SECONDS: must be a whole number 0-300',
    ],
    ['HTTP_PORT', '70000', 'invalid HTTP_PORT: must be a port number 0-65535'],
    ['CHECK_INTERVAL_HOURS', '0', 'invalid CHECK_INTERVAL_HOURS: must be a whole number 1-720'],
    ['MX_PROBE', 'maybe', 'invalid MX_PROBE'],
    // Issue 15: a typo is not silently SQLite, and the URL (with its password) is not echoed.
    [
      'DATABASE_URL',
      'mysql://u:secret@db/x',
      'invalid DATABASE_URL: must be a postgres:// or postgresql:// URL with a host',
    ],
    ['DATABASE_URL', 'postgres:///nohost', 'invalid DATABASE_URL: must be a postgres://'],
    ['DATABASE_POOL_MAX', '0', 'invalid DATABASE_POOL_MAX: must be a whole number 1-1000'],
    ['CHANGE_RECONCILE_SECONDS', '-5', 'invalid CHANGE_RECONCILE_SECONDS: must be a whole'],
    ['WORKERS', '0', 'invalid WORKERS: must be auto or a whole number 1-64'],
    ['WORKERS', '65', 'invalid WORKERS: must be auto or a whole number 1-64'],
    ['WORKERS', 'all', 'invalid WORKERS: must be auto or a whole number 1-64'],
    ['POLICY_FETCH', 'sometimes', 'invalid POLICY_FETCH'],
    ['MX_PROBE_PORT', '65536', 'invalid MX_PROBE_PORT: must be a port number 0-65535'],
    [
      'MX_PROBE_CA_FILE',
      '/nonexistent/ca.pem',
      'invalid MX_PROBE_CA_FILE: must be a readable file',
    ],
    [
      'MX_PROBE_TIMEOUT_SECONDS',
      '301',
      'invalid MX_PROBE_TIMEOUT_SECONDS: must be a whole number 1-300',
    ],
    [
      'POLICY_FETCH_CA_FILE',
      '/nonexistent/ca.pem',
      'invalid POLICY_FETCH_CA_FILE: must be a readable file',
    ],
    ['MX_PROBE_CONCURRENCY', '0', 'invalid MX_PROBE_CONCURRENCY: must be a whole number 1-256'],
    ['METRICS_PORT', 'x', 'invalid METRICS_PORT: must be a port number 0-65535'],
    ['METRICS_PER_DOMAIN', 'sometimes', 'invalid METRICS_PER_DOMAIN'],
    ['WEBHOOK_ALLOW_PRIVATE', 'maybe', 'invalid WEBHOOK_ALLOW_PRIVATE'],
    [
      'WEBHOOK_TIMEOUT_SECONDS',
      '0',
      'invalid WEBHOOK_TIMEOUT_SECONDS: must be a whole number 1-60',
    ],
    [
      'TLSRPT_ALERT_FAILURE_PERCENT',
      '101',
      'invalid TLSRPT_ALERT_FAILURE_PERCENT: must be a number 0-100',
    ],
    ['SMTP_URL', 'http://relay.example', 'invalid SMTP_URL: must be an smtp:// or smtps:// URL'],
    ['ALERT_MAIL_FROM', 'x', 'invalid ALERT_MAIL_FROM'],
    ['MAX_CONNECTIONS', 'lots', 'invalid MAX_CONNECTIONS: must be a whole number 1-1000000'],
    ['WORKER_QUEUE_MAX', '1.5', 'invalid WORKER_QUEUE_MAX: must be a whole number 0-100000'],
    ['TLSRPT_RATE_PER_SOURCE', '0', 'invalid TLSRPT_RATE_PER_SOURCE: must be a whole number ≥ 1'],
    ['SNAPSHOT_POLL_SECONDS', 'x', 'invalid SNAPSHOT_POLL_SECONDS: must be a number 0.1-3600'],
    ['RENEW_INTERVAL', '0 0 31 2 *', 'invalid RENEW_INTERVAL: never fires: no such date'],
    ['RENEW_INTERVAL', '0 0 31 feb *', 'invalid RENEW_INTERVAL: never fires: no such date'],
    ['RENEW_INTERVAL', '0 0 31 4,6,9,11 *', 'invalid RENEW_INTERVAL: never fires: no such date'],
    ['RENEW_INTERVAL', 'every day', 'invalid RENEW_INTERVAL: must be a cron expression'],
  ])('when %s=%s, then start-up stops with one line naming it', (name, value, message) => {
    const line = errorOf(name, value)
    expect(line).not.toBeNull()
    expect(line).toContain(message)
    expect(line).not.toContain('\n')
  })

  it.each([
    ['PUBLIC_ADDRESSES', '192.0.2.1, 2001:db8::1'],
    ['DNS_SERVERS', '1.1.1.1,8.8.8.8:53'],
    ['DNS_SERVERS', '[::1]:53'],
    ['DNS_SERVERS', '::1'],
    ['ACME_CA_FILE', new URL('../package.json', import.meta.url).pathname],
    ['HTTPS_PORT', '0'],
    ['HTTPS_PORT', '443'],
    ['SNAPSHOT_POLL_SECONDS', '0.5'],
    ['RENEW_INTERVAL', '0 0 29 2 *'],
    ['RENEW_INTERVAL', '0 0 31 * *'],
    ['RENEW_INTERVAL', '0 0 30 1,2 *'],
    ['RENEW_INTERVAL', '0 0 30 2,4 *'],
    ['RENEW_INTERVAL', '*/15 * * * *'],
    ['WORKERS', '64'],
  ])('when %s=%s, then it is accepted', (name, value) => {
    expect(errorOf(name, value)).toBeNull()
  })

  it.each([
    [undefined, 1],
    ['3', 3],
    ['auto', availableParallelism()],
  ])('when WORKERS=%s, then that many serving processes are run (%d)', (value, workers) => {
    expect(loadConfig({ WORKERS: value }).WORKERS).toBe(workers)
  })
})

describe('loadConfig: SECRETS_KEY (issue 15)', () => {
  const HEX = 'a1'.repeat(32)
  const lineOf = (env: Record<string, string>): string | null => {
    try {
      loadConfig(env)
      return null
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      return (err as Error).message
    }
  }

  it.each([
    ['postgres://policyhost:secret@db.internal:5432/policyhost', HEX],
    ['postgresql://u@127.0.0.1/p?sslmode=require', Buffer.alloc(32, 9).toString('base64')],
  ])('when DATABASE_URL=%s has a SECRETS_KEY, then it is accepted', (url, key) => {
    expect(lineOf({ DATABASE_URL: url, SECRETS_KEY: key })).toBeNull()
    expect(String(loadConfig({ DATABASE_URL: url, SECRETS_KEY: key }).SECRETS_KEY)).toMatch(
      /^SecretsKey\(id \d+\)$/,
    )
  })

  it('when DATABASE_URL is set without SECRETS_KEY, then start-up stops naming SECRETS_KEY', () => {
    const line = lineOf({ DATABASE_URL: 'postgres://u:secret@db/p' })
    expect(line).toContain('invalid SECRETS_KEY: required with DATABASE_URL')
    expect(line).not.toContain('secret@')
  })

  it.each([
    ['too short', HEX.slice(2)],
    ['a passphrase', 'correct horse battery staple'],
    ['base64 of 16 bytes', Buffer.alloc(16, 3).toString('base64')],
  ])('when SECRETS_KEY is %s, then it is refused without echoing it', (_, key) => {
    const line = lineOf({ DATABASE_URL: 'postgres://u@db/p', SECRETS_KEY: key })
    expect(line).toBe('invalid SECRETS_KEY: must be 64 hex characters or base64 of 32 bytes')
    expect(line).not.toContain(key)
  })

  it('when DATABASE_URL is unset, then SECRETS_KEY is not required', () => {
    expect(lineOf({})).toBeNull()
    expect(loadConfig({}).SECRETS_KEY).toBeUndefined()
  })
})

describe('loadConfig: the delegated zone (issue 12)', () => {
  const zone = { DNS_ZONE: 'dns.policyhost.example.net' }
  const lineOf = (env: Record<string, string>): string | null => {
    try {
      loadConfig(env)
      return null
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      return (err as Error).message
    }
  }

  it.each([
    [{ DNS_ZONE: 'not a zone' }, 'invalid DNS_ZONE: must be a hostname'],
    [zone, 'invalid DNS_NAMESERVERS: set at least one NS name with DNS_ZONE'],
    [
      { ...zone, DNS_NAMESERVERS: 'ns1.dns.policyhost.example.net' },
      'invalid DNS_NAMESERVERS: ns1.dns.policyhost.example.net is inside DNS_ZONE and needs its address',
    ],
    [{ ...zone, DNS_NAMESERVERS: 'ns1.example.net=300.1.1.1' }, 'invalid DNS_NAMESERVERS: ns1'],
    [{ DNS_PORT: '65536' }, 'invalid DNS_PORT: must be a port number 0-65535'],
    [{ DNS_TTL: '5' }, 'invalid DNS_TTL: must be a whole number 30-86400'],
    [{ DNS_SECONDARIES: '192.0.2.1:0' }, 'invalid DNS_SECONDARIES: 192.0.2.1:0 is not'],
    [{ DNS_TRANSFER_ALLOW: '192.0.2.0/33' }, 'invalid DNS_TRANSFER_ALLOW: 192.0.2.0/33 is not'],
    [{ DNS_TRANSFER_ALLOW: 'example.net' }, 'invalid DNS_TRANSFER_ALLOW: example.net is not'],
    [{ DNS_RRL_SLIP: '11' }, 'invalid DNS_RRL_SLIP: must be a whole number 0-10'],
  ])('when %j, then start-up stops with one line naming the variable', (env, message) => {
    const line = lineOf(env)
    expect(line).toContain(message)
    expect(line).not.toContain('\n')
  })

  it('when the zone is set with glue and secondaries, then it is accepted and names are canonical', () => {
    const c = loadConfig({
      DNS_ZONE: 'DNS.PolicyHost.Example.NET.',
      DNS_NAMESERVERS: 'ns1.dns.policyhost.example.net=192.0.2.53,ns2.example.org',
      DNS_SECONDARIES: '192.0.2.8,[2001:db8::8]:5353',
      DNS_TRANSFER_ALLOW: '192.0.2.0/24,2001:db8::/32',
    })
    expect(c.DNS_ZONE).toBe('dns.policyhost.example.net')
    expect(c.DNS_PORT).toBe(8053)
    expect(c.DNS_TTL).toBe(300)
  })

  it('when DNS_ZONE is unset, then no other DNS_* variable is required', () => {
    expect(lineOf({})).toBeNull()
    expect(loadConfig({}).DNS_ZONE).toBeUndefined()
  })
})
