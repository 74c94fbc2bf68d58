/**
 * bench: a worker thread that issues certificates from the product's local CA root (a fresh
 * ECDSA P-256 key per hostname; see leaf.ts) and lays them out exactly as the file store does
 * (`<host>/<serial>-<ms>/{chain.pem,key.pem,meta.json}` + `current` symlink), with the
 * product's meta.json and certificate state. Shortcut: no fsync (the store does five per bundle).
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parentPort, workerData } from 'node:worker_threads'
import { metaFor } from '../src/adapters/certs/version-meta.js'
import { issuedState, pendingState } from '../src/services/certs/cert-attempt.js'
import { leafFactory } from './leaf.js'

export interface SeedJob {
  certsDir: string
  from: number
  to: number
  hostOf: string
}

export interface CertRow {
  hostname: string
  status: string
  issuerName: string | null
  serial: string | null
  issuer: string | null
  notBefore: number | null
  notAfter: number | null
  renewAt: number | null
  dueAt: number
  updatedAt: number
}

const ms = (d: Date | null) => (d === null ? null : d.getTime())

async function main(job: SeedJob): Promise<void> {
  const ca = await leafFactory(job.certsDir)
  let batch: CertRow[] = []
  for (let i = job.from; i < job.to; i++) {
    const hostname = job.hostOf.replace('{i}', String(i))
    const bundle = ca.issue(hostname)
    const now = new Date()
    const version = `${bundle.serial}-${now.getTime()}`
    const hostDir = join(job.certsDir, hostname)
    mkdirSync(join(hostDir, version), { recursive: true, mode: 0o700 })
    const opts = { mode: 0o600 }
    writeFileSync(join(hostDir, version, 'chain.pem'), bundle.chainPem, opts)
    writeFileSync(join(hostDir, version, 'key.pem'), bundle.keyPem, opts)
    const meta = `${JSON.stringify(metaFor(bundle, now), null, 2)}\n`
    writeFileSync(join(hostDir, version, 'meta.json'), meta, opts)
    symlinkSync(version, join(hostDir, 'current'))
    const s = issuedState(pendingState(hostname, now), bundle, 'local', now)
    batch.push({
      hostname,
      status: s.status,
      issuerName: s.issuerName,
      serial: s.serial,
      issuer: s.issuer,
      notBefore: ms(s.notBefore),
      notAfter: ms(s.notAfter),
      renewAt: ms(s.renewAt),
      dueAt: s.dueAt.getTime(),
      updatedAt: s.updatedAt.getTime(),
    })
    if (batch.length === 500) {
      parentPort!.postMessage({ rows: batch })
      batch = []
    }
  }
  parentPort!.postMessage({ rows: batch, done: true })
}

main(workerData as SeedJob).catch((err: Error) => parentPort!.postMessage({ error: err.stack }))
