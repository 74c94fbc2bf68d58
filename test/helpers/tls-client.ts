/**
 * Raw TLS clients for the HTTPS listener: one handshake with full control over SNI, protocol
 * versions and session resumption, and HTTP/1.1 keep-alive requests over that same socket, so
 * tests see exactly which certificate (and which session) a connection got.
 */
import { X509Certificate } from 'node:crypto'
import {
  connect,
  type ConnectionOptions,
  type DetailedPeerCertificate,
  type PeerCertificate,
  type TLSSocket,
} from 'node:tls'
import type { StoreReader } from './server-store.js'

export interface TlsOptions {
  /** SNI name; omitted = no SNI extension (we connect to an IP address). */
  servername?: string
  /** Trusted roots (the local CA's root.pem). */
  ca?: string
  minVersion?: ConnectionOptions['minVersion']
  maxVersion?: ConnectionOptions['maxVersion']
  /** A session from an earlier connection, to resume. */
  session?: Buffer
}

export interface TlsOk {
  ok: true
  socket: TLSSocket
  cert: DetailedPeerCertificate
  /** Serial as stored: lower-case hex, no leading zeros. */
  serial: string
  protocol: string | null
  authorized: boolean
  authorizationError: string | null
  reused: boolean
  /** Key type of the leaf's public key ('ec', 'rsa'), and its curve or size. */
  keyType: string | undefined
  keyDetail: string | number | undefined
  /** The newest session (ticket) the server gave this connection, if any yet. */
  session(): Buffer | undefined
  close(): void
}

export interface TlsFailed {
  ok: false
  error: Error
  /** Certificate the client saw before failing (empty when none was sent). */
  peerCert: PeerCertificate | Record<string, never> | null
}

export type TlsResult = TlsOk | TlsFailed

export const normalizeSerial = (s: string): string => s.toLowerCase().replace(/^0+(?=.)/, '')

/** One TLS handshake to 127.0.0.1:`port`; never rejects (a refusal is a result). */
export function handshake(port: number, o: TlsOptions = {}): Promise<TlsResult> {
  return new Promise((resolve) => {
    let session: Buffer | undefined
    const socket = connect({
      host: '127.0.0.1',
      port,
      // A servername of '' tells node not to send SNI at all.
      servername: o.servername ?? '',
      ca: o.ca,
      rejectUnauthorized: false,
      minVersion: o.minVersion ?? 'TLSv1',
      maxVersion: o.maxVersion ?? 'TLSv1.3',
      session: o.session,
      // Version tests need old protocols offered at all: OpenSSL's level 1 forbids TLS < 1.2.
      ciphers: 'DEFAULT:@SECLEVEL=0',
    })
    socket.on('session', (s: Buffer) => (session = s))
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate(true)
      const key = cert.raw ? new X509Certificate(cert.raw).publicKey : undefined
      const details = key?.asymmetricKeyDetails
      resolve({
        ok: true,
        socket,
        cert,
        serial: normalizeSerial(cert.serialNumber ?? ''),
        protocol: socket.getProtocol(),
        authorized: socket.authorized,
        authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
        reused: socket.isSessionReused(),
        keyType: key?.asymmetricKeyType,
        keyDetail: details?.namedCurve ?? details?.modulusLength,
        session: () => session ?? socket.getSession(),
        close: () => socket.destroy(),
      })
    })
    socket.once('error', (error) => {
      const peerCert = socket.getPeerCertificate() as TlsFailed['peerCert']
      socket.destroy()
      resolve({ ok: false, error, peerCert })
    })
  })
}

/** Like handshake(), but throws unless the handshake succeeded. */
export async function mustHandshake(port: number, o: TlsOptions): Promise<TlsOk> {
  const r = await handshake(port, o)
  if (!r.ok) throw new Error(`handshake for ${o.servername ?? '(no SNI)'}: ${r.error.message}`)
  return r
}

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * One HTTP/1.1 keep-alive request over an open socket; resolves with the parsed response
 * (Content-Length or chunked bodies) and leaves the socket open for the next request.
 */
export function httpOver(
  socket: TLSSocket,
  host: string,
  path: string,
  timeoutMs = 5_000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0)
    const done = (err: Error | null, res?: RawResponse) => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('close', onClose)
      if (err) reject(err)
      else resolve(res!)
    }
    const timer = setTimeout(() => done(new Error(`no response for ${path}`)), timeoutMs)
    const onClose = () => done(new Error(`socket closed before the response to ${path}`))
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      const res = parseResponse(buf)
      if (res) done(null, res)
    }
    socket.on('data', onData)
    socket.once('close', onClose)
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`)
  })
}

function parseResponse(buf: Buffer): RawResponse | null {
  const end = buf.indexOf('\r\n\r\n')
  if (end < 0) return null
  const [statusLine = '', ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const i = line.indexOf(':')
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
  }
  const status = Number(statusLine.split(' ')[1])
  let rest = buf.subarray(end + 4)
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = []
    for (;;) {
      const eol = rest.indexOf('\r\n')
      if (eol < 0) return null
      const size = parseInt(rest.subarray(0, eol).toString('latin1'), 16)
      if (size === 0) return { status, headers, body: Buffer.concat(parts).toString('utf8') }
      if (rest.length < eol + 2 + size + 2) return null
      parts.push(rest.subarray(eol + 2, eol + 2 + size))
      rest = rest.subarray(eol + 2 + size + 2)
    }
  }
  const length = Number(headers['content-length'] ?? 0)
  if (rest.length < length) return null
  return { status, headers, body: rest.subarray(0, length).toString('utf8') }
}

/** The subject alternative names of a peer certificate, e.g. ['DNS:mta-sts.example.org']. */
export const sansOf = (cert: PeerCertificate): string[] =>
  (cert.subjectaltname ?? '').split(', ').filter(Boolean)

export interface CertRow {
  hostname: string
  status: string
  serial: string | null
  not_before: number | null
  not_after: number | null
  renew_at: number | null
  due_at: number
  failures: number
  last_error: string | null
}

const CERT_COLUMNS =
  'hostname, status, serial, not_before, not_after, renew_at, due_at, failures, last_error'

/** Times and counts as numbers: PostgreSQL's driver returns its bigint columns as strings. */
function certRowOf(raw: CertRow): CertRow {
  const num = (v: number | null): number | null => (v === null ? null : Number(v))
  return {
    ...raw,
    not_before: num(raw.not_before),
    not_after: num(raw.not_after),
    renew_at: num(raw.renew_at),
    due_at: Number(raw.due_at),
    failures: Number(raw.failures),
  }
}

/** The `certificates` row of `hostname` on either store (undefined when there is none). */
export async function storedCert(s: StoreReader, hostname: string): Promise<CertRow | undefined> {
  const rows = await s.sql<CertRow>(
    `SELECT ${CERT_COLUMNS} FROM certificates WHERE hostname = ?`,
    hostname,
  )
  return rows.map(certRowOf)[0]
}

/** Every `certificates` row, on either store, by hostname (PostgreSQL keeps no insert order). */
export const storedCerts = async (s: StoreReader): Promise<CertRow[]> =>
  (await s.sql<CertRow>(`SELECT ${CERT_COLUMNS} FROM certificates ORDER BY hostname`)).map(
    certRowOf,
  )
