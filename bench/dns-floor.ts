/**
 * bench, DNS rows: the Node floor for UDP. A bare node:dgram server that sends each query back
 * as its own reply (QR set, nothing decoded or looked up), with the same send call as ours
 * (address string and a callback): what this Node does per datagram at best, so the gap to knot
 * splits into "Node's UDP path" and "our code". Prints READY once bound.
 *
 *   node dns-floor.mjs '{"port":1}'
 */
import { createSocket } from 'node:dgram'

const { port } = JSON.parse(process.argv[2] ?? '{}') as { port: number }
const socket = createSocket('udp4')
socket.on('message', (msg, peer) => {
  // RFC 1035 §4.1.1: QR is the top bit of the third octet; the rest of the query stays.
  msg[2] = msg[2]! | 0x80
  socket.send(msg, peer.port, peer.address, () => {})
})
socket.bind(port, '127.0.0.1', () => process.stdout.write('READY\n'))
process.on('SIGTERM', () => socket.close(() => process.exit(0)))
