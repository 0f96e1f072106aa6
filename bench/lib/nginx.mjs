// A reference reverse proxy for benchmarks: Debian's nginx (nginx-light is enough) in front of
// an app server, on 127.0.0.1 only, configured in a temporary folder and stopped afterwards.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { URL } from 'node:url';

export const NGINX_BINARY = '/usr/sbin/nginx';

/** Why nginx cannot be the reference here, or undefined when it can. */
export function nginxMissing() {
  return existsSync(NGINX_BINARY) ? undefined : `${NGINX_BINARY} is missing (on Debian: apt-get install nginx-light)`;
}

/** Every nginx started here and not yet stopped: killed if this process exits. */
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * The configuration: one process (`master_process off`, so its CPU time is one pid's), no
 * access log, HTTP/1.1 with a pool of keep-alive connections to the upstream (nginx's default
 * is HTTP/1.0 and a new connection per request), the client's headers passed through (Host
 * included), and X-Forwarded-For/-Proto set as a proxy would.
 */
export function nginxConfig({ dir, port, upstream }) {
  const { hostname, port: upstreamPort } = new URL(upstream);
  return `# written by bench/lib/nginx.mjs for one benchmark run
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client-body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream app_server {
    server ${hostname}:${upstreamPort};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app_server;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`;
}

/**
 * Starts nginx proxying 127.0.0.1:<free port> to `upstream` (http://127.0.0.1:<port>). Resolves
 * with { pid, url, stop() } once it accepts connections; `stop()` ends it (SIGQUIT, then
 * SIGKILL after 5 s) and removes its folder.
 */
export async function startNginx({ upstream, log, signal }) {
  signal?.throwIfAborted();
  const dir = await mkdtemp(join(tmpdir(), 'mysaas-bench-nginx-'));
  const port = await freePort();
  await writeFile(join(dir, 'nginx.conf'), nginxConfig({ dir, port, upstream }));
  const child = spawn(NGINX_BINARY, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk.toString('utf8')));
  let exited = false;
  const exit = new Promise((resolve) => child.once('exit', (code, sig) => {
    exited = true;
    running.delete(child);
    resolve({ code, sig });
  }));
  child.once('error', () => undefined);
  const stop = async () => {
    if (!exited) {
      child.kill('SIGQUIT');
      const done = await Promise.race([exit.then(() => true), sleep(5_000).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await exit;
      }
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (exited || Date.now() > deadline || signal?.aborted) {
        const errorLog = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
        throw new Error(`nginx did not start on 127.0.0.1:${port}: ${(stderr + errorLog).trim() || (exited ? 'it exited' : 'no answer within 10 s')}`);
      }
      await sleep(50);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  log(`  ✓ nginx: pid ${child.pid}, http://127.0.0.1:${port} → ${upstream} (config in ${dir})`);
  return {
    pid: child.pid,
    url: `http://127.0.0.1:${port}`,
    assertRunning() {
      if (exited) throw new Error(`nginx (pid ${child.pid}) is no longer running: ${stderr.trim()}`);
    },
    stop,
  };
}

/** A port nothing listens on right now (the kernel's pick); nginx cannot bind port 0 itself. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
