"""pyca/cryptography's X.509 verifier (cryptography.x509.verification, the x509-limbo reference harness's client).

Reads ClientCase JSON lines on stdin, writes one verdict line per case on stdout. The verifier is CA/B Forum
(web PKI) strict; it has no revocation checking (CRLs are ignored and said so) and no policy inputs (unsupported).
"""
import datetime
import ipaddress
import json
import sys

from cryptography import x509
from cryptography.x509.verification import DNSName, IPAddress, PolicyBuilder, Store


def verdict(case, v, error="", ignored=None):
    out = {"corpus": case["corpus"], "case": case["id"], "verdict": v, "error": error}
    if ignored:
        out["ignored"] = ignored
    return out


def run(case):
    if case.get("keyUsages"):
        return verdict(case, "unsupported", "the pyca verifier takes no key-usage requirement")
    if any(k in case for k in ("initialPolicySet",)) or case.get("explicitPolicy") or case.get("policyMappingInhibit") or case.get("anyPolicyInhibit"):
        return verdict(case, "unsupported", "the pyca verifier takes no certificate-policy inputs")
    ignored = ["crls"] if case.get("crls") else None
    try:
        leaf = x509.load_pem_x509_certificate(case["leaf"].encode())
        roots = [x509.load_pem_x509_certificate(p.encode()) for p in case.get("trusted", [])]
        inters = [x509.load_pem_x509_certificate(p.encode()) for p in case.get("intermediates", [])]
    except Exception as e:  # a certificate the library cannot load is rejected, as a TLS client would
        return verdict(case, "reject", f"load: {e}", ignored)
    if not roots:
        return verdict(case, "reject", "no trust anchors (Store needs at least one)", ignored)
    try:
        builder = PolicyBuilder().store(Store(roots))
        if case.get("time"):
            builder = builder.time(datetime.datetime.fromisoformat(case["time"]).astimezone(datetime.timezone.utc).replace(tzinfo=None))
        if case.get("maxDepth") is not None:
            builder = builder.max_chain_depth(case["maxDepth"])
        purpose = case.get("purpose")
        if purpose == "client" or (purpose is None):
            if case.get("peerName"):
                return verdict(case, "unsupported", "the pyca client verifier takes no expected peer name")
            builder.build_client_verifier().verify(leaf, inters)
        else:
            if not case.get("peerName"):
                return verdict(case, "unsupported", "the pyca server verifier needs a peer name")
            subject = DNSName(case["peerName"]) if case["peerNameKind"] == "DNS" else IPAddress(ipaddress.ip_address(case["peerName"]))
            builder.build_server_verifier(subject).verify(leaf, inters)
        return verdict(case, "accept", "", ignored)
    except Exception as e:
        return verdict(case, "reject", f"{type(e).__name__}: {e}", ignored)


def main():
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(run(json.loads(line))), flush=False)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
