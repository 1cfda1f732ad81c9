using System.Net;
using System.Security.Cryptography;
using ZscalerPki.Core.Tenant;
using ZscalerPki.Emulator;

namespace ZscalerPki.Core.Tests.Tenant;

/// <summary>Sessions and the HTTP pipeline's manners against the contract emulator (tests/TenantEmulator).</summary>
public sealed class TenantSessionTests : IDisposable
{
    private readonly ZscalerEmulator _emulator = new();

    public void Dispose() => _emulator.Dispose();

    [Fact]
    public void ObfuscatedApiKey_IsTheDocumentedTimestampAlgorithm()
    {
        // n = 123456 (last 6 digits of the ms timestamp), r = n >> 1 = 061728; key[n_i] then key[r_j + 2].
        Assert.Equal("bCdEfGCIdjEK", LegacyZiaAuthenticator.ObfuscateApiKey("AbCdEfGhIjKl", 1700000123456));
        for (var t = 1733300000000L; t < 1733300000000L + 5000; t += 997)
            Assert.Equal(ZscalerEmulator.Obfuscate(_emulator.ZiaApiKey, t), LegacyZiaAuthenticator.ObfuscateApiKey(_emulator.ZiaApiKey, t));
    }

    [Fact]
    public void OneApi_ClientSecret_ReadsZia_AndRenewsTheTokenBeforeExpiry_AndAfterAServer401()
    {
        _emulator.TokenLifetimeSeconds = 3600;
        var clock = new FakeClock();
        using var session = TenantSession.Connect(TenantTestKit.OneApi(_emulator, clock));
        var zia = new ZiaIntermediateService(session);
        var root = Assert.Single(zia.List());
        Assert.Equal(("Zscaler Intermediate CA Certificate", "Zscaler", "CERT_READY", true, true), (root.Name, root.ProtectionType, root.State, root.Default, root.Enabled));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1738514320), root.NotBefore);
        Assert.Equal(1, _emulator.TokensIssued);

        clock.Offset = TimeSpan.FromSeconds(3600 - 300); // 5 minutes before expiry: renewed before the call
        zia.List();
        Assert.Equal(2, _emulator.TokensIssued);

        _emulator.ExpireCredentials(); // the server forgets the token: 401, one renewal, the call succeeds
        zia.List();
        Assert.Equal(3, _emulator.TokensIssued);
    }

    [Fact]
    public void OneApi_PrivateKeyJwt_SignsIn_WithAnRs256Assertion()
    {
        using var key = RSA.Create(2048);
        _emulator.ClientPublicKey = RSA.Create();
        _emulator.ClientPublicKey.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        using var session = TenantSession.Connect(TenantTestKit.OneApi(_emulator) with { Method = TenantAuthMethod.OneApiPrivateKeyJwt, ClientSecret = null, ClientKey = key });
        Assert.Single(new ZiaIntermediateService(session).List());
        Assert.DoesNotContain("client_secret", _emulator.Snapshot()[0].Body);
        Assert.Contains("client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer", _emulator.Snapshot()[0].Body);

        using var other = RSA.Create(2048);
        var ex = Assert.Throws<PkiException>(() => TenantSession.Connect(TenantTestKit.OneApi(_emulator) with { Method = TenantAuthMethod.OneApiPrivateKeyJwt, ClientSecret = null, ClientKey = other }));
        Assert.Equal(PkiErrorIds.TenantAuthenticationFailed, ex.ErrorId);
    }

    [Fact]
    public void BadInputs_AreOneClearError_AndSecretsNeverReachMessagesOrDebugLines()
    {
        var wrong = Assert.Throws<PkiException>(() => TenantSession.Connect(TenantTestKit.OneApi(_emulator) with { ClientSecret = new TenantSecret("wrong-Secret-XYZ") }));
        Assert.Equal(PkiErrorIds.TenantAuthenticationFailed, wrong.ErrorId);
        Assert.DoesNotContain("wrong-Secret-XYZ", wrong.Message);
        Assert.Contains("401 invalid_client: Client authentication failed", wrong.Message);

        var http = Assert.Throws<PkiException>(() => TenantSession.Connect(TenantTestKit.OneApi(_emulator) with { BaseUri = new Uri("http://api.zsapi.net/") }));
        Assert.Equal(PkiErrorIds.TenantUriNotAllowed, http.ErrorId);
        var missing = Assert.Throws<PkiException>(() => TenantSession.Connect(TenantTestKit.OneApi(_emulator) with { ClientId = null }));
        Assert.Equal((PkiErrorIds.TenantConnectionInvalid, "-ClientId"), (missing.ErrorId, missing.Target));

        var lines = new List<string>();
        var observer = new TenantObserver { Debug = lines.Add, Verbose = lines.Add };
        using (var session = TenantSession.Connect(TenantTestKit.OneApi(_emulator), observer))
            new ZiaIntermediateService(session, observer).List();
        Assert.Contains(lines, l => l.StartsWith("HTTP POST /oauth2/v1/token", StringComparison.Ordinal) && l.Contains("bytes, redacted") && l.Contains("Accept=[redacted]"));
        Assert.Contains(lines, l => l.StartsWith("HTTP 200 OK for GET /zia/api/v1/intermediateCaCertificate", StringComparison.Ordinal));
        var token = _emulator.Snapshot().Last().Authorization["Bearer ".Length..];
        Assert.All(lines, l => Assert.DoesNotContain(_emulator.ClientSecret, l));
        Assert.All(lines, l => Assert.DoesNotContain(token, l));
        Assert.All(lines, l => Assert.DoesNotContain("tok-", l));
    }

    [Fact]
    public void RateLimit_IsWaitedOut_WithinMaxWait_ElseAnErrorSayingWhenToRunAgain()
    {
        var clock = new FakeClock();
        var waits = new List<TenantWait>();
        using var session = TenantSession.Connect(TenantTestKit.OneApi(_emulator, clock, TimeSpan.FromSeconds(30)));
        var zia = new ZiaIntermediateService(session, new TenantObserver { Waiting = waits.Add });
        _emulator.RateLimitNext("GET /zia/api/v1/intermediateCaCertificate", retryAfterSeconds: 3);
        _emulator.RateLimitNext("GET /zia/api/v1/intermediateCaCertificate", retryAfterSeconds: 4, useResetHeader: true);
        Assert.Single(zia.List());
        Assert.InRange(Total(clock).TotalSeconds, 6.9, 7.0);
        Assert.NotEmpty(waits);
        Assert.Contains("429", waits[0].Reason);

        _emulator.RateLimitNext("GET /zia/api/v1/intermediateCaCertificate", retryAfterSeconds: 120);
        var ex = Assert.Throws<PkiException>(() => zia.List());
        Assert.Equal(PkiErrorIds.TenantRateLimited, ex.ErrorId);
        Assert.Contains("Run the command again after", ex.Message);
        Assert.Contains("-MaxWait 30 s", ex.Message);
    }

    [Fact]
    public void EditLockAnd5xx_AreRetriedWithBackoff_ForIdempotentCallsOnly()
    {
        var clock = new FakeClock();
        using var session = TenantSession.Connect(TenantTestKit.OneApi(_emulator, clock));
        var zia = new ZiaIntermediateService(session);
        _emulator.UnavailableNext("GET /zia/api/v1/intermediateCaCertificate", times: 2);
        Assert.Single(zia.List());
        Assert.InRange(Total(clock).TotalSeconds, 5.9, 6.0); // 2 s, then 4 s

        // A POST that meets the edit lock is not repeated (it could apply twice): one request, one error.
        _emulator.EditLockNext("POST /zia/api/v1/intermediateCaCertificate");
        var ex = Assert.Throws<PkiException>(() => zia.NewCsr(TenantTestKit.Csr("Locked"), TenantTestKit.Always(), activate: false));
        Assert.Equal(PkiErrorIds.TenantUnavailable, ex.ErrorId);
        Assert.Contains("EDIT_LOCK_NOT_AVAILABLE", ex.Message);
        Assert.Equal(1, _emulator.Count("POST /zia/api/v1/intermediateCaCertificate"));
    }

    [Fact]
    public void OtherClientErrors_CarryZscalersCodeAndMessage_AndANonJsonAnswerIsTenantInvalidResponse()
    {
        using var session = TenantSession.Connect(TenantTestKit.OneApi(_emulator));
        var zia = new ZiaIntermediateService(session);
        var root = zia.Get(1);
        // [CAS-ZIA]: 403 INVALID_INPUT_ARGUMENT "This operation is not applicable for the Zscaler root certificate".
        var ex = Assert.Throws<TenantApiException>(() => zia.ShowCsr(root));
        Assert.Equal((PkiErrorIds.TenantApiError, 403, "INVALID_INPUT_ARGUMENT"), (ex.ErrorId, ex.Status, ex.Code));
        Assert.Contains("not applicable for the Zscaler root certificate", ex.Message);
        var missing = Assert.Throws<PkiException>(() => zia.Get(424242));
        Assert.Equal(PkiErrorIds.TenantEntryNotFound, missing.ErrorId);

        var html = new StubHandler(HttpStatusCode.OK, "<html>login</html>");
        var bad = Assert.Throws<PkiException>(() => TenantSession.Connect(TenantTestKit.OneApi(_emulator) with { Handler = html }));
        Assert.Equal(PkiErrorIds.TenantInvalidResponse, bad.ErrorId);
    }

    [Fact]
    public void LegacyZia_SignsInWithTheObfuscatedKey_AndSignsInAgainAfterTheSessionExpires()
    {
        var request = new TenantConnectRequest
        {
            Method = TenantAuthMethod.LegacyZia,
            BaseUri = _emulator.BaseUri,
            ApiKey = new TenantSecret(_emulator.ZiaApiKey),
            Username = _emulator.ZiaUsername,
            Password = new TenantSecret(_emulator.ZiaPassword),
        };
        using var session = TenantSession.Connect(request);
        var zia = new ZiaIntermediateService(session);
        Assert.Single(zia.List());
        Assert.DoesNotContain(_emulator.ZiaApiKey, _emulator.Snapshot()[0].Body);
        _emulator.ExpireCredentials();
        Assert.Single(zia.List());
        Assert.Equal(2, _emulator.ZiaLogins);
        session.Disconnect();
        Assert.Contains(_emulator.Snapshot(), r => r.Method == "DELETE" && r.Path == "/api/v1/authenticatedSession");
        var gone = Assert.Throws<PkiException>(() => zia.List());
        Assert.Equal(PkiErrorIds.TenantNotConnected, gone.ErrorId);
    }

    private static TimeSpan Total(FakeClock clock) => clock.Sleeps.Aggregate(TimeSpan.Zero, (a, b) => a + b);

    private sealed class StubHandler(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(Send(request, cancellationToken));

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
            new(status) { Content = new StringContent(body, System.Text.Encoding.UTF8, "text/html") };
    }
}
