/**
 * adapters/acme: certificates from an ACME CA (RFC 8555) through acme-client, HTTP-01 only.
 * The flow follows acme-client's examples/api.js: order → authorizations → publish the key
 * authorization in the shared challenge store → let the CA validate → finalize → download.
 * The challenge records are removed, and unfinished authorizations deactivated, in `finally`.
 * We do not self-check the challenge first (acme-client's default): the DNS preflight already
 * ran, and the CA's own verdict arrives in milliseconds with a clear error.
 */
import { readFileSync } from 'node:fs'
import { Agent } from 'node:https'
import acme from 'acme-client'
import type {
  AcmeAccountStore,
  CertificateBundle,
  ChallengeStore,
  Issuer,
  KeyType,
} from '../../core/certs/types.js'
import type { Logger } from '../../core/ports.js'
import { generateKeyPem, inspectBundle } from '../certs/x509.js'

export interface AcmeOptions {
  directoryUrl: string
  /** Where the account key and URL live (files with SQLite, the shared store with PostgreSQL). */
  accounts: AcmeAccountStore
  email: string | null
  eab: { kid: string; hmacKey: string } | null
  keyType: KeyType
  /** Extra CA certificates (PEM file) to trust for the directory, e.g. a private CA's. */
  caFile: string | null
  challenges: ChallengeStore
  clock: () => Date
  log: Logger
}

/** A challenge answer outlives any sane validation; stale ones are ignored after this. */
const CHALLENGE_TTL_MS = 60 * 60_000

export async function acmeIssuer(opts: AcmeOptions): Promise<Issuer> {
  if (opts.caFile) {
    acme.axios.defaults.httpsAgent = new Agent({
      ca: readFileSync(opts.caFile, 'utf8'),
      keepAlive: true,
    })
  }
  const { accounts } = opts
  const account =
    (await accounts.load(opts.directoryUrl)) ??
    (await accounts.create(
      opts.directoryUrl,
      (await acme.crypto.createPrivateEcdsaKey('P-256')).toString(),
    ))
  const newClient = (accountUrl: string | null) =>
    new acme.Client({
      directoryUrl: opts.directoryUrl,
      accountKey: account.keyPem,
      accountUrl: accountUrl ?? undefined,
      externalAccountBinding: opts.eab ?? undefined,
      // Poll validation quickly: a CA answers HTTP-01 within a second or two, not tens.
      backoffMin: 250,
      backoffMax: 5_000,
      backoffAttempts: 12,
    })
  let client = newClient(account.url)

  async function ensureAccount(): Promise<void> {
    if (account.url) return
    await client.createAccount({
      termsOfServiceAgreed: true,
      contact: opts.email ? [`mailto:${opts.email}`] : undefined,
    })
    account.url = client.getAccountUrl()
    await accounts.saveUrl(opts.directoryUrl, account.url)
    opts.log.info('acme_account_registered', { directory: opts.directoryUrl })
  }

  /** RFC 8555 §7.3.1: the CA no longer knows the stored account (reset, deleted, new CA). */
  const accountGone = (err: unknown) =>
    /accountDoesNotExist|account\b.*\b(not found|does not exist)/i.test(
      (err as Error).message ?? '',
    )

  /** One order; if the CA forgot our account, register again with the same key and retry once. */
  async function orderWithAccount(hostname: string): Promise<CertificateBundle> {
    try {
      return await order(hostname)
    } catch (err) {
      if (!account.url || !accountGone(err)) throw err
      opts.log.warn('acme_account_lost', {
        directory: opts.directoryUrl,
        error: (err as Error).message,
      })
      account.url = null
      client = newClient(null)
      return order(hostname)
    }
  }

  async function order(hostname: string): Promise<CertificateBundle> {
    await ensureAccount()
    const newOrder = await client.createOrder({ identifiers: [{ type: 'dns', value: hostname }] })
    const authorizations = await client.getAuthorizations(newOrder)
    const tokens: string[] = []
    let done = false
    try {
      for (const authz of authorizations) {
        if (authz.status === 'valid') continue // reused by the CA
        const challenge = authz.challenges.find((c) => c.type === 'http-01')
        if (!challenge) throw new Error(`CA offered no http-01 challenge for ${hostname}`)
        const keyAuthorization = await client.getChallengeKeyAuthorization(challenge)
        const expires = new Date(opts.clock().getTime() + CHALLENGE_TTL_MS)
        await opts.challenges.put(challenge.token, keyAuthorization, expires)
        tokens.push(challenge.token)
        await client.completeChallenge(challenge)
        await client.waitForValidStatus(challenge)
      }
      const keyPem = generateKeyPem(opts.keyType)
      const [, csr] = await acme.crypto.createCsr({ altNames: [hostname] }, keyPem)
      const finalized = await client.finalizeOrder(newOrder, csr)
      const chainPem = await client.getCertificate(finalized)
      const inspected = inspectBundle(hostname, chainPem, keyPem)
      if (!inspected.ok) throw new Error(`CA returned an unusable certificate: ${inspected.reason}`)
      done = true
      return inspected.bundle
    } finally {
      for (const token of tokens) await opts.challenges.remove(token).catch(() => undefined)
      if (!done) {
        // Leave nothing pending at the CA (RFC 8555 §7.5.2).
        for (const authz of authorizations) {
          if (authz.status === 'pending')
            await client.deactivateAuthorization(authz).catch(() => undefined)
        }
      }
    }
  }

  return {
    name: opts.directoryUrl,
    issue(hostname, signal) {
      return new Promise<CertificateBundle>((resolve, reject) => {
        const abort = () => reject(new Error(`ACME order for ${hostname} timed out`))
        if (signal.aborted) return abort()
        signal.addEventListener('abort', abort, { once: true })
        orderWithAccount(hostname)
          .then(resolve, reject)
          .finally(() => signal.removeEventListener('abort', abort))
      })
    },
  }
}
