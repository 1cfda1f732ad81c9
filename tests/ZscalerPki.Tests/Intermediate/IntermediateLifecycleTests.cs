using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Commands;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Intermediate;
using ZscalerPki.Core.Storage;
using ZscalerPki.Tests.Harness;
using static ZscalerPki.Tests.Intermediate.IntermediateTestKit;

namespace ZscalerPki.Tests.Intermediate;

/// <summary>Signing by a vault CA, the subscription limits and the default rules, AD CS through a simulated certreq.</summary>
public sealed class IntermediateLifecycleTests
{
    [Fact]
    public void VaultCa_SignsTheCsrFromThePipeline_WithCdp_ImportAndExportVerify()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        var root = pwsh.Run("New-EnrollmentCertificate", new()
        {
            ["Name"] = "Corp-Root",
            ["Subject"] = "CN=Contoso Root CA, O=Contoso Ltd",
            ["KeyPassword"] = PwshHost.Secure(Password),
            ["VaultPath"] = tmp.Vault,
        });
        Assert.Empty(root.Errors);
        var item = NewCsr(pwsh, tmp, "inspection", "inspection.csr");

        // The CSR arrives through the pipeline: New-IntermediateCsr's output object binds to -Csr (by value, as PowerShell binds an object parameter).
        var submit = pwsh.Run("Submit-CertificateRequest", new()
        {
            ["Issuer"] = "Corp-Root",
            ["IssuerKeyPassword"] = PwshHost.Secure(Password),
            ["ValidityDays"] = 730,
            ["CrlDistributionPoint"] = new[] { "http://pki.contoso.com/crl/root.crl" },
            ["OutFile"] = "inspection.pem",
            ["ChainOutFile"] = "root.pem",
            ["VaultPath"] = tmp.Vault,
        }, input: new object?[] { item });
        Assert.Empty(submit.Errors);
        var issued = Assert.IsType<IssuedCertificate>(Assert.Single(submit.Output));
        Assert.Equal("Corp-Root", issued.IssuedBy);
        Assert.Equal(tmp.File("inspection.pem"), issued.Path);
        Assert.Equal("CN=Contoso Root CA, O=Contoso Ltd", Assert.Single(issued.Chain).Subject);

        var text = OpenSsl.Ok(tmp.Path, "x509", "-in", "inspection.pem", "-noout", "-text");
        Assert.Matches(@"X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0", text);
        Assert.Matches(@"X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign", text);
        Assert.Contains("URI:http://pki.contoso.com/crl/root.crl", text);
        Assert.Contains("X509v3 Authority Key Identifier", text);
        Assert.Contains("C = US, ST = Washington, L = Seattle, O = Contoso Ltd, OU = IT Security, CN = Contoso SSL Inspection CA", text);
        Assert.Contains("inspection.pem: OK", OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-CAfile", "root.pem", "inspection.pem"));

        // Submit's output binds to Import by property name: Certificate and Chain.
        var import = pwsh.Run("Import-SignedIntermediate", new() { ["Name"] = "inspection", ["VaultPath"] = tmp.Vault }, input: new object?[] { issued });
        Assert.Empty(import.Errors);
        var ready = Assert.IsType<IntermediateCertificate>(Assert.Single(import.Output));
        Assert.Equal(IntermediateState.CertReady, ready.State);
        Assert.True(ready.IsDefault);
        Assert.DoesNotContain(import.Warnings, w => w.Contains("path-length", StringComparison.Ordinal)); // our SubCA profile carries pathlen:0

        var export = pwsh.Run("Export-IntermediateCertificate", new() { ["Name"] = "inspection", ["Path"] = "bundle.pem", ["VaultPath"] = tmp.Vault });
        Assert.Empty(export.Errors);
        OpenSsl.Ok(tmp.Path, "verify", "-x509_strict", "-CAfile", "root.pem", "-untrusted", "bundle.pem", "bundle.pem");

        // The CSR as PEM text works too; an existing -OutFile is not overwritten without -Force.
        Assert.Equal("FileExists", SubmitError(pwsh, new() { ["Csr"] = item.Csr, ["Issuer"] = "Corp-Root", ["IssuerKeyPassword"] = PwshHost.Secure(Password), ["OutFile"] = "inspection.pem", ["VaultPath"] = tmp.Vault }));

        // Wrong issuer password, unknown issuer, a bad CDP, no signer: each its own error.
        Assert.Equal("WrongKeyPassword", SubmitError(pwsh, new() { ["Path"] = "inspection.csr", ["Issuer"] = "Corp-Root", ["IssuerKeyPassword"] = PwshHost.Secure("wrong"), ["VaultPath"] = tmp.Vault }));
        Assert.Equal("NotFound", SubmitError(pwsh, new() { ["Path"] = "inspection.csr", ["Issuer"] = "Nope", ["IssuerKeyPassword"] = PwshHost.Secure(Password), ["VaultPath"] = tmp.Vault }));
        Assert.Equal("InvalidCrlDistributionPoint", SubmitError(pwsh, new() { ["Path"] = "inspection.csr", ["Issuer"] = "Corp-Root", ["IssuerKeyPassword"] = PwshHost.Secure(Password), ["CrlDistributionPoint"] = new[] { "not a uri" }, ["VaultPath"] = tmp.Vault }));
        File.WriteAllText(tmp.File("garbage.csr"), "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n");
        Assert.Equal("InvalidCsr", SubmitError(pwsh, new() { ["Path"] = "garbage.csr", ["Issuer"] = "Corp-Root", ["IssuerKeyPassword"] = PwshHost.Secure(Password), ["VaultPath"] = tmp.Vault }));
        var none = pwsh.Run("Submit-CertificateRequest", new() { ["Path"] = "inspection.csr", ["VaultPath"] = tmp.Vault });
        Assert.Equal("SignerRequired", none.Terminating?.ErrorId());
    }

    private static string SubmitError(PwshHost pwsh, Dictionary<string, object?> parameters)
    {
        var run = pwsh.Run("Submit-CertificateRequest", parameters).NotTerminated();
        Assert.Empty(run.Output);
        return Assert.Single(run.Errors).ErrorId();
    }

    [Fact]
    public void SoftwareSubscription_LimitsAndDefaultRules_UnderEveryTransition()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        using var ca = new MemoryCa("Limits Root");
        // A folder that is not there is not shown as an empty vault (issue 20).
        Assert.Equal("VaultNotFound", Assert.Single(pwsh.Run("Get-PkiVault", new() { ["VaultPath"] = tmp.Vault }).Errors).ErrorId());
        Directory.CreateDirectory(tmp.Vault);
        var vault = pwsh.Run("Get-PkiVault", new() { ["VaultPath"] = tmp.Vault });
        var info = Assert.IsType<PkiVaultInfo>(Assert.Single(vault.Output));
        Assert.Equal(Subscription.Software, info.Subscription);
        Assert.Equal((2, 1), (info.MaxIntermediates, info.MaxEnabledIntermediates));

        var a = NewCsr(pwsh, tmp, "A");

        // A second enabled one breaks "at most 1 enabled"; the error names the limit and nothing is created.
        var enabledB = pwsh.Run("New-IntermediateCsr", new() { ["Name"] = "B", ["CommonName"] = "B", ["KeyPassword"] = PwshHost.Secure(Password), ["VaultPath"] = tmp.Vault });
        var e1 = Assert.Single(enabledB.Errors);
        Assert.Equal("EnabledLimitExceeded", e1.ErrorId());
        Assert.Contains("at most 1 enabled", e1.Message());
        Assert.Single(pwsh.Run("Get-IntermediateCertificate", new() { ["VaultPath"] = tmp.Vault }).Output);

        var b = NewCsr(pwsh, tmp, "B", status: IntermediateStatus.Disabled, cn: "B");

        // A third breaks "at most 2".
        var third = pwsh.Run("New-IntermediateCsr", new()
        {
            ["Name"] = "C",
            ["CommonName"] = "C",
            ["Status"] = IntermediateStatus.Disabled,
            ["KeyPassword"] = PwshHost.Secure(Password),
            ["VaultPath"] = tmp.Vault,
        });
        Assert.Equal("IntermediateLimitExceeded", Assert.Single(third.Errors).ErrorId());
        Assert.Contains("at most 2 intermediate", third.Errors[0].Message());

        // Default needs ready: A is not ready yet.
        Assert.Equal("DefaultRequiresReady", SetError(pwsh, new() { ["Name"] = "A", ["VaultPath"] = tmp.Vault, ["Default"] = true }));

        // Import both; A (enabled) becomes the default, B (disabled) does not.
        File.WriteAllText(tmp.File("a.pem"), CertificateReader.ToPem(ca.Sign(PublicKeyOf(a), "CN=" + CommonName)));
        File.WriteAllText(tmp.File("b.pem"), CertificateReader.ToPem(ca.Sign(PublicKeyOf(b), "CN=B")));
        File.WriteAllText(tmp.File("root.pem"), ca.Pem);
        Assert.True(Assert.IsType<IntermediateCertificate>(Assert.Single(Import(pwsh, tmp, "A", path: "a.pem", chainPath: "root.pem").Output)).IsDefault);
        Assert.False(Assert.IsType<IntermediateCertificate>(Assert.Single(Import(pwsh, tmp, "B", path: "b.pem", chainPath: "root.pem").Output)).IsDefault);

        // Default needs enabled: B is disabled. Enabling B while A is enabled breaks the limit.
        Assert.Equal("DefaultRequiresEnabled", SetError(pwsh, new() { ["Name"] = "B", ["VaultPath"] = tmp.Vault, ["Default"] = true }));
        Assert.Equal("EnabledLimitExceeded", SetError(pwsh, new() { ["Name"] = "B", ["VaultPath"] = tmp.Vault, ["Enabled"] = true, ["Default"] = true }));
        Assert.True(Get(pwsh, tmp, "A").IsDefault);

        // -WhatIf changes nothing.
        var whatIf = pwsh.Run("Set-IntermediateCertificate", new() { ["Name"] = "A", ["VaultPath"] = tmp.Vault, ["Enabled"] = false, ["WhatIf"] = true }).NotTerminated();
        Assert.Contains("on target \"A\"", Assert.Single(whatIf.WhatIf));
        Assert.True(Get(pwsh, tmp, "A").IsDefault);

        // Disabling the default clears it (warning): Zscaler's own intermediate is the default now.
        var disable = pwsh.Run("Set-IntermediateCertificate", new() { ["Name"] = "A", ["VaultPath"] = tmp.Vault, ["Enabled"] = false, ["PassThru"] = true });
        Assert.Empty(disable.Errors);
        Assert.Contains(disable.Warnings, w => w.Contains("cleared the default", StringComparison.Ordinal));
        var disabledA = Assert.IsType<IntermediateCertificate>(Assert.Single(disable.Output));
        Assert.False(disabledA.IsDefault);
        Assert.Equal(IntermediateStatus.Disabled, disabledA.Status);

        // Enabling B (ready) when no default exists makes it the default.
        var enable = pwsh.Run("Set-IntermediateCertificate", new() { ["Name"] = "B", ["VaultPath"] = tmp.Vault, ["Enabled"] = true });
        Assert.Empty(enable.Errors);
        // Normal success is information, not a warning (issue 20).
        Assert.Contains(enable.Information, i => i.MessageData.ToString()!.Contains("now the default", StringComparison.Ordinal));
        Assert.DoesNotContain(enable.Warnings, w => w.Contains("now the default", StringComparison.Ordinal));
        Assert.True(Get(pwsh, tmp, "B").IsDefault);
        var defaults = pwsh.Run("Get-IntermediateCertificate", new() { ["VaultPath"] = tmp.Vault, ["Default"] = true });
        Assert.Equal("B", Assert.IsType<IntermediateCertificate>(Assert.Single(defaults.Output)).Name);

        // -Default $false clears it explicitly; -Default $true sets it back.
        var clear = pwsh.Run("Set-IntermediateCertificate", new() { ["Name"] = "B", ["VaultPath"] = tmp.Vault, ["Default"] = false });
        Assert.Contains(clear.Warnings, w => w.Contains("no longer the default", StringComparison.Ordinal));
        Assert.False(Get(pwsh, tmp, "B").IsDefault);
        Assert.Empty(pwsh.Run("Set-IntermediateCertificate", new() { ["Name"] = "B", ["Description"] = "primary", ["VaultPath"] = tmp.Vault, ["Default"] = true }).Errors);
        Assert.Equal("primary", Get(pwsh, tmp, "B").Description);

        // A downgrade is checked too: SoftwareAndHsm then back to Software works while within limits.
        var hsm = pwsh.Run("Set-PkiVault", new() { ["Subscription"] = Subscription.SoftwareAndHsm, ["VaultPath"] = tmp.Vault, ["PassThru"] = true });
        Assert.Equal(4, Assert.IsType<PkiVaultInfo>(Assert.Single(hsm.Output)).MaxEnabledIntermediates);
        Assert.Empty(pwsh.Run("Set-IntermediateCertificate", new() { ["Name"] = "A", ["VaultPath"] = tmp.Vault, ["Enabled"] = true }).Errors);
        Assert.True(Get(pwsh, tmp, "B").IsDefault); // enabling A does not steal the default
        var downgrade = pwsh.Run("Set-PkiVault", new() { ["Subscription"] = Subscription.Software, ["VaultPath"] = tmp.Vault });
        Assert.Equal("SubscriptionLimitExceeded", Assert.Single(downgrade.Errors).ErrorId());
        Assert.Contains("at most 1 enabled", downgrade.Errors[0].Message());
        Assert.Equal(Subscription.SoftwareAndHsm, Vault.Open(tmp.Vault).ReadSettings().Subscription);

        // Removing the default clears it (warning); -WhatIf removes nothing.
        var removeWhatIf = pwsh.Run("Remove-IntermediateCertificate", new() { ["Name"] = new[] { "B" }, ["VaultPath"] = tmp.Vault, ["WhatIf"] = true }).NotTerminated();
        Assert.Single(removeWhatIf.WhatIf);
        Assert.True(Get(pwsh, tmp, "B").IsDefault);
        var remove = pwsh.Run("Remove-IntermediateCertificate", new() { ["Name"] = new[] { "B", "missing" }, ["VaultPath"] = tmp.Vault, ["Confirm"] = false }).NotTerminated();
        Assert.Contains(remove.Warnings, w => w.Contains("was the default", StringComparison.Ordinal));
        Assert.Equal("NotFound", Assert.Single(remove.Errors).ErrorId());
        var left = Assert.IsType<IntermediateCertificate>(Assert.Single(pwsh.Run("Get-IntermediateCertificate", new() { ["VaultPath"] = tmp.Vault }).Output));
        Assert.Equal("A", left.Name);
        Assert.False(left.IsDefault);
        Assert.False(Directory.Exists(Path.Combine(tmp.Vault, "intermediate", "B")));

        var final = Assert.IsType<PkiVaultInfo>(Assert.Single(pwsh.Run("Get-PkiVault", new() { ["VaultPath"] = tmp.Vault }).Output));
        Assert.Equal((1, 1, (string?)null), (final.Intermediates, final.EnabledIntermediates, final.DefaultIntermediate));
    }

    private static string SetError(PwshHost pwsh, Dictionary<string, object?> parameters)
    {
        var run = pwsh.Run("Set-IntermediateCertificate", parameters).NotTerminated();
        return Assert.Single(run.Errors).ErrorId();
    }

    [Fact]
    public void AdcsSubmission_OffWindows_IsRefusedOnceAndClearly()
    {
        // certreq.exe exists on Windows only; the engine's handling of its output and files is tested in
        // tests/ZscalerPki.Core.Tests/Intermediate/AdcsClientTests.cs with a stand-in runner through AdcsClient's constructor.
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        NewCsr(pwsh, tmp, "inspection", "inspection.csr");
        var run = pwsh.Run("Submit-CertificateRequest", new() { ["Path"] = "inspection.csr", ["ConfigString"] = @"ca01.contoso.com\Contoso Issuing CA", ["VaultPath"] = tmp.Vault });
        if (OperatingSystem.IsWindows())
            return; // the real certreq.exe runs there; a CA is needed to go further
        Assert.Equal("AdcsRequiresWindows", run.Terminating?.ErrorId());
        Assert.Contains("certreq", run.Terminating!.Message());
        // A malformed config string is named before anything runs, on every platform.
        var bad = pwsh.Run("Submit-CertificateRequest", new() { ["Path"] = "inspection.csr", ["ConfigString"] = "no-backslash", ["VaultPath"] = tmp.Vault });
        Assert.NotNull(bad.Terminating);
    }
}
