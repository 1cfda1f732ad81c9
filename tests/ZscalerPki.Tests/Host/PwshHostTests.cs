using System.Management.Automation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Inspection;
using ZscalerPki.Tests.Harness;

namespace ZscalerPki.Tests.Host;

/// <summary>
/// What only a real PowerShell engine does, and the old recording fake could not: switches typed on the command line, the
/// parameter binder choosing (or refusing) a parameter set, -ErrorAction Stop, progress and -WhatIf through the host.
/// </summary>
public sealed class PwshHostTests
{
    private static readonly System.Security.SecureString Pw = PwshHost.Secure("Real-host-pw1");

    private static EnrollmentCertificate NewRoot(PwshHost pwsh, TempDir tmp, string name = "Root") =>
        (EnrollmentCertificate)pwsh.Run("New-EnrollmentCertificate", new() { ["Name"] = name, ["KeyPassword"] = Pw, ["VaultPath"] = tmp.Vault, ["KeyAlgorithm"] = KeyAlgorithm.EcdsaP256, ["PathLength"] = 1 })
            .Succeeded().Output.Single()!;

    [Fact]
    public void TheModule_IsImportedFromItsManifest_WithTheTestedAssembly_AndItsFormatFile()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        var module = pwsh.Script("(Get-Module ZscalerPki).Path; (Get-Location).Path; (Get-Command New-EnrollmentCertificate).ImplementingType; @(Get-FormatData -TypeName ZscalerPki.*).Count").Succeeded();
        // The staged module (out/ZscalerPki) when build.ps1 staged this very build, else the copy beside the test's dll.
        Assert.Equal(Path.Combine(Path.GetDirectoryName(PwshHost.ModuleManifest)!, "ZscalerPki.dll"), module.Output[0]);
        Assert.Equal(tmp.Path, module.Output[1]);
        Assert.Equal(typeof(Commands.NewEnrollmentCertificateCommand), module.Output[2]);
        Assert.True((int)module.Output[3]! > 0, "the format file was not loaded");
    }

    [Fact]
    public void ForceOnTheCommandLine_ReplacesAFile_WithoutItTheFileIsKept()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        NewRoot(pwsh, tmp);
        pwsh.Script("Export-EnrollmentCertificate Root -Path ./root.pem -VaultPath $args[0]", tmp.Vault).Succeeded();
        File.WriteAllText(tmp.File("root.pem"), "old");

        var kept = pwsh.Script("Export-EnrollmentCertificate Root -Path ./root.pem -VaultPath $args[0]", tmp.Vault).NotTerminated();
        var exists = Assert.Single(kept.Errors);
        Assert.Equal("FileExists", exists.ErrorId());
        Assert.Equal(ErrorCategory.ResourceExists, exists.CategoryInfo.Category);
        Assert.Equal(tmp.File("root.pem"), exists.TargetObject);
        Assert.Equal("old", File.ReadAllText(tmp.File("root.pem")));

        pwsh.Script("Export-EnrollmentCertificate Root -Path ./root.pem -Force -VaultPath $args[0]", tmp.Vault).Succeeded();
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(tmp.File("root.pem")));
    }

    [Fact]
    public void TheBinder_RefusesPathWithLiteralPath_AndPicksTheSetFromWhatIsGiven()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        NewRoot(pwsh, tmp);

        // Both -Path and -LiteralPath: no parameter set has both, and the cmdlet never runs.
        var both = pwsh.Script("Export-EnrollmentCertificate Root -Path a.pem -LiteralPath b.pem -VaultPath $args[0]", tmp.Vault);
        Assert.Equal("AmbiguousParameterSet", both.Terminating?.ErrorId());
        Assert.Equal(ErrorCategory.InvalidArgument, both.Terminating!.CategoryInfo.Category);
        Assert.False(File.Exists(tmp.File("a.pem")) || File.Exists(tmp.File("b.pem")));

        // No path at all is the ToText set: PEM to the pipeline. -LiteralPath takes [brackets] as they are.
        var text = pwsh.Script("Export-EnrollmentCertificate Root -VaultPath $args[0]", tmp.Vault).Succeeded();
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", Assert.IsType<string>(Assert.Single(text.Output)));
        pwsh.Script("Export-EnrollmentCertificate Root -LiteralPath 'root[1].pem' -VaultPath $args[0]", tmp.Vault).Succeeded();
        Assert.True(File.Exists(tmp.File("root[1].pem")));

        // -Path and -Csr are two sets of Submit-CertificateRequest as well: the binder refuses before the cmdlet runs.
        var pathAndCsr = pwsh.Script("Submit-CertificateRequest -Path a.csr -Csr 'x' -VaultPath $args[0]", tmp.Vault);
        Assert.Equal("AmbiguousParameterSet", pathAndCsr.Terminating?.ErrorId());
    }

    [Fact]
    public void ImportSignedIntermediate_ChainOnly_AndPositionalPath_BindTheirOwnSets()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        var root = NewRoot(pwsh, tmp);
        File.WriteAllText(tmp.File("chain.pem"), CertificateReader.ToPem(root.Certificate));
        pwsh.Run("New-IntermediateCsr", new() { ["Name"] = "pending", ["CommonName"] = "Binder CA", ["KeyPassword"] = Pw, ["VaultPath"] = tmp.Vault }).Succeeded();

        // "-Name x -ChainPath c.pem" is the chain-only set (it used to prompt for -Path): the cmdlet runs and says a chain
        // alone needs a certificate first.
        var chainOnly = pwsh.Script("Import-SignedIntermediate -Name pending -ChainPath chain.pem -VaultPath $args[0]", tmp.Vault).NotTerminated();
        Assert.Equal("CertificateRequired", Assert.Single(chainOnly.Errors).ErrorId());

        // A second positional argument is -Path (with wildcards), so a missing file is our FileNotFound, not a prompt.
        var positional = pwsh.Script("Import-SignedIntermediate pending ./missing*.pem -VaultPath $args[0]", tmp.Vault).NotTerminated();
        Assert.Equal("FileNotFound", Assert.Single(positional.Errors).ErrorId());
    }

    private static X509Certificate2 Origin(string cn, bool ca = false) => OriginCertificates.Origin(cn, ca);

    [Fact]
    public void PipedCertificates_OneBad_IsOneNonTerminatingError_AndErrorActionStopStopsAtIt()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        NewRoot(pwsh, tmp);
        var origins = new object[] { Origin("one.pipeline.test"), Origin("A CA", ca: true), Origin("two.pipeline.test") };
        var parameters = new Dictionary<string, object?> { ["Issuer"] = "Root", ["IssuerKeyPassword"] = Pw, ["VaultPath"] = tmp.Vault };

        var run = pwsh.Run("New-InspectionCertificate", parameters, input: origins).NotTerminated();
        var error = Assert.Single(run.Errors);
        Assert.Equal("OriginIsCa", error.ErrorId());
        Assert.NotEqual(ErrorCategory.NotSpecified, error.CategoryInfo.Category);
        Assert.Equal(new[] { "one.pipeline.test", "two.pipeline.test" }, run.Output.Cast<InspectionCertificate>().Select(c => c.DnsNames.Single()));

        // -ErrorAction Stop: the same error now stops the pipeline; what came before it was still written.
        parameters["ErrorAction"] = ActionPreference.Stop;
        var stopped = pwsh.Run("New-InspectionCertificate", parameters, input: origins);
        Assert.Equal("OriginIsCa", stopped.Terminating?.ErrorId());
        Assert.Equal("one.pipeline.test", Assert.IsType<InspectionCertificate>(Assert.Single(stopped.Output)).DnsNames.Single());

        // The same in a script: try/catch sees the terminating error with its ErrorId.
        var caught = pwsh.ScriptWithInput("try { $input | New-InspectionCertificate -Issuer Root -IssuerKeyPassword $args[0] -VaultPath $args[1] -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }", origins, Pw, tmp.Vault).Succeeded();
        Assert.StartsWith("OriginIsCa,", Assert.IsType<string>(caught.Output[^1]));
    }

    [Fact]
    public void Progress_IsReportedWhileAKeyIsMade_AndCompleted()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        var run = pwsh.Run("New-IntermediateCsr", new() { ["Name"] = "inspection", ["CommonName"] = "Progress CA", ["KeyPassword"] = Pw, ["VaultPath"] = tmp.Vault }).Succeeded();
        Assert.Contains(run.Progress, p => p.Activity == "New-IntermediateCsr" && p.RecordType == ProgressRecordType.Processing && p.StatusDescription.Contains("'inspection'"));
        Assert.Equal(ProgressRecordType.Completed, run.Progress.Last(p => p.Activity == "New-IntermediateCsr").RecordType);
    }

    [Fact]
    public void WhatIf_IsAMessageOnTheHost_AndConfirmFalseSkipsTheHighImpactPrompt()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        NewRoot(pwsh, tmp);
        var whatIf = pwsh.Script("Remove-EnrollmentCertificate Root -WhatIf -VaultPath $args[0]", tmp.Vault).Succeeded();
        var message = Assert.Single(whatIf.WhatIf);
        Assert.Contains("Root", message);
        Assert.Single(pwsh.Script("Get-EnrollmentCertificate Root -VaultPath $args[0]", tmp.Vault).Succeeded().Output);

        pwsh.Script("Remove-EnrollmentCertificate Root -Confirm:$false -VaultPath $args[0]", tmp.Vault).Succeeded();
        Assert.Empty(pwsh.Script("Get-EnrollmentCertificate -VaultPath $args[0]", tmp.Vault).Succeeded().Output);
    }
}
