using System.Security.Cryptography.X509Certificates;
using ZscalerPki.Core.Certificates;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Tests.Harness;

namespace ZscalerPki.Tests.Host;

/// <summary>
/// A missing mandatory secret is asked for at the prompt, as Read-Host -AsSecureString and Get-Credential do (issue 20):
/// a host that answers (the recording host with queued answers) gets the command done with what was typed, a host that
/// cannot answer gets one KeyPasswordRequired error naming the parameter, and a one-character CA key password is refused.
/// Pester cannot supply a host, so these run in the in-process PowerShell.
/// </summary>
public sealed class PromptTests
{
    private const string Typed = "Prompted-Passw0rd";

    [Fact]
    public void MissingKeyPassword_IsPrompted_AndTheTypedPasswordEncryptsTheKey_AsOpenSslConfirms()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        pwsh.AnswerSecrets(Typed);
        var created = pwsh.Run("New-EnrollmentCertificate", new() { ["Name"] = "Prompted", ["KeyAlgorithm"] = KeyAlgorithm.EcdsaP256, ["VaultPath"] = tmp.Vault }).Succeeded();
        Assert.IsType<EnrollmentCertificate>(Assert.Single(created.Output));
        Assert.Equal(1, pwsh.SecretsRead);
        Assert.Contains(created.HostLines, l => l.Contains("-KeyPassword", StringComparison.Ordinal));

        // Both secrets of the export are asked for too: the vault key's password, then the exported file's.
        pwsh.AnswerSecrets(Typed, "Export-Passw0rd");
        pwsh.Run("Export-EnrollmentCertificate", new() { ["Name"] = "Prompted", ["IncludePrivateKey"] = true, ["Path"] = tmp.File("prompted.pem"), ["VaultPath"] = tmp.Vault }).Succeeded();
        Assert.Equal(3, pwsh.SecretsRead);
        // OpenSSL opens the exported key with the password typed for the file: the typed key password opened the vault key.
        var key = OpenSsl.Ok(tmp.Path, "pkey", "-in", "prompted.pem", "-passin", "pass:Export-Passw0rd", "-pubout");
        var cert = OpenSsl.Ok(tmp.Path, "x509", "-in", "prompted.pem", "-pubkey", "-noout");
        Assert.Equal(cert.Trim(), key.Trim());
    }

    [Fact]
    public void MissingIssuerKeyPassword_OfPublishCrl_IsPrompted()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        pwsh.Run("New-EnrollmentCertificate", new() { ["Name"] = "CrlRoot", ["KeyAlgorithm"] = KeyAlgorithm.EcdsaP256, ["KeyPassword"] = PwshHost.Secure(Typed), ["VaultPath"] = tmp.Vault }).Succeeded();
        pwsh.AnswerSecrets(Typed);
        var crl = pwsh.Run("Publish-Crl", new() { ["Issuer"] = "CrlRoot", ["Path"] = tmp.Path, ["VaultPath"] = tmp.Vault, ["Confirm"] = false }).Succeeded();
        var publication = Assert.IsType<CrlPublication>(Assert.Single(crl.Output));
        Assert.Equal(1, pwsh.SecretsRead);
        OpenSsl.Ok(tmp.Path, "crl", "-in", publication.Path, "-inform", "DER", "-noout");
    }

    [Fact]
    public void AHostThatCannotAnswer_GetsOneClearError_AndAShortPasswordIsRefused()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        // No answer queued: the host cannot prompt, so the command fails at once and names what to pass.
        var unanswered = pwsh.Run("New-EnrollmentCertificate", new() { ["Name"] = "NoAnswer", ["VaultPath"] = tmp.Vault });
        var error = Assert.Single(unanswered.Errors);
        Assert.Equal("KeyPasswordRequired", error.ErrorId());
        Assert.Contains("-KeyPassword", error.ErrorDetails.Message, StringComparison.Ordinal);

        // One character, typed or passed, is not a CA key password.
        pwsh.AnswerSecrets("x");
        var typedShort = pwsh.Run("New-EnrollmentCertificate", new() { ["Name"] = "Short", ["VaultPath"] = tmp.Vault });
        Assert.Equal("KeyPasswordTooShort", Assert.Single(typedShort.Errors).ErrorId());
        var passedShort = pwsh.Run("New-IntermediateCsr", new() { ["Name"] = "ShortCsr", ["CommonName"] = "Short CA", ["KeyPassword"] = PwshHost.Secure("1234567"), ["VaultPath"] = tmp.Vault });
        Assert.Equal("KeyPasswordTooShort", Assert.Single(passedShort.Errors).ErrorId());
        Assert.False(Directory.Exists(Path.Combine(tmp.Vault, "enrollment", "Short")));
    }

    [Fact]
    public void Progress_StartsOnlyAfterValidation_AndNamesTheKeyBeingGenerated()
    {
        using var tmp = new TempDir();
        using var pwsh = new PwshHost(tmp.Path);
        var bad = pwsh.Run("New-EnrollmentCertificate", new() { ["Name"] = "bad name", ["KeyPassword"] = PwshHost.Secure(Typed), ["VaultPath"] = tmp.Vault });
        Assert.Equal("InvalidName", Assert.Single(bad.Errors).ErrorId());
        Assert.Empty(bad.Progress);
        var good = pwsh.Run("New-EnrollmentCertificate", new() { ["Name"] = "Good", ["KeyAlgorithm"] = KeyAlgorithm.EcdsaP256, ["KeyPassword"] = PwshHost.Secure(Typed), ["VaultPath"] = tmp.Vault }).Succeeded();
        Assert.Contains(good.Progress, p => p.StatusDescription.Contains("Generating EcdsaP256 key", StringComparison.Ordinal));
        Assert.DoesNotContain(good.Progress, p => p.StatusDescription.Contains("encrypting", StringComparison.OrdinalIgnoreCase));
    }
}
