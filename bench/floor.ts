/** bench: starts and stops the Node floor (floor-server.ts) pinned to the server core. */
import { join } from 'node:path'
import { freePort, ROOT } from './server.js'
import { pinServer, start, stop } from './tools.js'

export interface Floor {
  pid: number
  port: number
  stop(): Promise<void>
}

export async function startFloor(o: {
  chainPem: string
  keyPem: string
  policyText: string
  cacheSeconds: number
}): Promise<Floor> {
  const port = await freePort()
  const cfg = JSON.stringify({ port, ...o })
  const argv = pinServer(['node', '--import', 'tsx', join(ROOT, 'bench/floor-server.ts'), cfg])
  const child = start(argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('READY')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`the Node floor server exited (${code})`)))
  })
  return { pid: child.pid!, port, stop: () => stop(child, 10_000, 'SIGTERM') }
}
