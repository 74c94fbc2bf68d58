/**
 * Shutdown waits for the app's handler, not only for the response's socket: a client that sends
 * its body and half-closes at once (FIN) makes node close the response while the handler still
 * writes to the store. With PostgreSQL (TEST_STORE=postgres) shutdown then ended the pool under
 * it — `unhandled_error: Cannot use a pool after calling end on the pool` and a write half done.
 * Now the handler finishes and its write is kept.
 */
import { connect } from 'node:net'
import { expect, it } from 'vitest'
import { createTenant, domainWithPolicy, startServer } from './helpers/test-server.js'

it('when a client half-closes right after its body during shutdown, then the handler still completes its write before the store closes', async () => {
  const s = await startServer()
  const { token } = await createTenant(s, 'alpha')
  await domainWithPolicy(s, token, 'alpha.example', {
    mode: 'enforce',
    mx: ['mx.alpha.example'],
    maxAge: 86400,
  })
  const body = JSON.stringify({ mode: 'testing', mx: ['mx.alpha.example'], maxAge: 86400 })
  const socket = connect(s.port, '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  const closed = new Promise((resolve) => socket.once('close', resolve))
  socket.on('data', () => {})
  socket.write(
    `PUT /api/v1/domains/alpha.example/mta-sts HTTP/1.1\r\nHost: localhost\r\n` +
      `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
  )
  await new Promise((r) => setTimeout(r, 200))
  const closing = s.close({ keepData: true })
  await new Promise((r) => setTimeout(r, 200))
  socket.end(body.slice(10))
  await closed
  await closing

  expect(s.logged('unhandled_error')).toEqual([])
  const after = await startServer({ dataDir: s.dataDir, env: s.storeEnv })
  try {
    const policy = await after.request('GET', '/api/v1/domains/alpha.example/mta-sts', { token })
    expect(policy.json()).toMatchObject({ mode: 'testing' })
  } finally {
    await after.close()
  }
})
