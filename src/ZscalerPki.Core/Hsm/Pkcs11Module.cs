using System.Security.Cryptography;
using System.Text;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace ZscalerPki.Core.Hsm;

/// <summary>
/// One PKCS#11 library loaded into this process (C_Initialize once; PKCS#11 allows one initialisation per process) and the
/// logged-in sessions our keys hold on its tokens. Opening, login bookkeeping and re-initialisation run under one lock;
/// each session is then used by one key only (see <see cref="Pkcs11Session"/>).
/// </summary>
internal sealed class Pkcs11Module
{
    /// <summary>Keys the PIN digests below; random per process so a digest means nothing outside it.</summary>
    private static readonly byte[] PinMacKey = RandomNumberGenerator.GetBytes(32);

    private readonly object _gate = new();

    /// <summary>Per slot: the digest of the PIN that logged the token in, and how many of our sessions keep it logged in.</summary>
    private readonly Dictionary<ulong, (byte[] PinMac, int Sessions)> _loggedIn = new();

    private IPkcs11Library? _library;
    private string _environmentAtInitialisation = string.Empty;
    private int _sessions;

    public Pkcs11Module(string path) => Path = path;

    public string Path { get; }

    public Pkcs11InteropFactories Factories { get; } = new();

    /// <summary>
    /// A read-write session on the token labelled <paramref name="token"/> (and with <paramref name="serial"/>, when given),
    /// logged in as its user with <paramref name="pin"/>.
    /// </summary>
    public Pkcs11Session Open(string token, string? serial, ReadOnlySpan<char> pin)
    {
        if (pin.IsEmpty)
            throw new PkiException(PkiErrorIds.PinRequired, PkiErrorCategory.InvalidArgument, $"Token '{token}' needs its user PIN (as a SecureString).", token);
        lock (_gate)
        {
            var slot = FindSlot(token, serial);
            if (slot is null && ReinitialiseIfEnvironmentChangedLocked())
                slot = FindSlot(token, serial);
            if (slot is null)
                throw Pkcs11Errors.TokenNotFound(Path, token, EnvironmentChangedLocked());
            ISession session;
            try
            {
                session = slot.OpenSession(SessionType.ReadWrite);
            }
            catch (Pkcs11Exception ex)
            {
                throw Pkcs11Errors.Login(ex, Path, token, e => new PkiException(PkiErrorIds.HsmTokenNotFound, PkiErrorCategory.OpenError,
                    $"Token '{token}' in '{Path}' refused a session ({e.RV}). Check that it is present and writable (not read-only, not out of sessions).", token, e));
            }
            try
            {
                Login(session, slot.SlotId, token, pin);
            }
            catch
            {
                session.Dispose();
                throw;
            }
            _sessions++;
            return new Pkcs11Session(this, session, slot.SlotId, token);
        }
    }

    /// <summary>
    /// Finalises and initialises the module again when .NET's environment changed since it was initialised and none of our
    /// sessions is open (C_Finalize would invalidate them): a module reads its configuration (SoftHSM: SOFTHSM2_CONF, its
    /// token folder) when it is initialised, so a token made visible by a changed environment appears only then.
    /// </summary>
    public bool ReinitialiseIfEnvironmentChanged()
    {
        lock (_gate)
            return ReinitialiseIfEnvironmentChangedLocked();
    }

    /// <summary>Closes a session of ours; the last one on a slot ends the login there (PKCS#11 logs the token out).</summary>
    internal void Release(Pkcs11Session session)
    {
        lock (_gate)
        {
            try
            {
                session.Session.Dispose();
            }
            catch (Pkcs11Exception)
            {
                // The session is already gone (token removed, module finalised): nothing is left to close.
            }
            _sessions--;
            if (_loggedIn.TryGetValue(session.SlotId, out var state))
            {
                if (state.Sessions <= 1)
                    _loggedIn.Remove(session.SlotId);
                else
                    _loggedIn[session.SlotId] = (state.PinMac, state.Sessions - 1);
            }
        }
    }

    private void Login(ISession session, ulong slotId, string token, ReadOnlySpan<char> pin)
    {
        var pinBytes = new byte[Encoding.UTF8.GetByteCount(pin)];
        Encoding.UTF8.GetBytes(pin, pinBytes);
        var mac = HMACSHA256.HashData(PinMacKey, pinBytes);
        try
        {
            try
            {
                session.Login(CKU.CKU_USER, pinBytes);
            }
            catch (Pkcs11Exception ex) when (ex.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
            {
                // Login state is per process and token: while a key of ours is open the token stays logged in and accepts
                // any PIN without checking it. So the PIN must match the one that logged it in (if an administrator changed
                // the PIN meanwhile, the new one is accepted once the open keys are closed).
                if (_loggedIn.TryGetValue(slotId, out var known))
                {
                    if (!CryptographicOperations.FixedTimeEquals(known.PinMac, mac))
                        throw Pkcs11Errors.PinIncorrect(token);
                }
                else
                {
                    session.Logout(); // logged in by someone else in this process: make the token check this PIN
                    session.Login(CKU.CKU_USER, pinBytes);
                }
            }
        }
        catch (Pkcs11Exception ex)
        {
            throw Pkcs11Errors.Login(ex, Path, token, e => new PkiException(PkiErrorIds.HsmPinIncorrect, PkiErrorCategory.AuthenticationError,
                $"Cannot log in to token '{token}' in '{Path}': {e.RV}. Check the token with your HSM's tools.", token, e));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pinBytes);
        }
        _loggedIn[slotId] = (mac, (_loggedIn.TryGetValue(slotId, out var state) ? state.Sessions : 0) + 1);
    }

    private ISlot? FindSlot(string token, string? serial)
    {
        try
        {
            foreach (var slot in Library().GetSlotList(SlotsType.WithTokenPresent))
            {
                var info = slot.GetTokenInfo();
                if (info.Label.Trim() == token && (string.IsNullOrEmpty(serial) || info.SerialNumber.Trim() == serial))
                    return slot;
            }
            return null;
        }
        catch (Pkcs11Exception ex)
        {
            throw Pkcs11Errors.ModuleNotFound(Path, $"cannot list its tokens ({ex.RV})", ex);
        }
    }

    private IPkcs11Library Library()
    {
        if (_library is not null)
            return _library;
        if (!File.Exists(Path))
            throw Pkcs11Errors.ModuleNotFound(Path, "does not exist");
        ProcessEnvironment.CopyToNative(); // the module reads libc's environment (getenv); .NET's $env: view must be there
        _environmentAtInitialisation = ProcessEnvironment.Fingerprint();
        try
        {
            // Multi-threaded: C_Initialize with CKF_OS_LOCKING_OK, as signing may happen on several threads (one session each).
            _library = Factories.Pkcs11LibraryFactory.LoadPkcs11Library(Factories, Path, AppType.MultiThreaded);
        }
        catch (Exception ex) when (ex is UnmanagedException or Pkcs11Exception or DllNotFoundException or BadImageFormatException or EntryPointNotFoundException)
        {
            throw Pkcs11Errors.ModuleNotFound(Path, $"cannot be loaded as a PKCS#11 library ({ex.Message})", ex);
        }
        return _library;
    }

    private bool EnvironmentChangedLocked() => _library is not null && ProcessEnvironment.Fingerprint() != _environmentAtInitialisation;

    private bool ReinitialiseIfEnvironmentChangedLocked()
    {
        if (_sessions > 0 || !EnvironmentChangedLocked())
            return false;
        try
        {
            _library!.Dispose(); // C_Finalize
        }
        catch (Pkcs11Exception)
        {
            // Already finalised by the module itself; loading it again initialises it.
        }
        _library = null;
        _loggedIn.Clear();
        Library();
        return true;
    }
}

/// <summary>
/// A logged-in session of ours on one token. A PKCS#11 session is not thread-safe, so whoever uses it takes
/// <see cref="Gate"/>; disposing closes it (and ends the login when it was the token's last session of ours).
/// </summary>
internal sealed class Pkcs11Session : IDisposable
{
    private readonly Pkcs11Module _module;
    private int _disposed;

    public Pkcs11Session(Pkcs11Module module, ISession session, ulong slotId, string token)
    {
        _module = module;
        Session = session;
        SlotId = slotId;
        Token = token;
    }

    public object Gate { get; } = new();

    public ISession Session { get; }

    public ulong SlotId { get; }

    public string Token { get; }

    public Pkcs11InteropFactories Factories => _module.Factories;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        lock (Gate)
            _module.Release(this);
    }
}
