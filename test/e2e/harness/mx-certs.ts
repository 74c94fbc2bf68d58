/**
 * Certificates for the e2e MX hosts: a trusted one issued by pebble over ACME (HTTP-01 answered
 * on the MX's own address, as a real MX host's operator would), and the ones pebble cannot make
 * (expired, naming another host, self-signed) made with openssl. The expired and wrong-name ones
 * come from a test CA whose root the probe also trusts, so each fails for exactly one reason.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { Agent } from 'node:https'
import { join } from 'node:path'
import acme from 'acme-client'
import type { Pebble } from './pebble.js'
import { runOk } from './processes.js'

/** PEM files as Postfix's smtpd_tls_chain_files takes them: the key, then the chain. */
export interface CertFiles {
  keyPath: string
  chainPath: string
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
const OPTS = { timeoutMs: 15_000 }

export interface TestCa {
  rootPath: string
  /** A leaf for `san` (DNS name), valid over [start, end] (openssl `YYYYMMDDHHMMSSZ`). */
  issue(name: string, san: string, start: string, end: string): Promise<CertFiles>
}

/** An openssl CA under `dir` (`openssl ca`, which alone sets arbitrary validity dates). */
export async function makeTestCa(dir: string): Promise<TestCa> {
  const rootPath = join(dir, 'test-ca.pem')
  const caKey = join(dir, 'test-ca.key')
  const subject = ['-subj', '/CN=policyhost e2e MX test CA', '-days', '30']
  await runOk('openssl', ['req', '-x509', ...EC, '-keyout', caKey, '-out', rootPath, ...subject])
  writeFileSync(join(dir, 'index.txt'), '')
  const conf = join(dir, 'test-ca.cnf')
  writeFileSync(
    conf,
    [
      '[ca]',
      'default_ca = test_ca',
      '[test_ca]',
      `database = ${join(dir, 'index.txt')}`,
      `new_certs_dir = ${dir}`,
      'rand_serial = yes',
      'default_md = sha256',
      'policy = any',
      'unique_subject = no',
      '[any]',
      'commonName = supplied',
      '',
    ].join('\n'),
  )
  return {
    rootPath,
    async issue(name, san, start, end) {
      const keyPath = join(dir, `${name}.key`)
      const csr = join(dir, `${name}.csr`)
      const chainPath = join(dir, `${name}.pem`)
      const ext = join(dir, `${name}.ext`)
      writeFileSync(ext, `subjectAltName=DNS:${san}\nextendedKeyUsage=serverAuth\n`)
      await runOk('openssl', ['req', ...EC, '-keyout', keyPath, '-out', csr, '-subj', `/CN=${san}`])
      const dates = ['-startdate', start, '-enddate', end]
      const sign = ['-cert', rootPath, '-keyfile', caKey, '-extfile', ext, '-notext']
      const args = ['ca', '-batch', '-config', conf, ...sign, ...dates, '-in', csr]
      await runOk('openssl', [...args, '-out', chainPath], OPTS)
      return { keyPath, chainPath }
    },
  }
}

/** A self-signed certificate naming `san`: well-formed, unexpired, trusted by nobody. */
export async function selfSigned(dir: string, name: string, san: string): Promise<CertFiles> {
  const keyPath = join(dir, `${name}.key`)
  const chainPath = join(dir, `${name}.pem`)
  const ext = ['-addext', `subjectAltName=DNS:${san}`, '-subj', `/CN=${san}`, '-days', '30']
  await runOk('openssl', ['req', '-x509', ...EC, '-keyout', keyPath, '-out', chainPath, ...ext])
  return { keyPath, chainPath }
}

/**
 * A certificate for `hostname` from pebble: HTTP-01 answered by a server on `address`:80 (the
 * address `hostname` resolves to), started for the order and closed after it.
 */
export async function pebbleCertificate(
  dir: string,
  pebble: Pebble,
  hostname: string,
  address: string,
): Promise<CertFiles> {
  // The same agent policyhost's issuer installs for this pebble: axios's defaults are global.
  acme.axios.defaults.httpsAgent = new Agent({ ca: readFileSync(pebble.listenerCaPath, 'utf8') })
  const answers = new Map<string, string>()
  const server = createServer((req, res) => {
    const token = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '')?.[1]
    const answer = token === undefined ? undefined : answers.get(token)
    res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'text/plain' })
    res.end(answer ?? '')
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(80, address, resolve)
  })
  try {
    const client = new acme.Client({
      directoryUrl: pebble.directoryUrl,
      accountKey: await acme.crypto.createPrivateEcdsaKey(),
    })
    const key = await acme.crypto.createPrivateEcdsaKey()
    const [, csr] = await acme.crypto.createCsr({ altNames: [hostname] }, key)
    const chain = await client.auto({
      csr,
      termsOfServiceAgreed: true,
      challengePriority: ['http-01'],
      challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
        answers.set(challenge.token, keyAuthorization)
      },
      challengeRemoveFn: async (_authz, challenge) => {
        answers.delete(challenge.token)
      },
    })
    const keyPath = join(dir, `${hostname}.key`)
    const chainPath = join(dir, `${hostname}.pem`)
    writeFileSync(keyPath, key)
    writeFileSync(chainPath, chain)
    return { keyPath, chainPath }
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}
