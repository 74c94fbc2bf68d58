import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTestStore, type TestStore } from '../../../test/helpers/repo-stores.js'
import { SKIP_POSTGRES } from '../../../test/helpers/postgres.js'
import type { AcmeAccountStore } from '../../core/certs/types.js'
import { fileAccountStore } from '../acme/account.js'
import { generateKeyPem } from '../certs/x509.js'
import { SealedError, SecretsKey } from '../crypto/sealed.js'
import { pgAccountStore } from './account-store.js'

const DIRECTORY = 'https://acme.example/directory'
const OTHER_DIRECTORY = 'https://acme.example/other'
const key = SecretsKey.fromBytes(randomBytes(32))

interface Stores {
  /** Two stores over the same place, as two instances (or a restart) would have. */
  a: AcmeAccountStore
  b: AcmeAccountStore
  pg: TestStore | null
  close(): Promise<void>
}

const KINDS: Array<[string, () => Promise<Stores>]> = [
  [
    'files',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'policyhost-accounts-'))
      const [a, b] = [fileAccountStore(dir), fileAccountStore(dir)]
      return { a, b, pg: null, close: () => rm(dir, { recursive: true, force: true }) }
    },
  ],
  ...(SKIP_POSTGRES
    ? []
    : ([
        [
          'postgres',
          async () => {
            const pg = await openTestStore('postgres')
            const [a, b] = [pgAccountStore(pg.pg!.db, key), pgAccountStore(pg.pg!.db, key)]
            return { a, b, pg, close: () => pg.close() }
          },
        ],
      ] as Array<[string, () => Promise<Stores>]>)),
]

describe.each(KINDS)('AcmeAccountStore (%s)', (_, make) => {
  let s: Stores
  beforeEach(async () => {
    s = await make()
  })
  afterEach(() => s.close())

  it('when nothing was stored, then load returns null', async () => {
    expect(await s.a.load(DIRECTORY)).toBeNull()
  })

  it('when an account is created and its URL saved, then another instance loads both', async () => {
    const keyPem = generateKeyPem()
    expect(await s.a.create(DIRECTORY, keyPem)).toEqual({ keyPem, url: null })
    expect(await s.b.load(DIRECTORY)).toEqual({ keyPem, url: null })
    await s.a.saveUrl(DIRECTORY, 'https://acme.example/acct/1')
    expect(await s.b.load(DIRECTORY)).toEqual({ keyPem, url: 'https://acme.example/acct/1' })
    await s.b.saveUrl(DIRECTORY, 'https://acme.example/acct/2')
    expect((await s.a.load(DIRECTORY))?.url).toBe('https://acme.example/acct/2')
    expect(await s.a.load(OTHER_DIRECTORY)).toBeNull()
  })

  it('when two instances create the account at once, then both get the same key', async () => {
    const [x, y] = await Promise.all([
      s.a.create(DIRECTORY, generateKeyPem()),
      s.b.create(DIRECTORY, generateKeyPem()),
    ])
    expect(x.keyPem).toBe(y.keyPem)
    expect((await s.a.load(DIRECTORY))?.keyPem).toBe(x.keyPem)
  })

  it('when an account exists, then create keeps its key and URL', async () => {
    const first = generateKeyPem()
    await s.a.create(DIRECTORY, first)
    await s.a.saveUrl(DIRECTORY, 'https://acme.example/acct/1')
    expect(await s.b.create(DIRECTORY, generateKeyPem())).toEqual({
      keyPem: first,
      url: 'https://acme.example/acct/1',
    })
  })
})

describe.skipIf(SKIP_POSTGRES)('pgAccountStore', () => {
  let pg: TestStore
  beforeEach(async () => {
    pg = await openTestStore('postgres')
  })
  afterEach(() => pg.close())

  it('when an account is created, then its key is stored sealed, not as PEM', async () => {
    const keyPem = generateKeyPem()
    await pgAccountStore(pg.pg!.db, key).create(DIRECTORY, keyPem)
    const [row] = await pg.sql<{ key_sealed: Buffer }>('SELECT key_sealed FROM acme_accounts')
    const body = keyPem.split('\n')[1]!
    expect(row!.key_sealed.toString('latin1')).not.toContain('PRIVATE KEY')
    expect(row!.key_sealed.toString('base64')).not.toContain(body.slice(0, 24))
  })

  it('when a key is copied to another directory URL, then it does not open', async () => {
    const accounts = pgAccountStore(pg.pg!.db, key)
    await accounts.create(DIRECTORY, generateKeyPem())
    await accounts.create(OTHER_DIRECTORY, generateKeyPem())
    await pg.sql(
      'UPDATE acme_accounts SET key_sealed = (SELECT key_sealed FROM acme_accounts WHERE directory_url = ?) WHERE directory_url = ?',
      DIRECTORY,
      OTHER_DIRECTORY,
    )
    const error = await accounts.load(OTHER_DIRECTORY).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(SealedError)
    expect((error as Error).message).toContain(`acme-account:${OTHER_DIRECTORY}`)
  })

  it('when a URL is saved for an account never created, then it fails', async () => {
    await expect(
      pgAccountStore(pg.pg!.db, key).saveUrl(DIRECTORY, 'https://acme.example/acct/1'),
    ).rejects.toThrow(/no ACME account/)
  })
})
