/**
 * bench: the reference. Debian's nginx, one worker pinned to the server core, serving our
 * rendered policy text as a static file with the certificate and key our local CA issued, no
 * TLS session tickets and no session cache (so every new connection is a full handshake).
 */
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort } from './server.js'
import { nginxBin, pinServer, sleep, start, stop } from './tools.js'

export interface Nginx {
  child: ChildProcess
  pid: number
  port: number
  stop(): Promise<void>
}

export interface NginxOptions {
  workDir: string
  chainPem: string
  keyPem: string
  policyText: string
  cacheSeconds: number
}

export async function startNginx(o: NginxOptions): Promise<Nginx> {
  const dir = join(o.workDir, 'nginx')
  mkdirSync(join(dir, 'www/.well-known'), { recursive: true })
  writeFileSync(join(dir, 'www/.well-known/mta-sts.txt'), o.policyText)
  const port = await freePort()
  const root = process.getuid?.() === 0
  const conf = `
${root ? 'user root;' : ''}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp-body;
  proxy_temp_path ${dir}/tmp-proxy;
  fastcgi_temp_path ${dir}/tmp-fastcgi;
  uwsgi_temp_path ${dir}/tmp-uwsgi;
  scgi_temp_path ${dir}/tmp-scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port} ssl;
    server_name _;
    ssl_certificate ${o.chainPem};
    ssl_certificate_key ${o.keyPem};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_tickets off;
    ssl_session_cache off;
    root ${dir}/www;
    location = /.well-known/mta-sts.txt {
      default_type 'text/plain; charset=utf-8';
      add_header cache-control 'max-age=${o.cacheSeconds}';
      add_header x-content-type-options nosniff;
    }
    location / { return 404; }
  }
}
`
  writeFileSync(join(dir, 'nginx.conf'), conf)
  const argv = pinServer([
    nginxBin(),
    '-p',
    dir,
    '-e',
    join(dir, 'error.log'),
    '-c',
    join(dir, 'nginx.conf'),
  ])
  const child = start(argv, { stdio: ['ignore', 'ignore', 'inherit'] })
  for (let i = 0; i < 200; i++) {
    await sleep(25)
    if (child.exitCode !== null) break
    try {
      if (readFileSync(join(dir, 'nginx.pid'), 'utf8').trim() === String(child.pid)) {
        return { child, pid: child.pid!, port, stop: () => stop(child, 10_000, 'SIGQUIT') }
      }
    } catch {
      // not yet
    }
  }
  throw new Error(`nginx did not start; see ${dir}/error.log`)
}
