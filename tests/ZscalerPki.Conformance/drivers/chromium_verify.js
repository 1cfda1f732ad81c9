'use strict';
// Chromium driver: reads ClientCase JSON lines on stdin, writes one verdict line per case on stdout.
// The path a Chrome user takes: headless Chromium loads https://<peer name>:<port>/ from a Node tls.Server on loopback that
// presents the peer certificate (with its key from the case) followed by the intermediates; --host-resolver-rules maps
// every name to 127.0.0.1. The case's trust anchors are the only roots added to a fresh NSS database in a temp HOME
// (~/.pki/nssdb, certutil -A -t C,,: what Chromium on Linux trusts besides the Chrome Root Store, which signs none of
// these). The verdict is the server's: "accept" when the page's HTTP request arrived after the handshake; otherwise the
// net::ERR_ Chromium printed ("Page load failed: net::ERR_CERT_AUTHORITY_INVALID").
// Not expressible: a validation time (Chromium has none, and under libfaketime it does not start), a client-purpose case,
// CRL files, key-usage or depth requirements, EKUs other than serverAuth, a case without a DNS peer name (Chromium always
// checks the name; an IP other than 127.0.0.1 cannot be mapped to loopback).
// Usage: node chromium_verify.js <chromium> <certutil> <scratch folder>
const tls = require('tls');
const fs = require('fs');
const path = require('path');
const os = require('os');
const readline = require('readline');
const { spawn, spawnSync } = require('child_process');

const [chromium, certutil, scratch] = process.argv.slice(2);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function out(c, verdict, error) {
  process.stdout.write(JSON.stringify({ corpus: c.corpus, case: c.id, verdict, error: error || '' }) + '\n');
}

function unsupported(c) {
  if (!c.leafKey) return 'Chromium validates chains only in a TLS handshake; the case has no private key for the peer certificate';
  if (c.time) return 'Chromium has no validation-time option and does not start under libfaketime';
  if (c.purpose === 'client') return 'Chromium as a TLS client validates servers only';
  if ((c.crls || []).length) return 'Chromium takes no CRL files';
  if ((c.keyUsages || []).length) return 'Chromium takes no key-usage requirement';
  if (c.maxDepth !== undefined && c.maxDepth !== null) return 'Chromium takes no chain-depth limit';
  if ((c.ekus || []).some((e) => e !== 'serverAuth')) return 'EKU ' + c.ekus.join(',');
  if (c.peerNameKind !== 'DNS' || !c.peerName) return 'Chromium checks a host name: the case has no DNS peer name';
  if (!/^[A-Za-z0-9.-]+$/.test(c.peerName) || c.peerName.startsWith('.') || c.peerName.includes('..')) return 'the peer name is not a host name a URL can carry';
  return null;
}

function nssdb(home, trusted) {
  const db = path.join(home, '.pki', 'nssdb');
  fs.mkdirSync(db, { recursive: true });
  const n = spawnSync(certutil, ['-N', '-d', 'sql:' + db, '--empty-password'], { encoding: 'utf8' });
  if (n.status !== 0) throw new Error('certutil -N: ' + n.stderr);
  trusted.forEach((pem, i) => {
    const file = path.join(home, 'anchor' + i + '.pem');
    fs.writeFileSync(file, pem);
    const a = spawnSync(certutil, ['-A', '-d', 'sql:' + db, '-n', 'anchor' + i, '-t', 'C,,', '-i', file], { encoding: 'utf8' });
    if (a.status !== 0) throw new Error('certutil -A: ' + a.stderr);
  });
}

function runCase(c, index) {
  return new Promise((resolve) => {
    const why = unsupported(c);
    if (why) return resolve(['unsupported', why]);
    const home = path.join(scratch, 'case' + index);
    fs.mkdirSync(home, { recursive: true });
    try {
      nssdb(home, c.trusted || []);
    } catch (e) {
      return resolve(['unsupported', 'the trust anchors cannot be put into an NSS database: ' + e.message]);
    }
    const token = '/probe-' + index;
    let sawRequest = false;
    let server;
    try {
      server = tls.createServer({ key: c.leafKey, cert: c.leaf + (c.intermediates || []).join('') }, (socket) => {
        socket.on('data', (d) => {
          if (d.toString('latin1').includes('GET ' + token)) sawRequest = true;
          socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\nConnection: close\r\n\r\n<p>trusted</p>');
        });
        socket.on('error', () => {});
      });
      server.on('tlsClientError', () => {});
    } catch (e) {
      return resolve(['unsupported', 'the chain or key cannot be presented by a Node TLS server: ' + e.message]);
    }
    server.listen(0, '127.0.0.1', () => {
      const port = server.address().port;
      const args = ['--headless', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-extensions', '--enable-logging=stderr',
        '--user-data-dir=' + path.join(home, 'profile'), '--host-resolver-rules=MAP * 127.0.0.1',
        '--dump-dom', 'https://' + c.peerName + ':' + port + token];
      if (isRoot) args.splice(1, 0, '--no-sandbox');
      const env = Object.assign({}, process.env, { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache') });
      const child = spawn(chromium, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let stderr = '';
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        try { process.kill(-child.pid, 'SIGKILL'); } catch (e) { /* gone */ }
        server.close();
        fs.rmSync(home, { recursive: true, force: true });
        if (sawRequest) return resolve(['accept', '']);
        const m = /Page load failed: net::(ERR_[A-Z0-9_]+)/.exec(stderr) || /net::(ERR_[A-Z0-9_]+)/.exec(stderr);
        if (!m) return resolve(['unsupported', 'Chromium ended without loading the page and without a net:: error']);
        // A handshake that cannot use the peer's key (ERR_SSL_VERSION_OR_CIPHER_MISMATCH: a P-192 or DSA leaf key) or that
        // fails for a reason that is not the certificate is not a verdict on the chain, as in the Node driver.
        if (m[1] === 'ERR_SSL_VERSION_OR_CIPHER_MISMATCH') return resolve(['unsupported', 'handshake failed before validation: net::' + m[1]]);
        if (!/^ERR_(CERT_|SSL_|BAD_SSL)/.test(m[1])) return resolve(['unsupported', 'not about the certificate: net::' + m[1]]);
        resolve(['reject', 'net::' + m[1]]);
      };
      const timer = setTimeout(finish, 30000);
      child.stdout.on('data', () => {});
      child.stderr.on('data', (d) => {
        stderr += d.toString();
        if (/Page load failed/.test(stderr)) setTimeout(finish, 200);
      });
      child.on('exit', () => setTimeout(finish, 200));
    });
  });
}

(async () => {
  fs.mkdirSync(scratch, { recursive: true });
  const lines = [];
  for await (const line of readline.createInterface({ input: process.stdin })) if (line.trim()) lines.push(JSON.parse(line));
  for (let i = 0; i < lines.length; i++) {
    const [verdict, error] = await runCase(lines[i], i);
    out(lines[i], verdict, error);
  }
})().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
