/**
 * bench, setup S (10 domains created through the API, certificates issued by our local CA):
 * keep-alive and full-handshake figures against nginx serving the same bytes with the same
 * certificate, p99 at half our peak, the writer, CPU profiles, the logging cost, and the
 * 10,000-domain admin figure (last: it grows the data).
 */
import { statSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import {
  addDomainWithPolicy,
  apiOf,
  createMany,
  createTenant,
  waitApi,
  withWriter,
} from './admin.js'
import { interleaved, repeat, type Ctx } from './ctx.js'
import { startFloor } from './floor.js'
import { startNginx } from './nginx.js'
import { profileDuring } from './profile.js'
import { f0, f2, median } from './report.js'
import { smallRows, type SmallFigures } from './rows.js'
import { hostOf } from './seed.js'
import { fetchPolicy, resumptionCheck, startOurs, waitPolicy } from './server.js'
import { log, sleep } from './tools.js'
import { runHandshakes, runWrk, type LoadSpec } from './wrk.js'

const HOST = hostOf(1)
const SMALL = 10

export async function smallSetup(ctx: Ctx, token: string): Promise<SmallFigures> {
  const dataDir = join(ctx.workDir, 'small')
  const opts = { entry: ctx.entry, dataDir, workDir: ctx.workDir, token }
  let ours = await startOurs({ ...opts, label: 'small' })
  const api = apiOf(ours.httpPort, token)
  await waitApi(api)
  const tenantId = await createTenant(api, 'bench')
  for (let i = 1; i <= SMALL; i++) await addDomainWithPolicy(api, tenantId, i)
  for (let i = 1; i <= SMALL; i++) await waitPolicy(ours, hostOf(i), 60_000)
  const policy = (await fetchPolicy(ours.httpsPort, HOST)).body
  const current = join(dataDir, 'certs', HOST, 'current')
  const nginx = await startNginx({
    workDir: ctx.workDir,
    chainPem: join(current, 'chain.pem'),
    keyPem: join(current, 'key.pem'),
    policyText: policy,
    cacheSeconds: 60,
  })
  const floor = await startFloor({
    chainPem: join(current, 'chain.pem'),
    keyPem: join(current, 'key.pem'),
    policyText: policy,
    cacheSeconds: 60,
  })
  const same = (await fetchPolicy(nginx.port, HOST)).body === policy
  ctx.notes.push(
    `S: nginx serves ${Buffer.byteLength(policy)} policy bytes ${same ? 'identical to' : 'DIFFERENT FROM'} ours, with the ECDSA P-256 certificate and key our local CA issued for ${HOST} (DATA_DIR/certs/${HOST}/current/).`,
  )
  const resumeOurs = await resumptionCheck(ours.httpsPort, HOST)
  const resumeNginx = await resumptionCheck(nginx.port, HOST)
  log(`resumption check: ours ${resumeOurs}, nginx ${resumeNginx}`)

  const spec = (port: number, more: Partial<LoadSpec> = {}): LoadSpec => ({
    port,
    sni: HOST,
    hosts: 1,
    conns: ctx.conns,
    seconds: ctx.seconds,
    ...more,
  })
  const wrkOn =
    (pid: number, port: number, more: Partial<LoadSpec> = {}) =>
    () =>
      runWrk(pid, spec(port, more), ctx.workDir)
  log('S: keep-alive')
  const [nginxKa, oursKa, floorKa] = await interleaved(ctx, [
    ['nginx keep-alive', wrkOn(nginx.pid, nginx.port)],
    ['ours keep-alive', wrkOn(ours.pid, ours.httpsPort)],
    ['node floor keep-alive', wrkOn(floor.pid, floor.port)],
  ])
  const delayMs = (ctx.conns * 1000) / (oursKa.rps / 2)
  log(`S: paced to ~${f0(oursKa.rps / 2)} req/s (half our peak): ${f2(delayMs)} ms per connection`)
  const [oursHalf, nginxHalf] = await interleaved(ctx, [
    ['ours paced', wrkOn(ours.pid, ours.httpsPort, { delayMs })],
    ['nginx paced', wrkOn(nginx.pid, nginx.port, { delayMs })],
  ])
  log('S: full handshakes (tlsload, never offers a session)')
  const [nginxHs, oursHs, floorHs] = await interleaved(ctx, [
    ['nginx handshakes', () => runHandshakes(nginx.pid, spec(nginx.port))],
    ['ours handshakes', () => runHandshakes(ours.pid, spec(ours.httpsPort))],
    ['node floor handshakes', () => runHandshakes(floor.pid, spec(floor.port))],
  ])
  await floor.stop()
  log('S: wrk with Connection: close (reference: wrk resumes when the server lets it)')
  const [nginxClose, oursClose] = await interleaved({ ...ctx, reps: 1 }, [
    ['nginx wrk close', wrkOn(nginx.pid, nginx.port, { close: true })],
    ['ours wrk close', wrkOn(ours.pid, ours.httpsPort, { close: true })],
  ])
  log(
    `S: keep-alive alternating with runs while an API writer changes ${ctx.writesPerSecond} policies/s`,
  )
  const written: number[] = []
  const [oursWriteBase, oursWrite] = await interleaved(ctx, [
    ['ours keep-alive (writer baseline)', wrkOn(ours.pid, ours.httpsPort)],
    [
      'ours keep-alive + writer',
      async () => {
        const r = await withWriter(api, SMALL, ctx.writesPerSecond, wrkOn(ours.pid, ours.httpsPort))
        written.push(r.writes)
        return r.run
      },
    ],
  ])
  await nginx.stop()
  log('S: CPU profiles of our server (inspector attached after the measured runs)')
  ctx.profiles.push(
    ...(await profileDuring(
      ours.pid,
      ctx.workDir,
      'S keep-alive',
      wrkOn(ours.pid, ours.httpsPort),
    )),
    ...(await profileDuring(ours.pid, ctx.workDir, 'S full handshakes', () =>
      runHandshakes(ours.pid, spec(ours.httpsPort)),
    )),
  )
  await ours.stop()

  log('S: one keep-alive run at LOG_LEVEL=info')
  ours = await startOurs({ ...opts, label: 'small-info', logLevel: 'info' })
  await waitPolicy(ours, HOST)
  const before = statSync(ours.logPath).size
  const info = await repeat(
    ctx,
    'ours keep-alive LOG_LEVEL=info',
    1,
    wrkOn(ours.pid, ours.httpsPort),
  )
  const logBytes = (statSync(ours.logPath).size - before) / Math.max(1, info.requests)
  await ours.stop()

  log('S: creating 10,000 domains with policies through the API (16 concurrent clients)')
  ours = await startOurs({ ...opts, label: 'small-admin' })
  await waitPolicy(ours, HOST)
  const api2 = apiOf(ours.httpPort, token)
  const bulk = await createMany(api2, tenantId, 11, 10_010, 16, 300_000)
  const db = new Database(join(dataDir, 'policyhost.sqlite'), { readonly: true })
  const issued = () =>
    (db.prepare(`select count(*) n from certificates where status = 'ok'`).get() as { n: number }).n
  const certsIssued = issued()
  await sleep(15_000)
  const certsLater = issued()
  db.close()
  ctx.profiles.push(
    ...(await profileDuring(ours.pid, ctx.workDir, 'S admin: 1,000 more domains via API', () =>
      createMany(api2, tenantId, 10_011, 11_010, 16, 60_000),
    )),
  )
  await ours.stop()

  const figs: SmallFigures = {
    oursKa,
    nginxKa,
    floorKa,
    floorHs,
    oursHalf,
    nginxHalf,
    oursHs,
    nginxHs,
    oursClose,
    nginxClose,
    oursWrite,
    oursWriteBase,
    writes: median(written),
    info,
    logBytes,
    resumeOurs,
    resumeNginx,
    bulk,
    certsIssued,
    certsLater,
  }
  smallRows(ctx, figs)
  return figs
}
