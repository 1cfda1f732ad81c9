using ZscalerPki.Commands;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Tests.Harness;

namespace ZscalerPki.Tests.Revocation;

/// <summary>The revocation cmdlets through the seam (the Pester file tests/Revocation.Tests.ps1 runs them in a real pwsh).</summary>
public sealed class RevocationCmdletTests
{
    private static readonly System.Security.SecureString Pw = CmdletHarness.Secure("S3cure-enough");

    private static (TempDir Tmp, EnrollmentCertificate Root, EnrollmentCertificate Child) Setup()
    {
        var tmp = new TempDir();
        var root = (EnrollmentCertificate)CmdletHarness.Run(new NewEnrollmentCertificateCommand
        {
            Name = "Root", KeyPassword = Pw, VaultPath = tmp.Vault, KeyAlgorithm = KeyAlgorithm.EcdsaP256,
            CrlDistributionPoint = new[] { "http://pki.example/Root.crl" },
        }, tmp.Path).Output.Single()!;
        var child = (EnrollmentCertificate)CmdletHarness.Run(new NewEnrollmentCertificateCommand
        {
            Name = "Child", KeyPassword = Pw, VaultPath = tmp.Vault, KeyAlgorithm = KeyAlgorithm.EcdsaP256, PathLength = 0,
        }, tmp.Path, pipeline: new object[] { root }, bind: (c, o) => c.Parent = o).Output.Single()!;
        return (tmp, root, child);
    }

    [Fact]
    public void GetRevokePublish_AsAtThePrompt()
    {
        var (tmp, root, child) = Setup();
        using var _ = tmp;

        // $root | Get-IssuedCertificate
        var rows = CmdletHarness.Run(new GetIssuedCertificateCommand { VaultPath = tmp.Vault }, tmp.Path, pipeline: new object[] { root }, bind: (c, o) => c.Issuer = o!);
        var row = Assert.IsType<IssuedCertificateRecord>(Assert.Single(rows.Output));
        Assert.Equal(child.SerialNumber, row.SerialNumber);

        // Get-IssuedCertificate Root | Revoke-Certificate -Reason KeyCompromise -PassThru -WhatIf: nothing happens
        var whatIf = CmdletHarness.Run(new RevokeCertificateCommand { Issuer = "Root", Reason = RevocationReason.KeyCompromise, VaultPath = tmp.Vault }.With("PassThru"),
            tmp.Path, pipeline: new object[] { row }, bind: (c, o) => c.Certificate = new[] { o! }, shouldProcess: false);
        Assert.Empty(whatIf.Output);
        Assert.Single(whatIf.ShouldProcessCalls);

        var revoked = CmdletHarness.Run(new RevokeCertificateCommand { Issuer = "Root", Reason = RevocationReason.KeyCompromise, VaultPath = tmp.Vault }.With("PassThru"),
            tmp.Path, pipeline: new object[] { row }, bind: (c, o) => c.Certificate = new[] { o! });
        Assert.Empty(revoked.Errors);
        Assert.Equal(IssuedCertificateStatus.Revoked, Assert.IsType<IssuedCertificateRecord>(Assert.Single(revoked.Output)).Status);
        Assert.Contains(revoked.Warnings, w => w.Contains("'Child'"));

        // Several serials: each bad one is its own non-terminating error, the good ones still go through.
        var several = CmdletHarness.Run(new RevokeCertificateCommand { Issuer = "Root", SerialNumber = new[] { "nope", "0ABC", "0DEF" }, VaultPath = tmp.Vault }.With("Force"), tmp.Path);
        Assert.Equal(new[] { "InvalidSerialNumber" }, several.Errors.Select(e => e.ErrorId));
        var all = CmdletHarness.Run(new GetIssuedCertificateCommand { Issuer = "Root", VaultPath = tmp.Vault }.With("Revoked"), tmp.Path);
        Assert.Single(all.Output); // the forced serials have no issued row, only revocations

        // Publish-Crl Root ./crl -KeyPassword $pw -Pem
        var crl = CmdletHarness.Run(new PublishCrlCommand { Issuer = "Root", Path = "crl", KeyPassword = Pw, VaultPath = tmp.Vault }.With("Pem"), tmp.Path);
        Assert.Empty(crl.Errors);
        var publication = Assert.IsType<CrlPublication>(Assert.Single(crl.Output));
        Assert.Equal(3, publication.EntryCount);
        Assert.True(File.Exists(Path.Combine(tmp.Path, "crl", "Root.crl.pem")));

        // Restore-Certificate on something not on hold: NotOnHold
        var restore = CmdletHarness.Run(new RestoreCertificateCommand { Issuer = "Root", SerialNumber = new[] { "0ABC" }, VaultPath = tmp.Vault }, tmp.Path);
        Assert.Equal("NotOnHold", Assert.Single(restore.Errors).ErrorId);
    }

    [Fact]
    public void PublishWithoutPassword_AndSetEnrollmentCertificate()
    {
        var (tmp, _, _) = Setup();
        using var _ = tmp;
        var noPw = CmdletHarness.Run(new PublishCrlCommand { Issuer = "Root", Path = "crl", VaultPath = tmp.Vault }, tmp.Path);
        Assert.Equal("KeyPasswordRequired", Assert.Single(noPw.Errors).ErrorId);
        Assert.False(Directory.Exists(Path.Combine(tmp.Path, "crl")) && Directory.EnumerateFiles(Path.Combine(tmp.Path, "crl")).Any());

        var set = CmdletHarness.Run(new SetEnrollmentCertificateCommand { Name = "Root", CrlDistributionPoint = new[] { "http://pki.example/new.crl" }, VaultPath = tmp.Vault }.With("PassThru"), tmp.Path);
        Assert.Equal(new[] { "http://pki.example/new.crl" }, Assert.IsType<EnrollmentCertificate>(Assert.Single(set.Output)).CrlDistributionPoint);
    }
}
