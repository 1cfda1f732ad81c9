using System.Diagnostics;
using System.Security.Cryptography;

namespace ZscalerPki.Core.Hsm;

/// <summary>
/// OpenSC's <c>pkcs11-tool</c> (Debian package opensc), run as a process for what OpenSSL's engine cannot do: generate a key
/// pair inside a token (sensitive, never extractable) and list the tokens of a module. The PIN reaches it through an
/// environment variable of that one process (<c>--pin env:NAME</c>), never on its command line.
/// </summary>
public static class Pkcs11Tool
{
    public static string FileName { get; set; } = "pkcs11-tool";

    /// <summary>Generates a key pair in the token: RSA-2048..4096 or EC on P-256/P-384; returns the reference to its private key.</summary>
    public static Pkcs11KeyReference GenerateKeyPair(string modulePath, string token, string label, string keyType, ReadOnlySpan<char> pin)
    {
        if (!File.Exists(modulePath))
            throw new PkiException(PkiErrorIds.HsmModuleNotFound, PkiErrorCategory.NotInstalled,
                $"The PKCS#11 module '{modulePath}' does not exist. Pass the path of your HSM's PKCS#11 library.", modulePath);
        if (pin.IsEmpty)
            throw new PkiException(PkiErrorIds.PinRequired, PkiErrorCategory.InvalidArgument, $"Generating a key in token '{token}' needs its user PIN.", token);
        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        var result = RunLoggedIn(modulePath, token, pin, "--keypairgen", "--key-type", keyType, "--label", label, "--id", id, "--sensitive");
        if (result.ExitCode != 0)
            throw LoginFailure(result.Output, modulePath, token) ?? new PkiException(PkiErrorIds.HsmKeyGenerationFailed, PkiErrorCategory.InvalidResult,
                $"pkcs11-tool could not generate a {keyType} key in token '{token}': {FirstLines(result.Output)}", token);
        return new Pkcs11KeyReference { ModulePath = modulePath, Token = token, Object = label, IdHex = id };
    }

    /// <summary>
    /// Logs in to the token with <paramref name="pin"/> in a separate process and returns the private keys it holds now.
    /// The engine keeps a token logged in while a key of it is open in this process, and would then hand out the key for
    /// any PIN, and a key deleted from the token since: checking here makes every open prove the PIN and see the token as it is.
    /// </summary>
    public static IReadOnlyList<(string Label, string IdHex)> ListPrivateKeys(string modulePath, string token, ReadOnlySpan<char> pin)
    {
        var result = RunLoggedIn(modulePath, token, pin, "--list-objects", "--type", "privkey");
        if (result.ExitCode == 0)
            return ParseKeys(result.Output);
        throw LoginFailure(result.Output, modulePath, token) ?? new PkiException(PkiErrorIds.HsmKeyNotFound, PkiErrorCategory.OpenError,
            $"Cannot log in to token '{token}': {FirstLines(result.Output)}", token);
    }

    /// <summary>Runs pkcs11-tool logged in to the token; the PIN reaches it in an environment variable of that process only.</summary>
    private static (int ExitCode, string Output) RunLoggedIn(string modulePath, string token, ReadOnlySpan<char> pin, params string[] command)
    {
        var pinVariable = "ZSCALERPKI_PIN_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
        var args = new List<string> { "--module", modulePath, "--token-label", token, "--login", "--pin", "env:" + pinVariable };
        args.AddRange(command);
        return Run(args, (pinVariable, new string(pin)));
    }

    /// <summary>Why a logged-in pkcs11-tool run failed, when the login is why: a wrong or locked PIN, or no such token; else null.</summary>
    private static PkiException? LoginFailure(string output, string modulePath, string token)
    {
        if (output.Contains("CKR_PIN_INCORRECT", StringComparison.Ordinal))
            return new PkiException(PkiErrorIds.HsmPinIncorrect, PkiErrorCategory.AuthenticationError,
                $"The PIN for token '{token}' is wrong (the token refused the login). Pass the token's user PIN; repeated wrong PINs may lock it.", token);
        if (output.Contains("CKR_PIN_LOCKED", StringComparison.Ordinal))
            return new PkiException(PkiErrorIds.HsmPinIncorrect, PkiErrorCategory.AuthenticationError,
                $"The user PIN of token '{token}' is locked. Unlock it with the security officer PIN.", token);
        if (!TokenExists(modulePath, token))
            return new PkiException(PkiErrorIds.HsmTokenNotFound, PkiErrorCategory.ObjectNotFound,
                $"No token labelled '{token}' is present in '{modulePath}'. Insert or initialise the token, or fix the key reference.", token);
        return null;
    }

    /// <summary>The label and CKA_ID of each "Private Key Object" in pkcs11-tool's listing.</summary>
    internal static IReadOnlyList<(string Label, string IdHex)> ParseKeys(string listing)
    {
        var keys = new List<(string, string)>();
        string? label = null, id = null;
        var inKey = false;
        foreach (var raw in listing.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                if (inKey && label is not null)
                    keys.Add((label, id ?? string.Empty));
                inKey = line.StartsWith("Private Key Object", StringComparison.Ordinal);
                label = id = null;
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (!inKey || colon < 0)
                continue;
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name == "label")
                label = value;
            else if (name == "ID")
                id = value.ToUpperInvariant();
        }
        if (inKey && label is not null)
            keys.Add((label, id ?? string.Empty));
        return keys;
    }

    /// <summary>True when the module has an initialised token with this label.</summary>
    public static bool TokenExists(string modulePath, string token)
    {
        var result = Run(new[] { "--module", modulePath, "--list-token-slots" }, null);
        return result.ExitCode == 0 && result.Output.Split('\n').Any(l => l.Trim().StartsWith("token label", StringComparison.OrdinalIgnoreCase)
            && l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() == token);
    }

    private static (int ExitCode, string Output) Run(IReadOnlyList<string> args, (string Name, string Value)? secret)
    {
        var psi = new ProcessStartInfo(FileName) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        if (secret is { } s)
            psi.Environment[s.Name] = s.Value;
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new PkiException(PkiErrorIds.HsmToolNotInstalled, PkiErrorCategory.NotInstalled,
                $"Cannot run {FileName}: {ex.Message}. Install OpenSC (Debian/Ubuntu: apt-get install opensc).", FileName, ex);
        }
        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(120_000))
            {
                process.Kill(entireProcessTree: true);
                throw new PkiException(PkiErrorIds.HsmKeyGenerationFailed, PkiErrorCategory.OperationTimeout, $"{FileName} did not finish within 120 s.", FileName);
            }
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
    }

    private static string FirstLines(string text) => string.Join(" ", text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Take(3));
}
