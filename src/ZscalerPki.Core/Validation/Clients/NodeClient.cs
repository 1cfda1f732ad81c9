namespace ZscalerPki.Core.Validation.Clients;

/// <summary>
/// Node.js https/tls (npm, VS Code extensions, Electron apps): OpenSSL's default verification (<see cref="OpenSslClient"/>)
/// with Node's own error codes (src/crypto/crypto_common.cc X509ErrorCode), then tls.checkServerIdentity (lib/tls.js) for
/// the host name. Node trusts its bundled Mozilla roots plus NODE_EXTRA_CA_CERTS (and the OS store only with
/// --use-system-ca); the verdict here is with the roots given to Test-CertificateChain.
/// </summary>
public sealed class NodeClient : OpenSslClient
{
    public override string Id => "node";

    public override string Name => "Node.js";

    private static string Code(string openSslText) => openSslText switch
    {
        var t when t.StartsWith("unable to get local issuer", StringComparison.Ordinal) => "UNABLE_TO_GET_ISSUER_CERT_LOCALLY: unable to get local issuer certificate",
        var t when t.StartsWith("certificate has expired", StringComparison.Ordinal) => "CERT_HAS_EXPIRED: certificate has expired",
        var t when t.StartsWith("certificate is not yet valid", StringComparison.Ordinal) => "CERT_NOT_YET_VALID: certificate is not yet valid",
        var t when t.StartsWith("certificate signature failure", StringComparison.Ordinal) => "CERT_SIGNATURE_FAILURE: certificate signature failure",
        var t when t.StartsWith("invalid CA certificate", StringComparison.Ordinal) => "INVALID_CA: invalid CA certificate",
        var t when t.StartsWith("path length", StringComparison.Ordinal) => "PATH_LENGTH_EXCEEDED: path length constraint exceeded",
        var t when t.StartsWith("unsuitable certificate purpose", StringComparison.Ordinal) => "INVALID_PURPOSE: unsuitable certificate purpose",
        var t when t.StartsWith("key usage does not include", StringComparison.Ordinal) => "KEYUSAGE_NO_CERTSIGN: key usage does not include certificate signing",
        var t when t.StartsWith("certificate revoked", StringComparison.Ordinal) => "CERT_REVOKED: certificate revoked",
        var t when t.StartsWith("unable to get certificate CRL", StringComparison.Ordinal) => "UNABLE_TO_GET_CRL: unable to get certificate CRL",
        var t when t.StartsWith("hostname mismatch", StringComparison.Ordinal) || t.StartsWith("IP address mismatch", StringComparison.Ordinal)
            => "ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames",
        _ => openSslText,
    };

    protected override string ErrorFor(ChainProblem problem, ClientChainFacts facts) => Code(base.ErrorFor(problem, facts));

    protected override IEnumerable<ClientReason> OwnRules(ClientChainFacts facts) =>
        base.OwnRules(facts).Select(r => r with { Error = Code(r.Error) });
}
