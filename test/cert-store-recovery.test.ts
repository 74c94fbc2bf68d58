import {
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { fileCertStore } from '../src/adapters/certs/file-store.js'
import { localCa } from '../src/adapters/certs/local-ca.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  ADMIN_TOKEN,
  createTenant,
  domainWithPolicy,
  eventually,
  issueDue,
  SERVICE_HOST,
  startServer,
  type TestServer,
} from './helpers/test-server.js'
import { handshake, httpOver, mustHandshake, storedCert } from './helpers/tls-client.js'
import { TEST_STORE } from './helpers/world-store.js'

const DOMAIN = 'store.example.org'
const HOST = `mta-sts.${DOMAIN}`
const POLICY = { mode: 'enforce', mx: ['mx.store.example.org'], maxAge: 86400 }

let s: TestServer
let policyText: string

beforeEach(async () => {
  s = await startServer()
  const { token } = await createTenant(s, 'store')
  policyText = (await domainWithPolicy(s, token, DOMAIN, POLICY)).text
  await issueDue(s)
})
afterEach(async () => {
  await s.close()
})

const certsDir = () => join(s.dataDir, 'certs')
const versionDir = (host = HOST) => {
  const hostDir = join(certsDir(), host)
  return join(hostDir, readlinkSync(join(hostDir, 'current')))
}

/** Serial presented for `host` on a new connection; null when the handshake is refused. */
async function servedSerial(host = HOST): Promise<string | null> {
  const r = await handshake(s.httpsPort, { servername: host, ca: s.rootPem })
  if (!r.ok) return null
  r.close()
  expect(r.authorized, `${host}: ${r.authorizationError}`).toBe(true)
  return r.serial
}

/** Every file under `dir`, recursively (symlinks not followed). */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    return e.isDirectory() ? [path, ...walk(path)] : [path]
  })
}

const damages: [string, () => void][] = [
  [
    'chain.pem is cut in half',
    () => {
      const chain = join(versionDir(), 'chain.pem')
      truncateSync(chain, Math.floor(statSync(chain).size / 2))
    },
  ],
  [
    "key.pem is another host's key",
    () => copyFileSync(join(versionDir(SERVICE_HOST), 'key.pem'), join(versionDir(), 'key.pem')),
  ],
  [
    'the version dir `current` names is deleted',
    () => rmSync(versionDir(), { recursive: true, force: true }),
  ],
  ['meta.json is garbage', () => writeFileSync(join(versionDir(), 'meta.json'), '{"serial": ')],
]

// These cases damage SQLite's file certificate store on disk. On PostgreSQL the certificates
// live in the database; its damage cases are covered by src/adapters/pg/cert-store.test.ts.
describe.skipIf(TEST_STORE === 'postgres')('certificate store recovery', () => {
  it.each(damages)(
    'when %s while stopped, then the bundle is never served and a new certificate is issued',
    async (_, damage) => {
      const s1 = (await storedCert(s, HOST))!.serial!
      expect(await servedSerial()).toBe(s1)
      await s.close({ keepData: true })
      damage()

      s = await s.restart()
      const seen: (string | null)[] = [await servedSerial()]
      const replaced = await eventually(async () => {
        const row = await storedCert(s, HOST)
        seen.push(await servedSerial())
        return row?.status === 'ok' && row.serial !== s1 && seen.at(-1) === row.serial
      }, 5_000)

      expect(replaced, JSON.stringify(await storedCert(s, HOST))).toBe(true)
      expect(seen).not.toContain(s1)
      expect(s.logged('cert_store_damaged')).toContainEqual(
        expect.objectContaining({ level: 'warn', hostname: HOST }),
      )
      const s2 = (await storedCert(s, HOST))!.serial!
      expect(s.logged('cert_obtained').concat(s.logged('cert_renewed'))).toContainEqual(
        expect.objectContaining({ hostname: HOST, serial: s2 }),
      )
      const meta = JSON.parse(readFileSync(join(versionDir(), 'meta.json'), 'utf8'))
      expect(meta).toMatchObject({ hostname: HOST, serial: s2 })
      const c = await mustHandshake(s.httpsPort, { servername: HOST, ca: s.rootPem })
      expect((await httpOver(c.socket, HOST, '/.well-known/mta-sts.txt')).body).toBe(policyText)
      c.close()
      expect(s.logged('cert_store_damaged').map((l) => l.hostname)).not.toContain(SERVICE_HOST)
      expect(await servedSerial(SERVICE_HOST)).toBe((await storedCert(s, SERVICE_HOST))!.serial)
    },
  )

  it('when certificates are stored, then every key is 0600 and every folder 0700', async () => {
    const files = walk(certsDir())
    const keys = files.filter((f) => /\.key$|key\.pem$/.test(f))

    expect(keys.map((k) => k.slice(certsDir().length)).sort()).toEqual(
      [
        `/${HOST}/${readlinkSync(join(certsDir(), HOST, 'current'))}/key.pem`,
        `/${SERVICE_HOST}/${readlinkSync(join(certsDir(), SERVICE_HOST, 'current'))}/key.pem`,
        '/local-ca/root.key',
      ].sort(),
    )
    for (const k of keys) expect((statSync(k).mode & 0o777).toString(8), k).toBe('600')
    for (const d of [certsDir(), ...files.filter((f) => statSync(f).isDirectory())]) {
      expect((statSync(d).mode & 0o777).toString(8), d).toBe('700')
    }
  })

  it('when a domain is removed (forced), then its certificate, key folder and row go on the next tick', async () => {
    expect(existsSync(join(certsDir(), HOST))).toBe(true)

    const res = await s.request('DELETE', `/api/v1/domains/${DOMAIN}?force=true`, {
      token: ADMIN_TOKEN,
    })
    await s.runtime.certs.idle()

    expect(res.status).toBe(200)
    expect(s.logged('cert_removed')).toEqual([expect.objectContaining({ hostname: HOST })])
    expect(existsSync(join(certsDir(), HOST))).toBe(false)
    expect(await storedCert(s, HOST)).toBeUndefined()
    expect(await servedSerial()).toBeNull()
    expect(await servedSerial(SERVICE_HOST)).toBe((await storedCert(s, SERVICE_HOST))!.serial)
    expect(existsSync(join(certsDir(), SERVICE_HOST))).toBe(true)
  })

  it('when only a policy changes, then the kicked tick skips the orphan sweep and the scheduled tick does it', async () => {
    // No poll during the test: it would see the row written below and ask for a sweep itself.
    s = await s.restart({ env: { SNAPSHOT_POLL_SECONDS: '3600' } })
    const orphan = 'mta-sts.gone.example'
    const db = new Database(join(s.dataDir, 'policyhost.sqlite'))
    try {
      const cols = (db.prepare('PRAGMA table_info(certificates)').all() as { name: string }[])
        .map((c) => c.name)
        .filter((n) => n !== 'hostname')
        .join(', ')
      db.prepare(
        `INSERT INTO certificates (hostname, ${cols}) SELECT ?, ${cols} FROM certificates WHERE hostname = ?`,
      ).run(orphan, HOST)
    } finally {
      db.close()
    }
    const { token } = await createTenant(s, 'store-2')
    await domainWithPolicy(s, token, 'other.example.org', POLICY)
    await s.runtime.certs.idle()

    expect(s.logged('cert_removed')).toEqual([])
    expect(await storedCert(s, orphan)).toBeDefined()
    expect((await s.runtime.certs.runDue()).removed).toBe(1)
    expect(s.logged('cert_removed')).toEqual([expect.objectContaining({ hostname: orphan })])
    expect(await storedCert(s, orphan)).toBeUndefined()
  })

  it('when a newer complete bundle is on disk than SQLite records (crash between the two), then start-up adopts it', async () => {
    const s1 = (await storedCert(s, HOST))!.serial!
    await s.close({ keepData: true })
    const ca = await localCa(certsDir(), { keyType: 'ecdsa-p256', clock: () => new Date() })
    const newer = await ca.issue(HOST, new AbortController().signal)
    await fileCertStore(certsDir()).write(newer)

    s = await s.restart()
    const adopted = await eventually(
      async () => (await storedCert(s, HOST))?.serial === newer.serial,
      5_000,
    )

    expect(adopted).toBe(true)
    expect(newer.serial).not.toBe(s1)
    expect(await servedSerial()).toBe(newer.serial)
    expect(s.logged('cert_store_damaged')).toEqual([])
    expect(s.logged('cert_obtained').concat(s.logged('cert_renewed'))).toEqual([])
  })
})
