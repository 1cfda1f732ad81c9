namespace ZscalerPki.Core;

/// <summary>
/// The catalog of ErrorIds: every <see cref="PkiException"/> and every ErrorRecord the cmdlets write carries one of these.
/// Scripts match on them (<c>Should -Throw -ErrorId</c>, <c>$_.FullyQualifiedErrorId</c>); each keeps its one meaning forever.
/// about_ZscalerPki lists them; a contract test checks that each id is used, documented and asserted by a test.
/// </summary>
public static class PkiErrorIds
{
    // ---- input files and paths ----
    /// <summary>An input file does not exist (or a wildcard matched no file).</summary>
    public const string FileNotFound = "FileNotFound";
    /// <summary>The output file exists and -Force was not given.</summary>
    public const string FileExists = "FileExists";
    /// <summary>An input file exists but could not be read.</summary>
    public const string FileReadFailed = "FileReadFailed";
    /// <summary>An output file could not be written (nothing was left half-written).</summary>
    public const string FileWriteFailed = "FileWriteFailed";
    /// <summary>The operating system denied access to a file or folder.</summary>
    public const string FileAccessDenied = "FileAccessDenied";
    /// <summary>An I/O operation failed for a reason other than access (disk full, sharing violation, device error).</summary>
    public const string IOFailure = "IOFailure";
    /// <summary>A path that is empty or has characters no file system accepts (NUL).</summary>
    public const string InvalidPath = "InvalidPath";
    /// <summary>An input holds more than the module accepts (e.g. over 1,000 certificates in one bundle).</summary>
    public const string InputTooLarge = "InputTooLarge";
    /// <summary>A file path names a folder.</summary>
    public const string PathIsDirectory = "PathIsDirectory";
    /// <summary>The output format is binary and needs a file path.</summary>
    public const string PathRequired = "PathRequired";
    /// <summary>A path belongs to a PowerShell provider other than the file system.</summary>
    public const string NotAFileSystemPath = "NotAFileSystemPath";

    // ---- certificate and CSR input ----
    /// <summary>A certificate input holds no certificate.</summary>
    public const string CertificateEmpty = "CertificateEmpty";
    /// <summary>A certificate file could not be read.</summary>
    public const string CertificateFileUnreadable = "CertificateFileUnreadable";
    /// <summary>No certificate was given where one is required.</summary>
    public const string CertificateRequired = "CertificateRequired";
    /// <summary>A certificate source is neither a file, a certificate store, nor a vault name.</summary>
    public const string CertificateSourceNotFound = "CertificateSourceNotFound";
    /// <summary>A vault object has no certificate yet (e.g. an intermediate still waiting for its signed certificate).</summary>
    public const string CertificateNotAvailable = "CertificateNotAvailable";
    /// <summary>No certificate with the thumbprint is in the certificate store.</summary>
    public const string CertificateNotFound = "CertificateNotFound";
    /// <summary>Certificate bytes are not valid DER/PEM/PKCS#7 X.509.</summary>
    public const string InvalidCertificateData = "InvalidCertificateData";
    /// <summary>An input holds several certificates where one was expected.</summary>
    public const string MultipleCertificates = "MultipleCertificates";
    /// <summary>An object of a type that is not a certificate was given as one.</summary>
    public const string UnsupportedCertificateInput = "UnsupportedCertificateInput";
    /// <summary>A CSR was given where a certificate was expected.</summary>
    public const string InputIsCsr = "InputIsCsr";
    /// <summary>A certificate was given where a CSR was expected.</summary>
    public const string InputIsCertificate = "InputIsCertificate";
    /// <summary>A CSR input is empty.</summary>
    public const string CsrEmpty = "CsrEmpty";
    /// <summary>A CSR file could not be read.</summary>
    public const string CsrFileUnreadable = "CsrFileUnreadable";
    /// <summary>The CSR input is of an unsupported type or not a valid PKCS#10 request.</summary>
    public const string InvalidCsr = "InvalidCsr";
    /// <summary>The CSR's self-signature does not verify with the key it carries.</summary>
    public const string CsrSignatureInvalid = "CsrSignatureInvalid";
    /// <summary>The CSR's subject has no common name.</summary>
    public const string CsrWithoutCommonName = "CsrWithoutCommonName";
    /// <summary>A CRL is not valid DER/PEM.</summary>
    public const string CrlParseFailed = "CrlParseFailed";
    /// <summary>An object of a type that is not a CRL was given as one.</summary>
    public const string UnsupportedCrlInput = "UnsupportedCrlInput";

    // ---- names, subjects and parameters ----
    /// <summary>A vault entry name breaks the naming rules.</summary>
    public const string InvalidName = "InvalidName";
    /// <summary>A vault entry with that name exists already (names ignore case).</summary>
    public const string NameAlreadyExists = "NameAlreadyExists";
    /// <summary>No vault entry has that name.</summary>
    public const string NotFound = "NotFound";
    /// <summary>A subject is not a valid distinguished name.</summary>
    public const string InvalidSubject = "InvalidSubject";
    /// <summary>A subject attribute exceeds its X.520 upper bound.</summary>
    public const string SubjectPartTooLong = "SubjectPartTooLong";
    /// <summary>A common name is required and was not given.</summary>
    public const string CommonNameRequired = "CommonNameRequired";
    /// <summary>A country is not a two-letter ISO 3166-1 code.</summary>
    public const string InvalidCountry = "InvalidCountry";
    /// <summary>A string is not an IPv4 or IPv6 address.</summary>
    public const string InvalidIPAddress = "InvalidIPAddress";
    /// <summary>An RSA key size that is not offered.</summary>
    public const string InvalidKeySize = "InvalidKeySize";
    /// <summary>A negative path length.</summary>
    public const string InvalidPathLength = "InvalidPathLength";
    /// <summary>A path length larger than the parent allows.</summary>
    public const string PathLengthTooLarge = "PathLengthTooLarge";
    /// <summary>A validity period of less than one day.</summary>
    public const string InvalidValidity = "InvalidValidity";
    /// <summary>Both an end date and a validity period were given.</summary>
    public const string ValidityConflict = "ValidityConflict";
    /// <summary>A certificate template name that cannot be passed to AD CS.</summary>
    public const string InvalidTemplate = "InvalidTemplate";
    /// <summary>A CRL distribution point that is not an absolute http, https or ldap URI.</summary>
    public const string InvalidCrlDistributionPoint = "InvalidCrlDistributionPoint";
    /// <summary>A certificate store location that is not Cert:\&lt;CurrentUser|LocalMachine&gt;\&lt;store&gt;.</summary>
    public const string InvalidStoreLocation = "InvalidStoreLocation";
    /// <summary>-Issuer (or -Parent) was given something that names no CA: not a name, kind/name, CA object or certificate.</summary>
    public const string InvalidIssuer = "InvalidIssuer";
    /// <summary>A certificate given as -Issuer is not the certificate of a CA in this vault.</summary>
    public const string IssuerNotInVault = "IssuerNotInVault";
    /// <summary>A parent location names no or several certificates.</summary>
    public const string InvalidParent = "InvalidParent";
    /// <summary>Neither a vault CA nor an AD CS CA was named to sign a request.</summary>
    public const string SignerRequired = "SignerRequired";
    /// <summary>Both a vault CA and an AD CS CA were named to sign a request.</summary>
    public const string SignerConflict = "SignerConflict";
    /// <summary>The chosen export format cannot hold a chain or a key.</summary>
    public const string FormatCannotHoldChain = "FormatCannotHoldChain";
    /// <summary>Exporting a private key needs a password to encrypt it.</summary>
    public const string ExportPasswordRequired = "ExportPasswordRequired";
    /// <summary>A key password is required and was not given.</summary>
    public const string KeyPasswordRequired = "KeyPasswordRequired";
    /// <summary>A password for a new CA key is shorter than the minimum (8 characters).</summary>
    public const string KeyPasswordTooShort = "KeyPasswordTooShort";
    /// <summary>-VaultPath names a folder that does not exist (only commands that create entries create it).</summary>
    public const string VaultNotFound = "VaultNotFound";
    /// <summary>A binary export format (DER, PFX) holds one item per file, and a second item was sent to the same file.</summary>
    public const string ExportOneItemPerFile = "ExportOneItemPerFile";

    // ---- keys ----
    /// <summary>The key password does not decrypt the vault entry's private key.</summary>
    public const string WrongKeyPassword = "WrongKeyPassword";
    /// <summary>A vault key file is not a PBES2-encrypted PKCS#8 PEM of the entry's algorithm, or asks for excessive KDF work.</summary>
    public const string KeyFileCorrupt = "KeyFileCorrupt";
    /// <summary>A key file is protected by too little KDF work (PBKDF2 under 10,000 iterations): its password falls to guessing.</summary>
    public const string WeakKeyProtection = "WeakKeyProtection";
    /// <summary>A vault key file holds another key than the entry's certificate or CSR.</summary>
    public const string KeyMismatch = "KeyMismatch";
    /// <summary>A password that other tools would read differently (it contains a NUL character).</summary>
    public const string InvalidPassword = "InvalidPassword";
    /// <summary>A vault entry has no private key.</summary>
    public const string KeyNotFound = "KeyNotFound";
    /// <summary>A key algorithm other than RSA or ECDSA.</summary>
    public const string UnsupportedKey = "UnsupportedKey";
    /// <summary>A public key too weak to certify: RSA under 2048 bits, or an RSA exponent other than 65537.</summary>
    public const string WeakPublicKey = "WeakPublicKey";
    /// <summary>A public key a CA does not certify: a curve other than P-256/P-384/P-521, explicit curve parameters, RSA-PSS, other algorithms.</summary>
    public const string UnsupportedPublicKey = "UnsupportedPublicKey";
    /// <summary>A request signed with an algorithm this module does not verify (e.g. RSA-PSS).</summary>
    public const string UnsupportedSignatureAlgorithm = "UnsupportedSignatureAlgorithm";
    /// <summary>A certificate's public key is not the key of the request it answers.</summary>
    public const string PublicKeyMismatch = "PublicKeyMismatch";

    // ---- issuing CAs ----
    /// <summary>An intermediate CA was asked for without a parent.</summary>
    public const string ParentRequired = "ParentRequired";
    /// <summary>A root CA was given a parent.</summary>
    public const string ParentNotAllowed = "ParentNotAllowed";
    /// <summary>The parent is not a CA certificate.</summary>
    public const string ParentNotCA = "ParentNotCA";
    /// <summary>The parent's key usage lacks keyCertSign.</summary>
    public const string ParentCannotSign = "ParentCannotSign";
    /// <summary>The parent is outside its validity period.</summary>
    public const string ParentNotValid = "ParentNotValid";
    /// <summary>The parent's path length forbids another CA below it.</summary>
    public const string ParentPathLengthExceeded = "ParentPathLengthExceeded";
    /// <summary>The parent's private key is not available to this session.</summary>
    public const string ParentHasNoPrivateKey = "ParentHasNoPrivateKey";
    /// <summary>A CA that issued vault entries cannot be removed before them.</summary>
    public const string HasChildren = "HasChildren";
    /// <summary>A vault entry's parent is missing, so its chain cannot be built.</summary>
    public const string ChainIncomplete = "ChainIncomplete";

    // ---- SSL-inspection intermediate import ----
    /// <summary>The signed certificate's common name differs from the CSR's.</summary>
    public const string CommonNameMismatch = "CommonNameMismatch";
    /// <summary>The signed certificate is not a CA (basicConstraints CA:TRUE missing).</summary>
    public const string NotCaCertificate = "NotCaCertificate";
    /// <summary>An extension or name of the signed certificate cannot be decoded.</summary>
    public const string CertificateExtensionInvalid = "CertificateExtensionInvalid";
    /// <summary>The signed certificate carries a critical extension that clients may not know, so they would refuse it.</summary>
    public const string UnsupportedCriticalExtension = "UnsupportedCriticalExtension";
    /// <summary>The signed certificate lacks keyCertSign and cRLSign.</summary>
    public const string MissingKeyUsage = "MissingKeyUsage";
    /// <summary>The signed certificate has expired.</summary>
    public const string CertificateExpired = "CertificateExpired";
    /// <summary>The signed certificate is not valid yet.</summary>
    public const string CertificateNotYetValid = "CertificateNotYetValid";
    /// <summary>A certificate or request is signed with MD5, SHA-1 or SHA-224.</summary>
    public const string WeakSignatureAlgorithm = "WeakSignatureAlgorithm";
    /// <summary>A chain certificate does not sign the one below it.</summary>
    public const string BrokenChain = "BrokenChain";
    /// <summary>A chain certificate is outside its validity period.</summary>
    public const string ChainCertificateExpired = "ChainCertificateExpired";
    /// <summary>A chain certificate is not a CA.</summary>
    public const string ChainCertificateNotCa = "ChainCertificateNotCa";
    /// <summary>The chain ends at a root that is not the expected trust anchor.</summary>
    public const string UntrustedRoot = "UntrustedRoot";
    /// <summary>A trusted-root argument resolved to no certificate.</summary>
    public const string NoTrustedRoot = "NoTrustedRoot";
    /// <summary>Test-CertificateChain -Client named a client that has no profile (the valid names are listed in the message).</summary>
    public const string UnknownClient = "UnknownClient";
    /// <summary>A trusted-root argument resolved to several certificates.</summary>
    public const string TrustedRootAmbiguous = "TrustedRootAmbiguous";
    /// <summary>The intermediate has no signed certificate yet.</summary>
    public const string IntermediateNotReady = "IntermediateNotReady";
    /// <summary>A default intermediate must be enabled.</summary>
    public const string DefaultRequiresEnabled = "DefaultRequiresEnabled";
    /// <summary>A default intermediate must have a validated certificate.</summary>
    public const string DefaultRequiresReady = "DefaultRequiresReady";
    /// <summary>The subscription's limit of intermediates would be exceeded.</summary>
    public const string IntermediateLimitExceeded = "IntermediateLimitExceeded";
    /// <summary>The subscription's limit of enabled intermediates would be exceeded.</summary>
    public const string EnabledLimitExceeded = "EnabledLimitExceeded";
    /// <summary>The vault holds more intermediates than the chosen subscription allows.</summary>
    public const string SubscriptionLimitExceeded = "SubscriptionLimitExceeded";

    // ---- AD CS ----
    /// <summary>Signing with AD CS needs certreq.exe, which runs on Windows only.</summary>
    public const string AdcsRequiresWindows = "AdcsRequiresWindows";
    /// <summary>An AD CS config string is not HOST\CA Name.</summary>
    public const string InvalidConfigString = "InvalidConfigString";
    /// <summary>certreq.exe could not be started.</summary>
    public const string CertReqNotFound = "CertReqNotFound";
    /// <summary>AD CS holds the request for a CA manager's approval.</summary>
    public const string AdcsRequestPending = "AdcsRequestPending";
    /// <summary>AD CS denied the request.</summary>
    public const string AdcsRequestDenied = "AdcsRequestDenied";
    /// <summary>certreq.exe failed.</summary>
    public const string AdcsSubmitFailed = "AdcsSubmitFailed";
    /// <summary>certreq.exe did not finish in time.</summary>
    public const string AdcsTimeout = "AdcsTimeout";

    // ---- vault and certificate stores ----
    /// <summary>Another process holds the vault lock.</summary>
    public const string VaultBusy = "VaultBusy";
    /// <summary>A vault file is unreadable or invalid.</summary>
    public const string VaultEntryCorrupt = "VaultEntryCorrupt";
    /// <summary>The vault was written in a format version this version of the module does not read.</summary>
    public const string VaultFormatUnsupported = "VaultFormatUnsupported";
    /// <summary>The vault path names a file.</summary>
    public const string VaultPathIsFile = "VaultPathIsFile";
    /// <summary>The vault folder cannot be created or opened.</summary>
    public const string VaultUnavailable = "VaultUnavailable";
    /// <summary>A certificate store cannot be opened.</summary>
    public const string StoreUnavailable = "StoreUnavailable";
    /// <summary>A certificate cannot be added to a certificate store.</summary>
    public const string StoreWriteFailed = "StoreWriteFailed";

    // ---- anything else ----
    /// <summary>The platform's cryptography failed unexpectedly (the message carries its reason).</summary>
    public const string CryptographicFailure = "CryptographicFailure";
    /// <summary>An unexpected failure inside ZscalerPki; please report it with the message.</summary>
    public const string InternalError = "InternalError";

    // ---- chain validation ----
    /// <summary>An imported chain does not validate for a reason without its own import ErrorId (the message lists the validator's problem codes).</summary>
    public const string ChainValidationFailed = "ChainValidationFailed";

    // ---- SSL inspection: forged server certificates, rotating issuing CA, root bundle ----
    /// <summary>An origin certificate is a CA (basicConstraints CA:TRUE), not a site's server certificate.</summary>
    public const string OriginIsCa = "OriginIsCa";
    /// <summary>The origin certificate has expired, so a forged copy would be expired too.</summary>
    public const string OriginExpired = "OriginExpired";
    /// <summary>No site name: no DNS/IP subjectAltName, no host-name CN, or an empty name list.</summary>
    public const string NoSiteNames = "NoSiteNames";
    /// <summary>A site name is not a DNS name a server certificate can carry, or there are too many.</summary>
    public const string InvalidSiteName = "InvalidSiteName";
    /// <summary>The chosen issuer is not a CA that may sign certificates (no CA:TRUE or no keyCertSign).</summary>
    public const string IssuerNotCa = "IssuerNotCa";
    /// <summary>The issuer's private key does not belong to its certificate.</summary>
    public const string IssuerKeyMismatch = "IssuerKeyMismatch";
    /// <summary>The issuer is expired or not yet valid.</summary>
    public const string IssuerNotValid = "IssuerNotValid";
    /// <summary>No issuer was named and the vault has no default (enabled, ready) SSL-inspection intermediate.</summary>
    public const string NoDefaultIntermediate = "NoDefaultIntermediate";
    /// <summary>A rotating issuing CA cannot be created: the issuer's path length is 0.</summary>
    public const string RotationNotAllowed = "RotationNotAllowed";
    /// <summary>The rotation period or maximum validity is out of range.</summary>
    public const string InvalidRotationPeriod = "InvalidRotationPeriod";
    /// <summary>The forged-certificate object carries no private key (it was returned without -IncludePrivateKey).</summary>
    public const string PrivateKeyNotIncluded = "PrivateKeyNotIncluded";
    /// <summary>A persisted inspection cache or rotating-CA file cannot be read or decrypted.</summary>
    public const string InspectionCacheCorrupt = "InspectionCacheCorrupt";
    /// <summary>No self-signed root was found for the root bundle.</summary>
    public const string RootNotFound = "RootNotFound";

    // ---- revocation and CRLs ----
    /// <summary>The text given as a serial number is not hexadecimal or is longer than 20 octets.</summary>
    public const string InvalidSerialNumber = "InvalidSerialNumber";
    /// <summary>The revocation reason is not one a certificate can be revoked with (e.g. RemoveFromCrl).</summary>
    public const string InvalidRevocationReason = "InvalidRevocationReason";
    /// <summary>The CA has no record of issuing the serial (revoke it anyway with -Force).</summary>
    public const string SerialNotIssued = "SerialNotIssued";
    /// <summary>The serial is already revoked with a permanent reason.</summary>
    public const string AlreadyRevoked = "AlreadyRevoked";
    /// <summary>The serial is not on certificateHold, so there is nothing to restore.</summary>
    public const string NotOnHold = "NotOnHold";
    /// <summary>A certificate given to the issued-certificate database was not issued by that CA.</summary>
    public const string NotIssuedByCa = "NotIssuedByCa";
    /// <summary>A server certificate of a rotating issuing CA ("(t)") was to be revoked, or the (t) CA to sign a CRL: its certificates carry no CDP, so revoke the (t) CA itself in its vault CA's CRL.</summary>
    public const string RotatingCaHasNoCrl = "RotatingCaHasNoCrl";
    /// <summary>The CA (an SSL-inspection intermediate) has no signed certificate yet.</summary>
    public const string IssuerNotReady = "IssuerNotReady";
    /// <summary>Neither a serial number nor a certificate was given to revoke.</summary>
    public const string RevocationTargetRequired = "RevocationTargetRequired";
    /// <summary>The issued-certificate database is damaged (not a SQLite database, or corrupt pages).</summary>
    public const string IssuedStoreCorrupt = "IssuedStoreCorrupt";
    /// <summary>The issued-certificate database cannot be opened or written.</summary>
    public const string IssuedStoreUnavailable = "IssuedStoreUnavailable";
    /// <summary>A delta CRL was asked for before any base CRL was published.</summary>
    public const string NoBaseCrl = "NoBaseCrl";
    /// <summary>Another process used the CRL number first (CRL numbers only increase); publish again.</summary>
    public const string CrlNumberConflict = "CrlNumberConflict";
    /// <summary>The CRL output folder cannot be created or written.</summary>
    public const string CrlFolderNotWritable = "CrlFolderNotWritable";
    /// <summary>The CRL validity (next update) is not after this update.</summary>
    public const string InvalidCrlValidity = "InvalidCrlValidity";
    /// <summary>Several vault CAs have the distinguished name given as issuer; the vault name must be given.</summary>
    public const string AmbiguousIssuer = "AmbiguousIssuer";
    /// <summary>An AIA caIssuers URL is not an absolute http, https, ldap or file URI.</summary>
    public const string InvalidAuthorityInfoAccess = "InvalidAuthorityInfoAccess";

    // ---- HSM (PKCS#11 tokens, Windows key storage providers) ----
    /// <summary>An HSM key reference that cannot be used: a PKCS#11 URI that is not RFC 7512 (token and object required, no PIN inside), both a PKCS#11 module and a key storage provider, or HSM parameters with Software protection.</summary>
    public const string InvalidKeyReference = "InvalidKeyReference";
    /// <summary>The PKCS#11 module (the HSM vendor's library) or the Windows key storage provider does not exist or cannot be loaded.</summary>
    public const string HsmModuleNotFound = "HsmModuleNotFound";
    /// <summary>The token (or key storage provider) refused the PIN (wrong or locked).</summary>
    public const string HsmPinIncorrect = "HsmPinIncorrect";
    /// <summary>No token with the given label is present.</summary>
    public const string HsmTokenNotFound = "HsmTokenNotFound";
    /// <summary>The token or key storage provider has no such private key (deleted or never created).</summary>
    public const string HsmKeyNotFound = "HsmKeyNotFound";
    /// <summary>Generating a key pair inside the token failed.</summary>
    public const string HsmKeyGenerationFailed = "HsmKeyGenerationFailed";
    /// <summary>An HSM-protected intermediate was asked for on a vault whose subscription is Software.</summary>
    public const string HsmNotSubscribed = "HsmNotSubscribed";
    /// <summary>A key in an HSM token needs its PIN and none was given.</summary>
    public const string PinRequired = "PinRequired";
    /// <summary>The private key lives in an HSM and cannot leave it (an export with the private key, or a copy into a software store).</summary>
    public const string HsmKeyNotExportable = "HsmKeyNotExportable";

    // ---- trust stores (Install-/Uninstall-RootCertificate, Get-/Test-RootCertificateTrust) ----
    /// <summary>A trust store could not be written (or restored); the error names the store and the fix, the other stores still install.</summary>
    public const string TrustStoreWriteFailed = "TrustStoreWriteFailed";
    /// <summary>-Store names a store this platform does not have.</summary>
    public const string TrustStoreNotFound = "TrustStoreNotFound";
    /// <summary>The trust journal (trust-journal.json in the ZscalerPki folder) cannot be read.</summary>
    public const string TrustJournalCorrupt = "TrustJournalCorrupt";
    /// <summary>A leaf (end-entity) certificate was given where a root CA to trust was expected.</summary>
    public const string LeafNotTrustAnchor = "LeafNotTrustAnchor";
    /// <summary>Test-RootCertificateTrust found none of the clients it runs.</summary>
    public const string TrustClientNotFound = "TrustClientNotFound";
    /// <summary>Test-RootCertificateTrust -ThroughMitmproxy found no mitmdump on PATH (mitmproxy is not installed).</summary>
    public const string MitmproxyNotFound = "MitmproxyNotFound";
    /// <summary>mitmdump exited or did not listen on its loopback port in time; the error carries what it printed.</summary>
    public const string MitmproxyFailed = "MitmproxyFailed";

    // ---- the Zscaler tenant (Connect-ZscalerTenant, Zia*/Zpa* cmdlets) ----
    /// <summary>No tenant session: Connect-ZscalerTenant was not run, or the session was disconnected.</summary>
    public const string TenantNotConnected = "TenantNotConnected";
    /// <summary>Connect-ZscalerTenant was given an incomplete or malformed sign-in (missing client id, bad customer id, cloud name).</summary>
    public const string TenantConnectionInvalid = "TenantConnectionInvalid";
    /// <summary>A -BaseUri/-TokenUri is not https://, or is http:// to a host that is not loopback.</summary>
    public const string TenantUriNotAllowed = "TenantUriNotAllowed";
    /// <summary>Zscaler refused the sign-in (token endpoint, authenticatedSession, /signin) or the credentials after a renewal.</summary>
    public const string TenantAuthenticationFailed = "TenantAuthenticationFailed";
    /// <summary>Zscaler refused a call with a 4xx; the message carries Zscaler's code and message.</summary>
    public const string TenantApiError = "TenantApiError";
    /// <summary>Zscaler's rate limit (429) asks for a longer wait than -MaxWait allows; the message says when to run again.</summary>
    public const string TenantRateLimited = "TenantRateLimited";
    /// <summary>The API could not be reached, timed out or kept answering 5xx/409 edit lock beyond the retries.</summary>
    public const string TenantUnavailable = "TenantUnavailable";
    /// <summary>The API answered with something that is not the JSON expected (wrong -BaseUri).</summary>
    public const string TenantInvalidResponse = "TenantInvalidResponse";
    /// <summary>No intermediate CA certificate or enrollment certificate with that name or id in the tenant.</summary>
    public const string TenantEntryNotFound = "TenantEntryNotFound";
    /// <summary>The default intermediate CA certificate cannot be removed; make another the default first.</summary>
    public const string TenantDefaultIntermediate = "TenantDefaultIntermediate";
    /// <summary>The entry's currentState does not allow the step (e.g. uploading before the CSR was generated).</summary>
    public const string TenantWorkflowState = "TenantWorkflowState";
}
