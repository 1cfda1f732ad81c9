using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Intermediate;

namespace ZscalerPki.Core.Tenant;

/// <summary>
/// The ZIA intermediate CA certificate API (paths from zscaler/zscaler-sdk-go zia/services/intermediatecacertificates:
/// /intermediateCaCertificate, /readyToUse, /keyPair/{id}, /downloadPublicKey/{id}, /downloadAttestation/{id},
/// /verifyKeyAttestation/{id}, /generateCsr/{id}, /downloadCsr/{id}, /showCsr/{id}, /showCert/{id}, /uploadCert/{id},
/// /uploadCertChain/{id}, /finalizeCert/{id}, /makeDefault/{id}; activation /status and /status/activate from
/// zscaler/zscaler-sdk-python zscaler/zia/activate.py). Workflow commands continue an entry from its currentState.
/// </summary>
public sealed class ZiaIntermediateService
{
    private const string Base = "/intermediateCaCertificate";
    private static readonly string[] Order =
        { "GENERAL_DONE", "KEYGEN_DONE", "PUBKEY_DONE", "ATTESTATION_DONE", "ATTESTATION_VERIFY_DONE", "CSRGEN_DONE", "INTCERT_UPLOAD_DONE", "CERTCHAIN_UPLOAD_DONE", "CERT_READY" };

    private readonly TenantSession _session;
    private readonly TenantObserver _observer;
    private readonly CancellationToken _cancellation;

    public ZiaIntermediateService(TenantSession session, TenantObserver? observer = null, CancellationToken cancellation = default)
    {
        if (!session.HasZia)
            throw new PkiException(PkiErrorIds.TenantNotConnected, PkiErrorCategory.InvalidOperation,
                $"The session to {session.Tenant} is a legacy ZPA session; ZIA commands need a OneAPI or legacy ZIA session (Connect-ZscalerTenant).", session);
        _session = session;
        _observer = observer ?? TenantObserver.None;
        _cancellation = cancellation;
    }

    private string P(string tail) => _session.ZiaPath(Base + tail);

    private TenantResponse Send(TenantCall call) => _session.Http.Send(call, _observer, _cancellation);

    private ZiaIntermediateCertificate Entry(JsonNode? node, string what) => new(TenantJson.Object(node, what), _session.Tenant);

    // ---------------------------------------------------------------- reading

    /// <summary>Every entry (GET /intermediateCaCertificate), or those ready to use (GET /readyToUse, then each read whole).</summary>
    public IReadOnlyList<ZiaIntermediateCertificate> List(bool readyToUse = false)
    {
        var all = TenantJson.Array(Send(new TenantCall(HttpMethod.Get, P(string.Empty))).Json, "GET " + P(string.Empty))
            .OfType<JsonObject>().Select(o => new ZiaIntermediateCertificate(o, _session.Tenant)).ToList();
        if (!readyToUse)
            return all;
        var ready = TenantJson.Array(Send(new TenantCall(HttpMethod.Get, P("/readyToUse"))).Json, "GET " + P("/readyToUse"))
            .OfType<JsonObject>().Select(o => TenantJson.Long(o, "id")).ToHashSet();
        return all.Where(e => ready.Contains(e.Id)).ToList();
    }

    public ZiaIntermediateCertificate Get(long id)
    {
        try
        {
            return Entry(Send(new TenantCall(HttpMethod.Get, P($"/{id}"))).Json, $"GET {P($"/{id}")}");
        }
        catch (TenantApiException ex) when (ex.Status == 404)
        {
            throw NotFound(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The entry named <paramref name="name"/> (case-insensitive, as the SDKs' GetByName), or null.</summary>
    public ZiaIntermediateCertificate? TryFind(string name) =>
        List().FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    public ZiaIntermediateCertificate Find(string name) => TryFind(name) ?? throw NotFound(name);

    private PkiException NotFound(string what) => new(PkiErrorIds.TenantEntryNotFound, PkiErrorCategory.ObjectNotFound,
        $"The tenant {_session.Tenant} has no intermediate CA certificate '{what}'. List them with Get-ZiaIntermediateCertificate.", what);

    /// <summary>The CSR Zscaler generated (GET /downloadCsr/{id}), as PEM.</summary>
    public string DownloadCsr(ZiaIntermediateCertificate entry)
    {
        RequireAtLeast(entry, "CSRGEN_DONE", "download its CSR", "New-ZiaIntermediateCertificate -Name '" + entry.Name + "' with the CSR fields");
        var text = Send(new TenantCall(HttpMethod.Get, P($"/downloadCsr/{entry.Id}"))).Text;
        // Read once, so what reaches a file or Submit-CertificateRequest is a CSR, not an error page.
        var csr = IntermediateCsr.Read(Encoding.UTF8.GetBytes(text), $"the CSR of '{entry.Name}' from {_session.Tenant}");
        return csr.Pem;
    }

    /// <summary>The fields the CSR was generated with (GET /showCsr/{id}): commName, orgName, …, pathLengthConstraint.</summary>
    public JsonObject ShowCsr(ZiaIntermediateCertificate entry) =>
        TenantJson.Object(Send(new TenantCall(HttpMethod.Get, P($"/showCsr/{entry.Id}"))).Json, "GET showCsr");

    // ---------------------------------------------------------------- activation

    public ZiaActivationStatus Status() =>
        new(TenantJson.String(TenantJson.Object(Send(new TenantCall(HttpMethod.Get, _session.ZiaPath("/status"))).Json, "GET /status"), "status") ?? "UNKNOWN", _session.Tenant);

    public ZiaActivationStatus Activate() =>
        new(TenantJson.String(TenantJson.Object(Send(new TenantCall(HttpMethod.Post, _session.ZiaPath("/status/activate")) { Idempotent = true }).Json, "POST /status/activate"), "status") ?? "UNKNOWN", _session.Tenant);

    public string ActivateRequest => $"POST {_session.ZiaPath("/status/activate")}";

    // ---------------------------------------------------------------- create → key pair → CSR

    /// <summary>
    /// Creates the entry (or continues the one with this name from its currentState): key pair (HSM: public key and key
    /// attestation), then the CSR with the seed's fields; downloads the CSR onto the result.
    /// </summary>
    public TenantOutcome<ZiaIntermediateCertificate> NewCsr(ZiaCsrRequest request, TenantGate gate, bool activate)
    {
        var warnings = new List<string>();
        var entry = TryFind(request.Name);
        var hsm = (entry?.ApiType ?? request.Type) == "CUSTOM_HSM";
        var state = entry?.State;
        if (entry is not null && Index(state) > Index("CSRGEN_DONE"))
        {
            warnings.Add($"'{entry.Name}' is already past its CSR (state {state}); nothing was changed. Upload its signed certificate with Publish-ZiaSignedIntermediate, or create an intermediate with another name.");
            return new TenantOutcome<ZiaIntermediateCertificate>(entry, warnings, false);
        }
        var id = entry?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "{id}";
        var plan = new List<(string Request, Func<long, ZiaIntermediateCertificate?> Run)>();
        if (entry is null)
            plan.Add(($"POST {P(string.Empty)} (name '{request.Name}', type {request.Type})", _ => Create(request)));
        var at = Index(state ?? "GENERAL_DONE");
        if (at <= Index("GENERAL_DONE"))
            plan.Add(($"POST {P($"/keyPair/{id}")}", i => Post($"/keyPair/{i}")));
        if (hsm && at <= Index("KEYGEN_DONE"))
            plan.Add(($"GET {P($"/downloadPublicKey/{id}")}", i => { Send(new TenantCall(HttpMethod.Get, P($"/downloadPublicKey/{i}"))); return null; }));
        if (hsm && at <= Index("PUBKEY_DONE"))
            plan.Add(($"GET {P($"/downloadAttestation/{id}")}", i => { Send(new TenantCall(HttpMethod.Get, P($"/downloadAttestation/{i}"))); return null; }));
        if (hsm && at <= Index("ATTESTATION_DONE"))
            plan.Add(($"POST {P($"/verifyKeyAttestation/{id}")}", i => Post($"/verifyKeyAttestation/{i}")));
        if (at < Index("CSRGEN_DONE"))
        {
            RequireCsrFields(request);
            plan.Add(($"POST {P($"/generateCsr/{id}")} (commName '{request.CommonName}', pathLengthConstraint {request.PathLength})", i => GenerateCsr(i, request)));
        }
        plan.Add(($"GET {P($"/downloadCsr/{id}")}", _ => null));
        if (activate)
            plan.Add((ActivateRequest, _ => null));

        // Every step but the CSR download changes the tenant (the activation too): asked once, for all of them.
        if (plan.Count > 1 && !gate(request.Name, plan.Select(p => p.Request).ToList()))
            return new TenantOutcome<ZiaIntermediateCertificate>(entry, warnings, false);

        long current = entry?.Id ?? 0;
        foreach (var step in plan.Take(plan.Count - (activate ? 2 : 1)))
        {
            _observer.Verbose?.Invoke(step.Request.Replace("{id}", current.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            var result = step.Run(current);
            if (result is not null && current == 0)
                current = result.Id;
        }
        var done = Get(current);
        done.Csr = DownloadCsr(done);
        if (activate)
            Activate();
        return new TenantOutcome<ZiaIntermediateCertificate>(done, warnings, true);
    }

    private ZiaIntermediateCertificate Create(ZiaCsrRequest request)
    {
        var body = new JsonObject
        {
            ["name"] = request.Name,
            ["type"] = request.Type,
            ["status"] = "ENABLED",
            ["defaultCertificate"] = false,
        };
        if (request.Description is not null)
            body["description"] = request.Description;
        if (request.Region is not null)
            body["region"] = request.Region;
        return Entry(Send(new TenantCall(HttpMethod.Post, P(string.Empty)) { Json = body }).Json, "POST " + P(string.Empty));
    }

    private ZiaIntermediateCertificate? Post(string tail)
    {
        var response = Send(new TenantCall(HttpMethod.Post, P(tail)));
        return response.Json is JsonObject o && o.ContainsKey("id") ? new ZiaIntermediateCertificate(o, _session.Tenant) : null;
    }

    private ZiaIntermediateCertificate? GenerateCsr(long id, ZiaCsrRequest r)
    {
        // Fields of CertSigningRequest (zscaler-sdk-go intermediatecacertificates.go): certId, csrFileName, commName, orgName,
        // deptName, city, state, country, keySize, signatureAlgorithm, pathLengthConstraint.
        var body = new JsonObject
        {
            ["certId"] = id,
            ["csrFileName"] = r.CsrFileName ?? r.Name,
            ["commName"] = r.CommonName,
            ["orgName"] = r.Organization,
            ["deptName"] = r.Department,
            ["city"] = r.City,
            ["state"] = r.State,
            ["country"] = r.Country,
            ["keySize"] = r.KeySize,
            ["signatureAlgorithm"] = r.SignatureAlgorithm,
            ["pathLengthConstraint"] = r.PathLength,
        };
        Send(new TenantCall(HttpMethod.Post, P($"/generateCsr/{id}")) { Json = body });
        return null;
    }

    private static void RequireCsrFields(ZiaCsrRequest r)
    {
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(r.CommonName)) missing.Add("-CommonName");
        if (string.IsNullOrWhiteSpace(r.Organization)) missing.Add("-Organization");
        if (string.IsNullOrWhiteSpace(r.Country)) missing.Add("-Country");
        if (missing.Count > 0)
            throw new PkiException(PkiErrorIds.TenantWorkflowState, PkiErrorCategory.InvalidArgument,
                $"'{r.Name}' needs its CSR generated, which needs {string.Join(", ", missing)} (the seed's fields: common name, organization, department, city, state, country).", r.Name);
        if (r.PathLength is < 0 or > 1)
            throw new PkiException(PkiErrorIds.TenantWorkflowState, PkiErrorCategory.InvalidArgument,
                $"-PathLength {r.PathLength} is not offered by Zscaler: pass 0 or 1.", r.Name);
    }

    // ---------------------------------------------------------------- upload → chain → finalize → default

    /// <summary>
    /// Checks the signed certificate locally against the tenant's CSR and public key with the import's validator (nothing is
    /// sent when a rule fails, and the error is the local import's ErrorId), then uploadCert (multipart field fileUpload),
    /// uploadCertChain, finalizeCert and, with MakeDefault, makeDefault — each only when the entry's currentState still
    /// needs it, so running the command again for an entry that stopped half way continues it.
    /// </summary>
    public TenantOutcome<ZiaIntermediateCertificate> Publish(ZiaIntermediateCertificate entry, ZiaPublishRequest request, TenantGate gate, bool activate)
    {
        var warnings = new List<string>();
        var state = entry.State ?? string.Empty;
        var at = Index(state);
        if (at < Index("CSRGEN_DONE"))
            throw new PkiException(PkiErrorIds.TenantWorkflowState, PkiErrorCategory.InvalidOperation,
                $"'{entry.Name}' is at {state}: its CSR was not generated yet, so there is nothing to upload a certificate for. Run New-ZiaIntermediateCertificate -Name '{entry.Name}' with the CSR fields first.", entry.Name);
        var needsCertificate = at == Index("CSRGEN_DONE");
        if (needsCertificate && request.Certificates.Count == 0)
            throw new PkiException(PkiErrorIds.CertificateRequired, PkiErrorCategory.InvalidArgument,
                $"'{entry.Name}' waits for its signed certificate (state {state}). Pass it with -Path (and the issuers with -ChainPath).", entry.Name);
        if (entry.IsReady && request.Certificates.Count > 0)
            throw new PkiException(PkiErrorIds.TenantWorkflowState, PkiErrorCategory.InvalidOperation,
                $"'{entry.Name}' is already CERT_READY; Zscaler does not take another certificate for it. Create a new intermediate (New-ZiaIntermediateCertificate) to rotate.", entry.Name);

        IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> chain = Array.Empty<System.Security.Cryptography.X509Certificates.X509Certificate2>();
        System.Security.Cryptography.X509Certificates.X509Certificate2? leaf = null;
        if (request.Certificates.Count > 0)
        {
            // The one validator, against what the tenant holds: its CSR (subject, key, requested path length) and public key.
            var csr = IntermediateCsr.Read(Encoding.UTF8.GetBytes(DownloadCsr(entry)), $"the CSR of '{entry.Name}'");
            if (entry.PublicKey is { Length: > 0 } pem && !SamePublicKey(pem, csr))
                throw new PkiException(PkiErrorIds.TenantInvalidResponse, PkiErrorCategory.InvalidResult,
                    $"The tenant's public key of '{entry.Name}' is not the key in its CSR; nothing was uploaded. Generate the CSR again (a new intermediate) and sign that.", entry.Name);
            int? requested = null;
            if (csr.PathLength is null)
                requested = (int?)TenantJson.Long(ShowCsr(entry), "pathLengthConstraint");
            var verdict = SignedIntermediateValidator.Validate(SignedIntermediateTargets.For(entry, csr, requested),
                request.Certificates, request.Chain, request.TrustedRoot, request.Now ?? DateTimeOffset.UtcNow, request.Source);
            warnings.AddRange(verdict.Warnings);
            leaf = verdict.Certificate;
            chain = verdict.Chain;
            if (chain.Count == 0 && at < Index("CERTCHAIN_UPLOAD_DONE"))
                warnings.Add($"No chain was given for '{entry.Name}': Zscaler will send only the intermediate, so clients need its issuer installed. Pass -ChainPath (issuers up to the root) to upload the chain as well.");
        }

        var id = entry.Id;
        var plan = new List<(string Request, Action Run)>();
        if (needsCertificate)
            plan.Add(($"POST {P($"/uploadCert/{id}")} (multipart fileUpload: {leaf!.Subject})", () => Upload($"/uploadCert/{id}", CertificateReader.ToPem(leaf))));
        if (chain.Count > 0 && at < Index("CERTCHAIN_UPLOAD_DONE"))
        {
            var chainPem = string.Concat(chain.Select(CertificateReader.ToPem));
            plan.Add(($"POST {P($"/uploadCertChain/{id}")} (multipart fileUpload: {chain.Count} certificate(s))", () => Upload($"/uploadCertChain/{id}", chainPem)));
        }
        if (!entry.IsReady)
            plan.Add(($"POST {P($"/finalizeCert/{id}")}", () => Send(new TenantCall(HttpMethod.Post, P($"/finalizeCert/{id}")))));
        if (request.MakeDefault && !entry.Default)
            plan.Add(($"PUT {P($"/makeDefault/{id}")}", () => Send(new TenantCall(HttpMethod.Put, P($"/makeDefault/{id}")) { Json = new JsonObject { ["id"] = id } })));
        if (activate)
            plan.Add((ActivateRequest, () => Activate()));
        if (plan.Count == 0)
        {
            warnings.Add($"'{entry.Name}' is already ready{(entry.Default ? " and the default" : string.Empty)}; nothing to send.");
            return new TenantOutcome<ZiaIntermediateCertificate>(entry, warnings, false);
        }
        if (!gate(entry.Name, plan.Select(p => p.Request).ToList()))
            return new TenantOutcome<ZiaIntermediateCertificate>(entry, warnings, false);
        foreach (var step in plan)
        {
            _observer.Verbose?.Invoke(step.Request);
            step.Run();
        }
        return new TenantOutcome<ZiaIntermediateCertificate>(Get(id), warnings, true);
    }

    private void Upload(string tail, string pem)
    {
        // As zscaler-sdk-python upload_cert: multipart/form-data, one part named fileUpload with the PEM file.
        Send(new TenantCall(HttpMethod.Post, P(tail))
        {
            Content = () =>
            {
                var form = new MultipartFormDataContent();
                var file = new ByteArrayContent(Encoding.ASCII.GetBytes(pem));
                file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"fileUpload\"", FileName = "\"certificate.pem\"" };
                form.Add(file);
                return form;
            },
        });
    }

    private static bool SamePublicKey(string pem, CsrInfo csr)
    {
        try
        {
            if (!System.Security.Cryptography.PemEncoding.TryFind(pem.Replace("\r", string.Empty), out var fields))
                return false;
            var der = Convert.FromBase64String(pem.Replace("\r", string.Empty)[fields.Base64Data]);
            return Keys.SameKey(System.Security.Cryptography.X509Certificates.PublicKey.CreateFromSubjectPublicKeyInfo(der, out _), csr.PublicKey);
        }
        catch (Exception ex) when (ex is FormatException or System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    // ---------------------------------------------------------------- update, default, delete

    /// <summary>PUT /intermediateCaCertificate/{id} with the entry's fields and the changes; makeDefault when asked.</summary>
    public TenantOutcome<ZiaIntermediateCertificate> Update(ZiaIntermediateCertificate entry, string? newName, string? description, bool? enabled, bool makeDefault, TenantGate gate, bool activate)
    {
        var plan = new List<(string Request, Action Run)>();
        if (newName is not null || description is not null || enabled is not null)
        {
            var body = TenantJson.Object(Send(new TenantCall(HttpMethod.Get, P($"/{entry.Id}"))).Json, "GET entry");
            if (newName is not null) body["name"] = newName;
            if (description is not null) body["description"] = description;
            if (enabled is not null) body["status"] = enabled.Value ? "ENABLED" : "DISABLED";
            var changes = string.Join(", ", new[] { newName is null ? null : $"name '{newName}'", description is null ? null : "description", enabled is null ? null : $"status {(enabled.Value ? "ENABLED" : "DISABLED")}" }.Where(s => s is not null));
            plan.Add(($"PUT {P($"/{entry.Id}")} ({changes})", () => Send(new TenantCall(HttpMethod.Put, P($"/{entry.Id}")) { Json = body })));
        }
        if (makeDefault && !entry.Default)
        {
            if (!entry.IsReady)
                throw new PkiException(PkiErrorIds.TenantWorkflowState, PkiErrorCategory.InvalidOperation,
                    $"'{entry.Name}' is at {entry.State}, not CERT_READY: only a ready intermediate can be the default. Finish it with Publish-ZiaSignedIntermediate.", entry.Name);
            plan.Add(($"PUT {P($"/makeDefault/{entry.Id}")}", () => Send(new TenantCall(HttpMethod.Put, P($"/makeDefault/{entry.Id}")) { Json = new JsonObject { ["id"] = entry.Id } })));
        }
        if (activate)
            plan.Add((ActivateRequest, () => Activate()));
        if (plan.Count == 0 || !gate(entry.Name, plan.Select(p => p.Request).ToList()))
            return new TenantOutcome<ZiaIntermediateCertificate>(entry, Array.Empty<string>(), false);
        foreach (var step in plan)
        {
            _observer.Verbose?.Invoke(step.Request);
            step.Run();
        }
        return new TenantOutcome<ZiaIntermediateCertificate>(Get(entry.Id), Array.Empty<string>(), true);
    }

    /// <summary>DELETE /intermediateCaCertificate/{id}; never the default (Zscaler would stop inspecting with it).</summary>
    public bool Delete(ZiaIntermediateCertificate entry, TenantGate gate, bool activate)
    {
        if (entry.Default)
            throw new PkiException(PkiErrorIds.TenantDefaultIntermediate, PkiErrorCategory.InvalidOperation,
                $"'{entry.Name}' is the tenant's default intermediate and is not removed. Make another intermediate the default first (Set-ZiaIntermediateCertificate -Name <other> -Default), then remove it.", entry.Name);
        var plan = new List<string> { $"DELETE {P($"/{entry.Id}")}" };
        if (activate)
            plan.Add(ActivateRequest);
        if (!gate(entry.Name, plan))
            return false;
        Send(new TenantCall(HttpMethod.Delete, P($"/{entry.Id}")));
        if (activate)
            Activate();
        return true;
    }

    private static int Index(string? state) => state is null ? -1 : Array.IndexOf(Order, state);

    private static void RequireAtLeast(ZiaIntermediateCertificate entry, string state, string what, string how)
    {
        if (Index(entry.State) < Index(state))
            throw new PkiException(PkiErrorIds.TenantWorkflowState, PkiErrorCategory.InvalidOperation,
                $"'{entry.Name}' is at {entry.State ?? "no state"}, so Zscaler cannot {what} yet. Run {how}.", entry.Name);
    }
}
