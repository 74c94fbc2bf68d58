/**
 * adapters/pg: ACME accounts in PostgreSQL (issue 15), one per directory URL, so every instance
 * orders with the same account. The key is sealed with SECRETS_KEY, bound to its directory URL.
 */
import { eq } from 'drizzle-orm'
import type { AcmeAccount, AcmeAccountStore } from '../../core/certs/types.js'
import { open, seal, type SecretsKey } from '../crypto/sealed.js'
import type { PgDb } from './database.js'
import { acmeAccounts } from './schema.js'

/** The associated data an account key is sealed with. */
export const accountKeyContext = (directoryUrl: string): string => `acme-account:${directoryUrl}`

/** The ACME account store over PostgreSQL, keys sealed with `key`. */
export function pgAccountStore(
  db: PgDb,
  key: SecretsKey,
  now: () => Date = () => new Date(),
): AcmeAccountStore {
  async function load(directoryUrl: string): Promise<AcmeAccount | null> {
    const [row] = await db
      .select()
      .from(acmeAccounts)
      .where(eq(acmeAccounts.directoryUrl, directoryUrl))
    if (row === undefined) return null
    // A key that does not open throws: registering a new account would hide the damage.
    const keyPem = open(key, accountKeyContext(directoryUrl), row.keySealed).toString('utf8')
    return { keyPem, url: row.accountUrl }
  }

  return {
    load,
    async create(directoryUrl, keyPem) {
      // DO NOTHING keeps the first instance's key when several start at once.
      await db
        .insert(acmeAccounts)
        .values({
          directoryUrl,
          keySealed: seal(key, accountKeyContext(directoryUrl), keyPem),
          accountUrl: null,
          createdAt: now(),
        })
        .onConflictDoNothing({ target: acmeAccounts.directoryUrl })
      const stored = await load(directoryUrl)
      if (stored === null) throw new Error(`ACME account for ${directoryUrl} vanished`)
      return stored
    },
    async saveUrl(directoryUrl, url) {
      const saved = await db
        .update(acmeAccounts)
        .set({ accountUrl: url })
        .where(eq(acmeAccounts.directoryUrl, directoryUrl))
        .returning({ directoryUrl: acmeAccounts.directoryUrl })
      if (saved.length === 0)
        throw new Error(`no ACME account for ${directoryUrl} to save a URL to`)
    },
  }
}
