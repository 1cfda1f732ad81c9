'use strict';
// Node.js driver: reads ClientCase JSON lines on stdin, writes one verdict line per case on stdout.
// The validation path a Node app takes: a TLS handshake over loopback. For a server case a tls.Server presents the
// peer certificate (with its key from the case) followed by the intermediates, and tls.connect validates it with
// ca = the case's trust anchors (Node's bundled/system roots are not used), crl = its CRLs, and the default
// tls.checkServerIdentity against the expected peer name (host name or IP). For a client case the server validates the
// client's chain (requestCert). Verdicts come from socket.authorized / authorizationError, as Node computes them for
// rejectUnauthorized; a handshake that fails before validation (e.g. the server cannot use the key) is "unsupported".
// Validation time: Node has none; the C# runner starts this driver under libfaketime when the case has one.
const tls = require('tls');
const readline = require('readline');

function out(c, verdict, error, ignored) {
  const v = { corpus: c.corpus, case: c.id, verdict, error: error || '' };
  if (ignored && ignored.length) v.ignored = ignored;
  process.stdout.write(JSON.stringify(v) + '\n');
}

function runCase(c) {
  return new Promise((resolve) => {
    if (!c.leafKey) return resolve(['unsupported', 'Node validates chains only in a TLS handshake; the case has no private key for the peer certificate']);
    if ((c.keyUsages || []).length) return resolve(['unsupported', 'Node takes no key-usage requirement']);
    if (c.maxDepth !== undefined && c.maxDepth !== null) return resolve(['unsupported', 'Node takes no chain-depth limit']);
    const ekus = c.ekus || [];
    if (ekus.some((e) => e !== 'serverAuth' && e !== 'clientAuth')) return resolve(['unsupported', 'EKU ' + ekus.join(',')]);
    const clientCase = c.purpose === 'client' || ekus.includes('clientAuth');
    const chain = c.leaf + (c.intermediates || []).join('');
    const trusted = c.trusted || [];
    const crl = (c.crls || []).length ? c.crls : undefined;
    let done = false;
    let server;
    const timer = setTimeout(() => finish(['unsupported', 'handshake did not complete within 10 s']), 10000);
    function finish(v) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try { server.close(); } catch (e) { /* closed */ }
      resolve(v);
    }
    try {
      const serverOpts = clientCase
        ? { key: c.leafKey, cert: chain, requestCert: true, rejectUnauthorized: false, ca: trusted.length ? trusted : undefined, crl }
        : { key: c.leafKey, cert: chain };
      server = tls.createServer(serverOpts, (socket) => {
        if (clientCase) {
          finish(socket.authorized ? ['accept', ''] : ['reject', String(socket.authorizationError)]);
        }
        socket.on('error', () => {});
        socket.end();
      });
      server.on('tlsClientError', (err) => { if (!clientCase) finish(['unsupported', 'server side failed before validation: ' + err.message]); });
    } catch (e) {
      return finish(['unsupported', 'the chain or key cannot be presented by a Node TLS server: ' + e.message]);
    }
    server.listen(0, '127.0.0.1', () => {
      const opts = { host: '127.0.0.1', port: server.address().port, rejectUnauthorized: false };
      if (clientCase) {
        opts.key = c.leafKey;
        opts.cert = chain;
      } else {
        opts.ca = trusted.length ? trusted : [];
        if (crl) opts.crl = crl;
        if (c.peerNameKind === 'DNS') opts.servername = c.peerName;
        if (c.peerName) opts.checkServerIdentity = (_host, cert) => tls.checkServerIdentity(c.peerName, cert);
        else opts.checkServerIdentity = () => undefined;
      }
      let socket;
      try {
        socket = tls.connect(opts, () => {
          if (!clientCase) finish(socket.authorized ? ['accept', ''] : ['reject', String(socket.authorizationError)]);
          socket.end();
        });
      } catch (e) {
        return finish(['unsupported', 'tls.connect: ' + e.message]);
      }
      socket.on('error', (err) => finish(['unsupported', 'handshake failed before validation: ' + (err.code ? err.code + ': ' : '') + err.message]));
    });
  });
}

async function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  const cases = [];
  for await (const line of rl) if (line.trim()) cases.push(JSON.parse(line));
  for (const c of cases) {
    const [verdict, error] = await runCase(c);
    out(c, verdict, error);
  }
}

main().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(2); });
