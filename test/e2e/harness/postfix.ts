/**
 * One Debian Postfix instance for the MX probes of the e2e suite: its own config_directory,
 * queue_directory and data_directory under the caller's work dir, started with `postfix -c DIR
 * start`, with one smtpd per MX case on its own loopback address, port 25. It only greets and
 * answers EHLO, STARTTLS and QUIT: there is no local delivery, no relay and no queue manager.
 * Every banner carries a token of this instance, so a system postfix (outside the namespace, or
 * started by the package install) can never be mistaken for it.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, chownSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { run, runOk } from './processes.js'

export const SMTP_PORT = 25

/** One smtpd: where it listens, the name it gives, and its certificate (or no STARTTLS). */
export interface MxService {
  /** A loopback address, e.g. 127.0.0.11. */
  address: string
  /** myhostname of the service: its banner and EHLO name. */
  hostname: string
  /** PEM files of the key and the certificate chain (leaf first); null: no STARTTLS offered. */
  tls: { keyPath: string; chainPath: string } | null
}

export interface Postfix {
  /** The token every banner of this instance carries. */
  readonly token: string
  /** The instance's mail log (postlogd). */
  logs(): string
  /** The first line the server at `address`:25 sends. */
  banner(address: string): Promise<string>
  stop(): Promise<void>
}

const idOf = (user: string, flag: '-u' | '-g') =>
  Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim())

function mainCf(dir: string, token: string): string {
  return [
    'compatibility_level = 3.6',
    `queue_directory = ${join(dir, 'queue')}`,
    `data_directory = ${join(dir, 'data')}`,
    'mail_owner = postfix',
    'setgid_group = postdrop',
    'myhostname = mx.policyhost-e2e.test',
    'mydestination =',
    'relayhost =',
    'alias_maps =',
    'alias_database =',
    // smtpd opens its recipient maps at start (through proxymap by default); there are none.
    'local_recipient_maps =',
    'biff = no',
    'inet_interfaces = all',
    'inet_protocols = ipv4',
    `smtpd_banner = $myhostname ESMTP ${token}`,
    // Nothing is ever accepted: the probe stops after STARTTLS (or EHLO); a stray MAIL is refused.
    'smtpd_relay_restrictions = reject',
    'smtpd_recipient_restrictions = reject',
    // No syslog in the namespace: postlogd writes the instance's own file.
    `maillog_file = ${join(dir, 'maillog')}`,
    `maillog_file_prefixes = ${dir}`,
    'smtpd_tls_security_level = none',
    '',
  ].join('\n')
}

function masterCf(services: readonly MxService[]): string {
  const lines = [
    'postlog   unix-dgram n  -       n       -       1       postlogd',
    'tlsmgr    unix  -       -       n       1000?   1       tlsmgr',
    'anvil     unix  -       -       n       -       1       anvil',
  ]
  for (const s of services) {
    const opts = [`-o myhostname=${s.hostname}`]
    if (s.tls === null) opts.push('-o smtpd_tls_security_level=none')
    else {
      // RFC 3207: `may` offers STARTTLS in EHLO and leaves it to the client.
      opts.push('-o smtpd_tls_security_level=may')
      opts.push(`-o smtpd_tls_chain_files=${s.tls.keyPath},${s.tls.chainPath}`)
    }
    lines.push(`${s.address}:${SMTP_PORT} inet n - n - - smtpd`, ...opts.map((o) => `  ${o}`))
  }
  return `${lines.join('\n')}\n`
}

/** Reads the first line a server sends (or '' when it closes or says nothing for 3 s). */
function firstLine(address: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port })
    let text = ''
    const done = (line: string) => {
      socket.destroy()
      resolve(line)
    }
    socket.setTimeout(3_000, () => done(''))
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1')
      const end = text.indexOf('\r\n')
      if (end >= 0) done(text.slice(0, end))
    })
    socket.on('error', () => done(''))
    socket.on('close', () => done(text))
  })
}

/**
 * The master opens its lock in data_directory, and tlsmgr its files, as the postfix user, by
 * absolute path: every directory above must be searchable by others. run.sh's TMPDIR is 0700, so
 * search (not listing) is added to the directories from `dir` up that lack it and are ours.
 */
function searchableUpTo(dir: string): void {
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    const st = statSync(d)
    if ((st.mode & 0o001) === 0 && st.uid === process.getuid?.()) chmodSync(d, st.mode | 0o011)
  }
}

/**
 * Writes the instance's configuration under `workDir` and starts it; resolves once every
 * service answers with this instance's banner.
 */
export async function startPostfix(
  workDir: string,
  services: readonly MxService[],
): Promise<Postfix> {
  const dir = join(workDir, 'postfix')
  const conf = join(dir, 'conf')
  const data = join(dir, 'data')
  for (const d of [conf, join(dir, 'queue'), data]) mkdirSync(d, { recursive: true })
  chmodSync(dir, 0o755)
  searchableUpTo(dir)
  chownSync(data, idOf('postfix', '-u'), idOf('postfix', '-g'))
  const token = `policyhost-e2e-${randomBytes(6).toString('hex')}`
  writeFileSync(join(conf, 'main.cf'), mainCf(dir, token))
  writeFileSync(join(conf, 'master.cf'), masterCf(services))
  const postfix = (...args: string[]) => runOk('postfix', ['-c', conf, ...args])
  const logs = () => {
    try {
      return readFileSync(join(dir, 'maillog'), 'utf8')
    } catch {
      return ''
    }
  }
  await postfix('check')
  await postfix('start')
  const instance: Postfix = {
    token,
    logs,
    banner: (address) => firstLine(address, SMTP_PORT),
    async stop() {
      await postfix('stop').catch(() => undefined)
      // `postfix stop` signals the master; `status` exits non-zero once it is gone.
      for (let i = 0; i < 100; i++) {
        if ((await run('postfix', ['-c', conf, 'status'])).code !== 0) return
        await sleep(50)
      }
    },
  }
  try {
    for (const s of services) {
      const deadline = Date.now() + 15_000
      for (;;) {
        const line = await instance.banner(s.address)
        if (line.startsWith(`220 ${s.hostname} ESMTP ${token}`)) break
        if (Date.now() > deadline) {
          throw new Error(`postfix: ${s.address}:${SMTP_PORT} answered "${line}":\n${logs()}`)
        }
        await sleep(100)
      }
    }
  } catch (error) {
    await instance.stop()
    throw error
  }
  return instance
}
