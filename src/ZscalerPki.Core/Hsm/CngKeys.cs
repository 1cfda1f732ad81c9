using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using ZscalerPki.Core.Certificates;

namespace ZscalerPki.Core.Hsm;

/// <summary>Creates and opens keys in a CNG key storage provider (the seam: Windows' CNG in production, a fake in tests elsewhere).</summary>
public interface ICngKeyStore
{
    /// <summary>Generates a persisted, non-exportable signing key named <paramref name="keyName"/> in the provider.</summary>
    AsymmetricAlgorithm Create(string provider, string keyName, KeyAlgorithm algorithm, ReadOnlySpan<char> pin);

    /// <summary>Opens an existing key; the PIN (when given) is set on the key for providers that ask for one.</summary>
    AsymmetricAlgorithm Open(CngKeyReference key, ReadOnlySpan<char> pin);

    /// <summary>Deletes a key this process just created, when the creation of its CA failed after all.</summary>
    void Delete(CngKeyReference key);
}

/// <summary>The CNG key storage providers of this machine: Windows only (CNG does not exist elsewhere).</summary>
public static class CngKeys
{
    /// <summary>This system's key storage providers: CNG on Windows, elsewhere a store that names the PKCS#11 way instead.</summary>
    public static ICngKeyStore ForThisSystem() => OperatingSystem.IsWindows() ? new WindowsCngKeyStore() : new UnavailableCngKeyStore();

    /// <summary>Maps a CNG/smart-card/TPM failure (its HRESULT) to one catalogued error.</summary>
    public static PkiException Classify(int hresult, string provider, string keyName, string message, Exception? inner = null)
    {
        var where = $"'{keyName}' in key storage provider '{provider}'";
        return unchecked((uint)hresult) switch
        {
            0x80090016 or 0x80090011 or 0x8009000D => new PkiException(PkiErrorIds.HsmKeyNotFound, PkiErrorCategory.ObjectNotFound, // NTE_BAD_KEYSET, NTE_NOT_FOUND, NTE_NO_KEY
                $"There is no key {where}; it was deleted or never created there. Check the name (certutil -csp \"{provider}\" -key lists them).", keyName, inner),
            0x80090013 or 0x80090014 or 0x80090017 or 0x8009001E or 0x80090019 => new PkiException(PkiErrorIds.HsmModuleNotFound, PkiErrorCategory.NotInstalled, // NTE_BAD_PROVIDER, NTE_BAD_PROV_TYPE, NTE_PROV_TYPE_NOT_DEF, NTE_PROV_DLL_NOT_FOUND, NTE_KEYSET_NOT_DEF
                $"There is no key storage provider '{provider}' on this machine. Install the HSM vendor's KSP, or pick one of: certutil -csplist.", provider, inner),
            0x8010006B or 0x80280001 or 0x8028008E or 0x802800A2 or 0x80070056 => new PkiException(PkiErrorIds.HsmPinIncorrect, PkiErrorCategory.AuthenticationError, // SCARD_W_WRONG_CHV, TPM_E_AUTHFAIL, TPM_20_E_AUTH_FAIL, TPM_20_E_BAD_AUTH, ERROR_INVALID_PASSWORD
                $"The key storage provider '{provider}' refused the PIN for {where}. Pass the right PIN; repeated wrong PINs may lock it.", keyName, inner),
            0x8010006C or 0x80280921 => new PkiException(PkiErrorIds.HsmPinIncorrect, PkiErrorCategory.AuthenticationError, // SCARD_W_CHV_BLOCKED, TPM_20_E_LOCKOUT
                $"The PIN of {where} is locked. Unlock it with the provider's tools.", keyName, inner),
            0x8009000F => new PkiException(PkiErrorIds.NameAlreadyExists, PkiErrorCategory.ResourceExists, // NTE_EXISTS
                $"A key {where} already exists. Use it with -ExistingKey '{keyName}', or choose another name.", keyName, inner),
            _ => new PkiException(PkiErrorIds.HsmKeyGenerationFailed, PkiErrorCategory.InvalidResult,
                $"The key storage provider '{provider}' failed for {where}: {message} (0x{hresult:X8}).", keyName, inner),
        };
    }

    private sealed class UnavailableCngKeyStore : ICngKeyStore
    {
        public AsymmetricAlgorithm Create(string provider, string keyName, KeyAlgorithm algorithm, ReadOnlySpan<char> pin) => throw NotHere(provider);

        public AsymmetricAlgorithm Open(CngKeyReference key, ReadOnlySpan<char> pin) => throw NotHere(key.Provider);

        public void Delete(CngKeyReference key) => throw NotHere(key.Provider);

        private static PkiException NotHere(string provider) =>
            new(PkiErrorIds.HsmModuleNotFound, PkiErrorCategory.NotImplemented,
                $"Key storage providers ('{provider}') are part of Windows' CNG and do not exist on this system. On Linux and macOS name the HSM's PKCS#11 module and token instead.", provider);
    }
}

/// <summary>CNG itself: <see cref="CngKey"/> with the named provider, <see cref="RSACng"/>/<see cref="ECDsaCng"/> signing inside it.</summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsCngKeyStore : ICngKeyStore
{
    private const string PinProperty = "SmartCardPin"; // NCRYPT_PIN_PROPERTY

    public AsymmetricAlgorithm Create(string provider, string keyName, KeyAlgorithm algorithm, ReadOnlySpan<char> pin)
    {
        var parameters = new CngKeyCreationParameters
        {
            Provider = new CngProvider(provider),
            ExportPolicy = CngExportPolicies.None,
            KeyUsage = CngKeyUsages.Signing,
            KeyCreationOptions = CngKeyCreationOptions.None,
        };
        var cngAlgorithm = algorithm switch
        {
            KeyAlgorithm.EcdsaP256 => CngAlgorithm.ECDsaP256,
            KeyAlgorithm.EcdsaP384 => CngAlgorithm.ECDsaP384,
            _ => CngAlgorithm.Rsa,
        };
        if (cngAlgorithm == CngAlgorithm.Rsa)
        {
            parameters.Parameters.Add(new CngProperty("Length", BitConverter.GetBytes(Keys.RsaBits(algorithm)), CngPropertyOptions.None));
        }
        if (!pin.IsEmpty)
            parameters.Parameters.Add(PinOf(pin));
        try
        {
            return Wrap(CngKey.Create(cngAlgorithm, keyName, parameters));
        }
        catch (CryptographicException ex)
        {
            throw CngKeys.Classify(ex.HResult, provider, keyName, ex.Message, ex);
        }
    }

    public AsymmetricAlgorithm Open(CngKeyReference key, ReadOnlySpan<char> pin)
    {
        try
        {
            var provider = new CngProvider(key.Provider);
            if (!CngKey.Exists(key.KeyName, provider))
                throw CngKeys.Classify(unchecked((int)0x80090016), key.Provider, key.KeyName, "not found");
            var cng = CngKey.Open(key.KeyName, provider);
            if (!pin.IsEmpty)
                cng.SetProperty(PinOf(pin));
            return Wrap(cng);
        }
        catch (CryptographicException ex)
        {
            throw CngKeys.Classify(ex.HResult, key.Provider, key.KeyName, ex.Message, ex);
        }
    }

    public void Delete(CngKeyReference key)
    {
        try
        {
            var provider = new CngProvider(key.Provider);
            if (CngKey.Exists(key.KeyName, provider))
                CngKey.Open(key.KeyName, provider).Delete();
        }
        catch (CryptographicException ex)
        {
            throw CngKeys.Classify(ex.HResult, key.Provider, key.KeyName, ex.Message, ex);
        }
    }

    private static CngProperty PinOf(ReadOnlySpan<char> pin)
    {
        var bytes = new byte[(pin.Length + 1) * 2]; // UTF-16 with its terminating NUL, as NCrypt expects
        Encoding.Unicode.GetBytes(pin, bytes);
        return new CngProperty(PinProperty, bytes, CngPropertyOptions.None);
    }

    private static AsymmetricAlgorithm Wrap(CngKey key) =>
        key.AlgorithmGroup == CngAlgorithmGroup.Rsa ? new RSACng(key) : new ECDsaCng(key);
}
