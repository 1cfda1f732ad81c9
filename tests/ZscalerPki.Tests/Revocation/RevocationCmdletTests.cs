using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Tests.Harness;

namespace ZscalerPki.Tests.Revocation;

/// <summary>The revocation cmdlets in PowerShell, piped as at the prompt (tests/Revocation.Tests.ps1 covers more in Pester).</summary>
public sealed class RevocationCmdletTests
{
    private static readonly System.Security.SecureString Pw = PwshHost.Secure("S3cure-enough");

    /// <summary>Root (with a CDP) and, from "$root | New-EnrollmentCertificate", Child under it.</summary>
    private static (EnrollmentCertificate Root, EnrollmentCertificate Child) Setup(PwshHost pwsh, TempDir tmp)
    {
        var root = (EnrollmentCertificate)pwsh.Run("New-EnrollmentCertificate", new()
        {
            ["Name"] = "Root", ["KeyPassword"] = Pw, ["VaultPath"] = tmp.Vault, ["KeyAlgorithm"] = KeyAlgorithm.EcdsaP256,
            ["CrlDistributionPoint"] = "http://pki.example/Root.crl",
        }).NotTerminated().Output.Single()!;
        var child = (EnrollmentCertificate)pwsh.Run("New-EnrollmentCertificate", new()
        {
            ["Name"] = "Child", ["KeyPassword"] = Pw, ["VaultPath"] = tmp.Vault, ["KeyAlgorithm"] = KeyAlgorithm.EcdsaP256, ["PathLength"] = 0,
        }, input: new object[] { root }).NotTerminated().Output.Single()!;
        return (root, child);
    }

    [Fact]
    public void GetRevokePublish_AsAtThePrompt()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        var (root, child) = Setup(pwsh, tmp);

        // $root | Get-IssuedCertificate
        var rows = pwsh.Run("Get-IssuedCertificate", new() { ["VaultPath"] = tmp.Vault }, input: new object[] { root }).NotTerminated();
        var row = Assert.IsType<IssuedCertificateRecord>(Assert.Single(rows.Output));
        Assert.Equal(child.SerialNumber, row.SerialNumber);

        // Get-IssuedCertificate Root | Revoke-Certificate -Reason KeyCompromise -PassThru -WhatIf: nothing happens
        var whatIf = pwsh.Run("Revoke-Certificate", new() { ["Issuer"] = "Root", ["Reason"] = RevocationReason.KeyCompromise, ["VaultPath"] = tmp.Vault, ["PassThru"] = true, ["WhatIf"] = true },
            input: new object[] { row }).NotTerminated();
        Assert.Empty(whatIf.Output);
        Assert.Contains(child.SerialNumber, Assert.Single(whatIf.WhatIf));

        var revoked = pwsh.Script("Get-IssuedCertificate Root -VaultPath $args[0] | Revoke-Certificate -Issuer Root -Reason KeyCompromise -PassThru -Confirm:$false -VaultPath $args[0]", tmp.Vault).Succeeded();
        Assert.Equal(IssuedCertificateStatus.Revoked, Assert.IsType<IssuedCertificateRecord>(Assert.Single(revoked.Output)).Status);
        Assert.Contains(revoked.Warnings, w => w.Contains("'Child'"));

        // Several serials, -Force on the command line: each bad one is its own non-terminating error, the good ones still go through.
        var several = pwsh.Script("Revoke-Certificate -Issuer Root -SerialNumber nope, 0ABC, 0DEF -AllowUnknownSerial -Confirm:$false -VaultPath $args[0]", tmp.Vault).NotTerminated();
        Assert.Equal(new[] { "InvalidSerialNumber" }, several.ErrorIds);
        var all = pwsh.Script("Get-IssuedCertificate -Issuer Root -Revoked -VaultPath $args[0]", tmp.Vault);
        Assert.Single(all.Output); // the forced serials have no issued row, only revocations

        // Publish-Crl Root ./crl -KeyPassword $pw -Pem
        var crl = pwsh.Script("Publish-Crl Root ./crl -KeyPassword $args[0] -Pem -VaultPath $args[1]", Pw, tmp.Vault).NotTerminated();
        Assert.Empty(crl.Errors);
        var publication = Assert.IsType<CrlPublication>(Assert.Single(crl.Output));
        Assert.Equal(3, publication.EntryCount);
        Assert.True(File.Exists(Path.Combine(tmp.Path, "crl", "Root.crl.pem")));

        // Restore-Certificate on something not on hold: NotOnHold
        var restore = pwsh.Run("Restore-Certificate", new() { ["Issuer"] = "Root", ["SerialNumber"] = "0ABC", ["VaultPath"] = tmp.Vault, ["Confirm"] = false });
        var notOnHold = Assert.Single(restore.Errors);
        Assert.Equal("NotOnHold", notOnHold.ErrorId());
    }

    [Fact]
    public void PublishWithoutPassword_AndSetEnrollmentCertificate()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        Setup(pwsh, tmp);
        var noPw = pwsh.Run("Publish-Crl", new() { ["Issuer"] = "Root", ["Path"] = "crl", ["VaultPath"] = tmp.Vault });
        Assert.Equal("KeyPasswordRequired", Assert.Single(noPw.Errors).ErrorId());
        Assert.False(Directory.Exists(Path.Combine(tmp.Path, "crl")) && Directory.EnumerateFiles(Path.Combine(tmp.Path, "crl")).Any());

        var set = pwsh.Script("Set-EnrollmentCertificate Root -CrlDistributionPoint http://pki.example/new.crl -PassThru -VaultPath $args[0]", tmp.Vault).NotTerminated();
        Assert.Equal(new[] { "http://pki.example/new.crl" }, Assert.IsType<EnrollmentCertificate>(Assert.Single(set.Output)).CrlDistributionPoint);
    }
}
