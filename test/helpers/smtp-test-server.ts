/**
 * test/helpers: a scripted SMTP server on 127.0.0.1 for the STARTTLS probe, well-behaved or
 * hostile as a test asks, and a throwaway CA issuing the certificates it presents.
 */
import { randomBytes, webcrypto } from 'node:crypto'
import { createServer, type Server, type Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import * as x509 from '@peculiar/x509'

x509.cryptoProvider.set(webcrypto)

const DAY_MS = 86_400_000
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
const keys = () =>
  webcrypto.subtle.generateKey(ALGORITHM, true, [
    'sign',
    'verify',
  ]) as Promise<webcrypto.CryptoKeyPair>
const serial = () => randomBytes(16).toString('hex')

export interface KeyAndCert {
  key: string
  cert: string
}

export interface TestCa {
  caPem: string
  /** A leaf signed by the CA, or self-signed. */
  issue(opts: {
    names: string[]
    notBefore: Date
    notAfter: Date
    selfSigned?: boolean
  }): Promise<KeyAndCert>
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key))
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n')
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`
}

/** A root CA valid around `now` (a year back, ten years on). */
export async function createTestCa(now: Date): Promise<TestCa> {
  const caKeys = await keys()
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=policyhost Test SMTP Root',
    notBefore: new Date(now.getTime() - 365 * DAY_MS),
    notAfter: new Date(now.getTime() + 3650 * DAY_MS),
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  })
  const caKeyId = ca.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId
  return {
    caPem: ca.toString('pem'),
    async issue({ names, notBefore, notAfter, selfSigned }) {
      const leafKeys = await keys()
      const subject = `CN=${names[0] ?? 'nobody'}`
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject,
        issuer: selfSigned ? subject : ca.subject,
        notBefore,
        notAfter,
        publicKey: leafKeys.publicKey,
        signingKey: selfSigned ? leafKeys.privateKey : caKeys.privateKey,
        signingAlgorithm: ALGORITHM,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns', value }))),
          ...(selfSigned ? [] : [new x509.AuthorityKeyIdentifierExtension(caKeyId)]),
        ],
      })
      return { key: await keyPem(leafKeys.privateKey), cert: leaf.toString('pem') }
    },
  }
}

export interface SmtpScript {
  /** Sent on connect; null sends nothing; a function takes over the socket. */
  banner?: string | null | ((socket: Socket) => void)
  /** The reply to EHLO, or a function that writes one itself. */
  ehlo?: string | ((socket: Socket) => void)
  /** The reply to STARTTLS; a 220 is followed by the handshake. */
  starttls?: string
  /** The certificate to present, or 'stall': take the ClientHello and never answer. */
  tls?: KeyAndCert | 'stall'
}

export interface SmtpTestServer {
  port: number
  /** Every command line received, plaintext and inside TLS, in order. */
  commands: string[]
  close(): Promise<void>
}

const EHLO_WITH_STARTTLS = '250-mx.test greets you\r\n250-PIPELINING\r\n250 STARTTLS\r\n'

/** Starts a server that follows `script`; close() ends it and every connection. */
export async function startSmtpServer(script: SmtpScript): Promise<SmtpTestServer> {
  const commands: string[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
    socket.on('close', () => sockets.delete(socket))
    const banner = script.banner === undefined ? '220 mx.test ESMTP\r\n' : script.banner
    if (typeof banner === 'function') return banner(socket)
    if (banner !== null) socket.write(banner)
    serveCommands(socket, false)
  })

  function serveCommands(socket: Socket, secure: boolean): void {
    let buffered = ''
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('latin1')
      let eol: number
      while ((eol = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, eol).replace(/\r$/, '')
        buffered = buffered.slice(eol + 1)
        commands.push(line)
        const verb = line.split(' ')[0]!.toUpperCase()
        if (verb === 'EHLO') {
          const ehlo = script.ehlo ?? EHLO_WITH_STARTTLS
          if (typeof ehlo === 'function') ehlo(socket)
          else socket.write(ehlo)
        } else if (verb === 'STARTTLS' && !secure) {
          const reply = script.starttls ?? '220 go ahead\r\n'
          socket.write(reply)
          if (!reply.startsWith('220')) continue
          socket.off('data', onData)
          if (script.tls === 'stall' || script.tls === undefined) return
          const tls = new TLSSocket(socket, { isServer: true, ...script.tls })
          tls.on('error', () => undefined)
          serveCommands(tls, true)
          return
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n')
        } else {
          socket.write('502 not here\r\n')
        }
      }
    }
    socket.on('data', onData)
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return {
    port: address.port,
    commands,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/**
 * Writes `line` over and over until `limit` bytes are out or the peer goes away, honouring
 * backpressure; resolves with the bytes the kernel accepted.
 */
export async function flood(socket: Socket, line: string, limit: number): Promise<number> {
  const chunk = Buffer.from(line.repeat(Math.max(1, Math.floor(16_384 / line.length))))
  let accepted = 0
  while (accepted < limit && !socket.destroyed) {
    const ok = await new Promise<boolean>((resolve) => {
      socket.write(chunk, (error) => resolve(error == null))
    })
    if (!ok) break
    accepted += chunk.length
  }
  return accepted
}
