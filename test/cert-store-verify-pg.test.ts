/**
 * Start-up's store check on PostgreSQL (CertManager.verifyStore): the bundles' serials come in
 * one read (CertStore.currentSerials), not one query per hostname, and what differs from the
 * certificate states is handled as on disk — a complete newer bundle (written by an instance
 * that crashed before recording it) is adopted, a missing one is queued for re-issue.
 */
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { localCa } from '../src/adapters/certs/local-ca.js'
import type { CertStore } from '../src/core/certs/types.js'
import {
  createTenant,
  domainWithPolicy,
  issueDue,
  startServer,
  type TestServer,
} from './helpers/test-server.js'
import { storedCert } from './helpers/tls-client.js'
import { TEST_STORE } from './helpers/world-store.js'

const DOMAIN = 'verify.example.org'
const HOST = `mta-sts.${DOMAIN}`
const POLICY = { mode: 'enforce', mx: ['mx.verify.example.org'], maxAge: 86400 }

describe.runIf(TEST_STORE === 'postgres')('PostgreSQL: start-up store check', () => {
  let s: TestServer
  beforeEach(async () => {
    s = await startServer()
    const { token } = await createTenant(s, 'verify')
    await domainWithPolicy(s, token, DOMAIN, POLICY)
    await issueDue(s)
  })
  afterEach(async () => {
    await s.close()
  })

  const spied = () => {
    const certs = s.runtime.store.certs as Required<CertStore>
    return { one: vi.spyOn(certs, 'currentSerial'), all: vi.spyOn(certs, 'currentSerials') }
  }

  it('when every bundle matches, then one read checks them all and nothing changes', async () => {
    const before = await storedCert(s, HOST)
    const { one, all } = spied()

    expect(await s.runtime.certs.verifyStore()).toBe(0)

    expect(all).toHaveBeenCalledTimes(1)
    expect(one).not.toHaveBeenCalled()
    expect(await storedCert(s, HOST)).toEqual(before)
  })

  it('when a newer complete bundle is stored than the state records, then it is adopted', async () => {
    const old = (await storedCert(s, HOST))!.serial!
    const ca = await localCa(join(s.dataDir, 'certs'), {
      keyType: 'ecdsa-p256',
      clock: () => new Date(),
    })
    const newer = await ca.issue(HOST, new AbortController().signal)
    // An instance that wrote the bundle and died before recording it in the state row.
    await s.runtime.store.certs.write(newer)
    const { one } = spied()

    expect(await s.runtime.certs.verifyStore()).toBe(0)

    expect(one).not.toHaveBeenCalled()
    expect(newer.serial).not.toBe(old)
    expect((await storedCert(s, HOST))!.serial).toBe(newer.serial)
    expect(s.logged('cert_store_damaged')).toEqual([])
  })

  it('when a bundle is missing, then it counts as damaged and a new certificate is issued', async () => {
    const old = (await storedCert(s, HOST))!.serial!
    await s.sql('DELETE FROM certificate_bundles WHERE hostname = ?', HOST)

    expect(await s.runtime.certs.verifyStore()).toBe(1)

    expect(s.logged('cert_store_damaged')).toContainEqual(
      expect.objectContaining({ hostname: HOST, reason: 'missing on disk' }),
    )
    await issueDue(s)
    const renewed = (await storedCert(s, HOST))!.serial!
    expect(renewed).not.toBe(old)
    expect(await s.runtime.store.certs.currentSerial(HOST)).toBe(renewed)
  })
})
