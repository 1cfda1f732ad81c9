"""Python's ssl module driver, with Python 3.13's default verification flags (client id python-ssl).

Reads ClientCase JSON lines on stdin, writes one verdict line per case on stdout. Each case is a real TLS handshake
between two in-memory SSLObjects (ssl.MemoryBIO, no sockets): the server presents the peer certificate (with its key
from the case) followed by the intermediates; the client context is ssl.create_default_context(cafile=<the case's
trust anchors only>) with VERIFY_X509_STRICT | VERIFY_X509_PARTIAL_CHAIN added, which is what
ssl.create_default_context() sets from Python 3.13 on, check_hostname on and server_hostname = the expected peer name
(host name or IP). CRLs go into the same cafile with VERIFY_CRL_CHECK_CHAIN. Client cases (limbo CLIENT) are
verified by the server side (CERT_REQUIRED). Validation time: the C# runner starts this driver under libfaketime.
"""
import json
import os
import ssl
import sys
import tempfile

NO_KEY = "Python ssl validates chains only in a TLS handshake; the case has no private key for the peer certificate"
STRICT = ssl.VERIFY_X509_STRICT | ssl.VERIFY_X509_PARTIAL_CHAIN


def verdict(case, v, error=""):
    return {"corpus": case["corpus"], "case": case["id"], "verdict": v, "error": error}


def pump(client, server, c2s, s2c):
    """Runs the handshake to completion; returns the exception of the side that failed first, or None."""
    done_c = done_s = False
    for _ in range(100):
        for side in ("c", "s"):
            if side == "c" and not done_c:
                try:
                    client.do_handshake()
                    done_c = True
                except ssl.SSLWantReadError:
                    pass
                except ssl.SSLError as e:
                    return ("client", e)
            if side == "s" and not done_s:
                try:
                    server.do_handshake()
                    done_s = True
                except ssl.SSLWantReadError:
                    pass
                except ssl.SSLError as e:
                    return ("server", e)
        if done_c and done_s:
            # TLS 1.3: the server reads the client's certificate after its own handshake step; one more read settles it.
            try:
                client.write(b"x")
                server.read(1)
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError as e:
                return ("server", e)
            return None
    return ("both", ssl.SSLError("handshake did not complete"))


def run(case, tmp):
    if not case.get("leafKey"):
        return verdict(case, "unsupported", NO_KEY)
    if case.get("keyUsages"):
        return verdict(case, "unsupported", "Python ssl takes no key-usage requirement")
    if case.get("maxDepth") is not None:
        return verdict(case, "unsupported", "Python ssl takes no chain-depth limit")
    ekus = case.get("ekus") or []
    if any(e not in ("serverAuth", "clientAuth") for e in ekus):
        return verdict(case, "unsupported", "EKU " + ",".join(ekus))
    client_case = case.get("purpose") == "client" or "clientAuth" in ekus
    files = {}
    for name, text in (("chain.pem", case["leaf"] + "".join(case.get("intermediates") or [])),
                       ("key.pem", case["leafKey"]),
                       ("ca.pem", "".join(case.get("trusted") or []) + "".join(case.get("crls") or []))):
        files[name] = os.path.join(tmp, name)
        with open(files[name], "w") as f:
            f.write(text)
    has_ca = bool(case.get("trusted"))
    try:
        srv = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        srv.load_cert_chain(files["chain.pem"], files["key.pem"])
    except (ssl.SSLError, OSError, ValueError) as e:
        return verdict(case, "unsupported", f"the chain or key cannot be presented by a Python ssl server: {e}")
    try:
        if client_case:
            cli = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            cli.check_hostname = False
            cli.verify_mode = ssl.CERT_NONE
            cli.load_cert_chain(files["chain.pem"], files["key.pem"])
            srv.verify_mode = ssl.CERT_REQUIRED
            srv.verify_flags |= STRICT
            if has_ca:
                srv.load_verify_locations(cafile=files["ca.pem"])
            if case.get("crls"):
                srv.verify_flags |= ssl.VERIFY_CRL_CHECK_CHAIN
            hostname = None
        else:
            cli = ssl.create_default_context(cafile=files["ca.pem"]) if has_ca else ssl.create_default_context(cadata="")
            cli.verify_flags |= STRICT
            if case.get("crls"):
                cli.verify_flags |= ssl.VERIFY_CRL_CHECK_CHAIN
            if case.get("peerName"):
                hostname = case["peerName"]
            else:
                cli.check_hostname = False
                hostname = None
    except (ssl.SSLError, OSError, ValueError) as e:
        return verdict(case, "reject", f"context: {e}")
    c2s, s2c = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = cli.wrap_bio(s2c, c2s, server_hostname=hostname)
    server = srv.wrap_bio(c2s, s2c, server_side=True)
    failed = pump(client, server, c2s, s2c)
    if failed is None:
        return verdict(case, "accept")
    side, err = failed
    if isinstance(err, ssl.SSLCertVerificationError):
        return verdict(case, "reject", f"{err.verify_message} (verify code {err.verify_code})" if err.verify_message else str(err))
    checking = "server" if client_case else "client"
    if side == checking and "CERTIFICATE_VERIFY_FAILED" in str(err):
        return verdict(case, "reject", str(err))
    return verdict(case, "unsupported", f"handshake failed before validation ({side}): {err}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for line in sys.stdin:
            if line.strip():
                print(json.dumps(run(json.loads(line), tmp)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
