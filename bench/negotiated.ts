/**
 * bench: what a server negotiates with a Node client like tlsload's (same defaults: it offers
 * TLS 1.3 and 1.2, OpenSSL's cipher order, X25519 first), and the header names it answers the
 * policy path with, so that a reference that differs in either is said in the notes.
 */
import { connect } from 'node:tls'

export interface Negotiated {
  /** e.g. `TLSv1.3 TLS_AES_256_GCM_SHA384 X25519`. */
  tls: string
  status: string
  /** Lower-case header names, sorted, without `date`. */
  headers: string[]
}

/** One TLS connection to 127.0.0.1:`port` with SNI = Host = `host`; one GET of the policy. */
export function negotiated(port: number, host: string): Promise<Negotiated> {
  return new Promise((resolve, reject) => {
    let tls = '?'
    let text = ''
    const s = connect({
      host: '127.0.0.1',
      port,
      servername: host,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    })
    s.setTimeout(5000, () => s.destroy(new Error('timeout')))
    s.once('secureConnect', () => {
      const key = s.getEphemeralKeyInfo() as { name?: string; type?: string } | null
      const group = key?.name ?? key?.type ?? 'no ephemeral key'
      tls = `${s.getProtocol()} ${s.getCipher().standardName} ${group}`
      s.write(`GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)
    })
    s.on('data', (d: Buffer) => (text += d.toString('latin1')))
    s.once('error', reject)
    s.once('close', () => {
      const [status = '', ...lines] = text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n')
      const headers = lines
        .map((l) => l.slice(0, l.indexOf(':')).toLowerCase())
        .filter((h) => h !== 'date')
        .sort()
      resolve({ tls, status, headers })
    })
  })
}
