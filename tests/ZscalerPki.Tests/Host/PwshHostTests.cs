using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Tests.Harness;

namespace ZscalerPki.Tests.Host;

/// <summary>What only a real PowerShell engine does: command-line switches, the parameter binder, -ErrorAction, -WhatIf on the host.</summary>
public sealed class PwshHostTests
{
    private static readonly System.Security.SecureString Pw = PwshHost.Secure("Real-host-pw1");

    [Fact]
    public void TheModule_IsImportedFromItsManifest_WithTheTestedAssembly()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        var module = pwsh.Script("(Get-Module ZscalerPki).Path; (Get-Location).Path; (Get-Command New-EnrollmentCertificate).ImplementingType").NotTerminated();
        Assert.EndsWith("ZscalerPki.dll", (string)module.Output[0]!);
        Assert.Equal(tmp.Path, module.Output[1]);
        Assert.Equal(typeof(Commands.NewEnrollmentCertificateCommand), module.Output[2]);
        var root = pwsh.Run("New-EnrollmentCertificate", new() { ["Name"] = "Root", ["KeyPassword"] = Pw, ["VaultPath"] = tmp.Vault, ["KeyAlgorithm"] = KeyAlgorithm.EcdsaP256 }).NotTerminated();
        Assert.Empty(root.Errors);
        Assert.IsType<EnrollmentCertificate>(Assert.Single(root.Output));
    }
}
