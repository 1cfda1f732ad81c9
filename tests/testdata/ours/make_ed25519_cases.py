#!/usr/bin/env python3
"""Regenerates ed25519-cases.json (x509-limbo schema) with the OpenSSL CLI. Run once; the output is committed.

Usage: python3 make_ed25519_cases.py > ed25519-cases.json
Every run makes new keys, so the committed file is one fixed sample; its validation_time lies inside the
certificates' validity (about 100 years from the day it was made).
"""
import base64, json, os, subprocess, tempfile

CONFIG = """[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:ed.example.com
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""
VALIDATION_TIME = "2030-01-01T00:00:00Z"


def run(d, *args):
    subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)


def chain(d, alg):
    for n in ("root", "int", "leaf"):
        run(d, "genpkey", "-algorithm", alg, "-out", f"{alg}-{n}.key")
    run(d, "req", "-x509", "-new", "-config", "openssl.cnf", "-extensions", "root", "-key", f"{alg}-root.key",
        "-subj", f"/CN={alg} limbo root", "-days", "36500", "-set_serial", "1", "-out", f"{alg}-root.pem")
    for n, issuer, ext, serial, subj in (("int", "root", "ca", 2, f"/CN={alg} limbo intermediate"),
                                         ("leaf", "int", "leaf", 3, "/CN=ed.example.com")):
        run(d, "req", "-new", "-config", "openssl.cnf", "-key", f"{alg}-{n}.key", "-subj", subj, "-out", f"{alg}-{n}.csr")
        run(d, "x509", "-req", "-in", f"{alg}-{n}.csr", "-CA", f"{alg}-{issuer}.pem", "-CAkey", f"{alg}-{issuer}.key",
            "-set_serial", str(serial), "-days", "36000", "-extfile", "openssl.cnf", "-extensions", ext, "-out", f"{alg}-{n}.pem")
    return [open(os.path.join(d, f"{alg}-{n}.pem")).read() for n in ("root", "int", "leaf")]


def der(pem):
    return base64.b64decode("".join(l for l in pem.splitlines() if not l.startswith("-----")))


def pem(der_bytes):
    b = base64.b64encode(der_bytes).decode()
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(b[i:i + 64] for i in range(0, len(b), 64)) + "\n-----END CERTIFICATE-----\n"


def tamper(p):
    b = bytearray(der(p))
    b[-10] ^= 0x01  # inside the signature BIT STRING, the certificate's last field
    return pem(bytes(b))


def length(n):
    return bytes([n]) if n < 128 else bytes([0x81, n]) if n < 256 else bytes([0x82, n >> 8, n & 0xFF])


def with_null_parameters(d, leaf_pem):
    """The leaf re-signed by the intermediate over a TBS whose Ed25519 AlgorithmIdentifier has NULL parameters."""
    b = der(leaf_pem)
    assert b[:2] == b"\x30\x82" and b[4:6] == b"\x30\x82"
    tbs_len = int.from_bytes(b[6:8], "big")
    tbs_body = b[8:8 + tbs_len]
    plain, with_null = bytes.fromhex("300506032b6570"), bytes.fromhex("300706032b65700500")
    assert tbs_body.count(plain) >= 1
    tbs_body = tbs_body.replace(plain, with_null, 1)
    tbs = b"\x30" + length(len(tbs_body)) + tbs_body
    open(os.path.join(d, "tbs.der"), "wb").write(tbs)
    run(d, "pkeyutl", "-sign", "-rawin", "-inkey", "ed25519-int.key", "-in", "tbs.der", "-out", "tbs.sig")
    sig = open(os.path.join(d, "tbs.sig"), "rb").read()
    body = tbs + with_null + b"\x03" + length(len(sig) + 1) + b"\x00" + sig
    return pem(b"\x30" + length(len(body)) + body)


def case(id, description, root, inter, leaf, expected):
    return {
        "id": id, "conflicts_with": [], "features": [], "importance": "high", "description": description,
        "validation_kind": "SERVER", "trusted_certs": [root], "untrusted_intermediates": [inter],
        "peer_certificate": leaf, "validation_time": VALIDATION_TIME, "signature_algorithms": [], "key_usage": [],
        "extended_key_usage": [], "expected_result": expected, "expected_peer_name": {"kind": "DNS", "value": "ed.example.com"},
        "expected_peer_names": [], "max_chain_depth": None,
    }


with tempfile.TemporaryDirectory() as d:
    open(os.path.join(d, "openssl.cnf"), "w").write(CONFIG)
    root, inter, leaf = chain(d, "ed25519")
    r448, i448, l448 = chain(d, "ed448")
    cases = [
        case("ours::ed25519::chain", "Root, intermediate and leaf all Ed25519 (RFC 8410), made with openssl.", root, inter, leaf, "SUCCESS"),
        case("ours::ed25519::leaf-signature-tampered", "The Ed25519 chain with one byte of the leaf's signature flipped.", root, inter, tamper(leaf), "FAILURE"),
        case("ours::ed25519::intermediate-signature-tampered", "The Ed25519 chain with one byte of the intermediate's signature flipped.", root, tamper(inter), leaf, "FAILURE"),
        case("ours::ed25519::sigalg-null-parameters", "The leaf re-signed with NULL AlgorithmIdentifier parameters, which RFC 8410 section 3 forbids.", root, inter, with_null_parameters(d, leaf), "FAILURE"),
        case("ours::ed448::chain", "Root, intermediate and leaf all Ed448 (RFC 8410), made with openssl.", r448, i448, l448, "SUCCESS"),
    ]
    print(json.dumps({"version": 1, "testcases": cases}, indent=2))
