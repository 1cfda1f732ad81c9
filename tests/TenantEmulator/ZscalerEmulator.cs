// A contract emulator of the Zscaler APIs ZscalerPki drives: the ZIdentity token endpoint, ZIA (OneAPI /zia/api/v1 and
// legacy /api/v1 with authenticatedSession) and ZPA (OneAPI /zpa/mgmtconfig and legacy /mgmtconfig with /signin), as a
// loopback HTTP server (HttpListener). Compiled into the xunit tests and by Add-Type in the Pester suite.
//
// The wire format follows Zscaler's own SDKs and recordings, not a reading of the docs; each fixture cites its source:
//   [GO-ZIA]   zscaler/zscaler-sdk-go zia/services/intermediatecacertificates/intermediatecacertificates.go
//   [GO-ZPA]   zscaler/zscaler-sdk-go zpa/services/enrollmentcert/zpa_enrollmentcert.go, zpa/services/common (pagination)
//   [PY-ZIA]   zscaler/zscaler-sdk-python zscaler/zia/intermediate_certificates.py, zscaler/zia/activate.py
//   [PY-ZPA]   zscaler/zscaler-sdk-python zscaler/zpa/enrollment_certificates.py, zscaler/zpa/models/enrollment_certificates.py
//   [PY-AUTH]  zscaler/zscaler-sdk-python zscaler/oneapi_oauth_client.py (token form, audience, private-key JWT)
//   [PY-LEG]   zscaler/zscaler-sdk-python zscaler/zia/legacy.py + zscaler/utils.py obfuscate_api_key; zscaler/zpa/legacy.py
//   [PY-RATE]  zscaler/zscaler-sdk-python zscaler/request_executor.py (429 Retry-After / x-ratelimit-reset, 409 EDIT_LOCK_NOT_AVAILABLE)
//   [CAS-ZIA]  zscaler/zscaler-sdk-python tests/integration/zia/cassettes/TestIntermediateCertificates.yaml
//   [CAS-ACT]  zscaler/zscaler-sdk-python tests/integration/zia/cassettes/TestActivate.yaml
//   [CAS-ZPA]  zscaler/zscaler-sdk-python tests/integration/zpa/cassettes/TestEnrolmentCertificate.yaml
//   [READING]  not shown by the SDKs or recordings: our reading of the documented workflow (state names are the SDKs'), to
//              be checked against a live tenant.
#nullable disable
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;

namespace ZscalerPki.Emulator
{
    /// <summary>One request the emulator received (method, path with query, body as text), for assertions.</summary>
    public sealed class EmulatorRequest
    {
        public string Method { get; set; } = "";
        public string Path { get; set; } = "";
        public string Body { get; set; } = "";
        public string Authorization { get; set; } = "";
        public int Status { get; set; }
        public override string ToString() { return Method + " " + Path + " -> " + Status; }
    }

    /// <summary>An answer to give once to the next request whose "METHOD path" contains a text (429, 409, 503).</summary>
    internal sealed class Fault
    {
        public string Match = "";
        public int Status;
        public string Body = "";
        public int RetryAfter = -1;
        public int RateReset = -1;
        public int Times = 1;
    }

    public sealed partial class ZscalerEmulator : IDisposable
    {
        private readonly HttpListener _listener = new HttpListener();
        private readonly Thread _thread;
        private readonly object _gate = new object();
        private readonly List<Fault> _faults = new List<Fault>();
        private readonly Dictionary<string, DateTimeOffset> _tokens = new Dictionary<string, DateTimeOffset>();
        private readonly Dictionary<string, DateTimeOffset> _sessions = new Dictionary<string, DateTimeOffset>();
        private volatile bool _stopping;

        // ---- credentials the emulator accepts
        public string ClientId { get; set; } = "emulator-client";
        public string ClientSecret { get; set; } = "s3cr3t-Client-Secret-0001";
        /// <summary>The public key of the OneAPI client's certificate (private-key JWT); null: only the secret.</summary>
        public RSA ClientPublicKey { get; set; }
        public int TokenLifetimeSeconds { get; set; } = 3600;
        public string ZiaApiKey { get; set; } = "AbCdEfGhIjKlMnOp";
        public string ZiaUsername { get; set; } = "admin@contoso.example";
        public string ZiaPassword { get; set; } = "Zia-Passw0rd-Emulated";
        public int ZiaSessionIdleSeconds { get; set; } = 300;
        public string ZpaClientId { get; set; } = "zpa-client";
        public string ZpaClientSecret { get; set; } = "zpa-S3cret-Emulated";
        /// <summary>ZPA customer id, as in [CAS-ZPA].</summary>
        public string CustomerId { get; set; } = "216196257331281920";
        /// <summary>The largest page the ZPA list returns (the API's max is 500 [PY-ZPA]; small here to exercise paging).</summary>
        public int ZpaMaxPageSize { get; set; } = 500;

        public List<EmulatorRequest> Requests { get; } = new List<EmulatorRequest>();
        public int TokensIssued { get; private set; }
        public int ZiaLogins { get; private set; }
        public Uri BaseUri { get; private set; }

        public ZscalerEmulator()
        {
            int port;
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            BaseUri = new Uri("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + "/");
            _listener.Prefixes.Add(BaseUri.ToString());
            SeedZia();
            SeedZpa();
            _listener.Start();
            _thread = new Thread(Loop) { IsBackground = true, Name = "ZscalerEmulator" };
            _thread.Start();
        }

        /// <summary>Answers the next <paramref name="times"/> requests matching "METHOD path" with 429 and Retry-After [PY-RATE].</summary>
        public void RateLimitNext(string match, int retryAfterSeconds, int times = 1, bool useResetHeader = false)
        {
            lock (_gate) _faults.Add(new Fault { Match = match, Status = 429, Times = times,
                RetryAfter = useResetHeader ? -1 : retryAfterSeconds, RateReset = useResetHeader ? retryAfterSeconds : -1,
                Body = "{\"code\":\"RATE_LIMIT_EXCEEDED\",\"message\":\"Rate Limit (1/SECOND) exceeded\"}" });
        }

        /// <summary>Answers the next matching requests with ZIA's 409 EDIT_LOCK_NOT_AVAILABLE [PY-RATE].</summary>
        public void EditLockNext(string match, int times = 1)
        {
            lock (_gate) _faults.Add(new Fault { Match = match, Status = 409, Times = times,
                Body = "{\"code\":\"EDIT_LOCK_NOT_AVAILABLE\",\"message\":\"Failed during enter Org barrier\"}" });
        }

        /// <summary>Answers the next matching requests with 503.</summary>
        public void UnavailableNext(string match, int times = 1)
        {
            lock (_gate) _faults.Add(new Fault { Match = match, Status = 503, Times = times, Body = "" });
        }

        /// <summary>Expires every token and session now (the server-side expiry a client meets after its token's life).</summary>
        public void ExpireCredentials()
        {
            lock (_gate) { _tokens.Clear(); _sessions.Clear(); }
        }

        public int Count(string match)
        {
            lock (_gate) return Requests.Count(r => (r.Method + " " + r.Path).Contains(match));
        }

        public EmulatorRequest[] Snapshot()
        {
            lock (_gate) return Requests.ToArray();
        }

        public void Dispose()
        {
            _stopping = true;
            try { _listener.Stop(); _listener.Close(); } catch (Exception) { }
        }

        private void Loop()
        {
            while (!_stopping)
            {
                HttpListenerContext context;
                try { context = _listener.GetContext(); }
                catch (Exception) { return; }
                try { Handle(context); }
                catch (Exception ex)
                {
                    try { Reply(context, 500, "{\"code\":\"INTERNAL\",\"message\":\"" + JsonEncodedText.Encode(ex.Message) + "\"}", null); }
                    catch (Exception) { }
                }
            }
        }

        private sealed class Call
        {
            public HttpListenerContext Context;
            public string Method;
            public string Path;
            public string Query;
            public byte[] Body;
            public string Text { get { return Encoding.UTF8.GetString(Body); } }
            public EmulatorRequest Record;
            public string Param(string name)
            {
                foreach (var part in (Query ?? "").TrimStart('?').Split('&'))
                {
                    var kv = part.Split(new[] { '=' }, 2);
                    if (kv.Length == 2 && Uri.UnescapeDataString(kv[0]) == name) return Uri.UnescapeDataString(kv[1].Replace("+", "%2B"));
                }
                return null;
            }
        }

        private void Handle(HttpListenerContext context)
        {
            var request = context.Request;
            byte[] body;
            using (var ms = new MemoryStream()) { request.InputStream.CopyTo(ms); body = ms.ToArray(); }
            var call = new Call
            {
                Context = context, Method = request.HttpMethod, Path = request.Url.AbsolutePath, Query = request.Url.Query, Body = body,
                Record = new EmulatorRequest { Method = request.HttpMethod, Path = request.Url.PathAndQuery, Body = Encoding.UTF8.GetString(body), Authorization = request.Headers["Authorization"] ?? request.Headers["Cookie"] ?? "" },
            };
            lock (_gate)
            {
                Requests.Add(call.Record);
                var fault = _faults.FirstOrDefault(f => (call.Method + " " + call.Path).Contains(f.Match));
                if (fault != null)
                {
                    if (--fault.Times <= 0) _faults.Remove(fault);
                    if (fault.RetryAfter >= 0) context.Response.AddHeader("Retry-After", fault.RetryAfter.ToString(CultureInfo.InvariantCulture));
                    if (fault.RateReset >= 0) context.Response.AddHeader("x-ratelimit-reset", fault.RateReset.ToString(CultureInfo.InvariantCulture));
                    Reply(call, fault.Status, fault.Body);
                    return;
                }
                Route(call);
            }
        }

        private void Route(Call c)
        {
            var p = c.Path;
            if (p == "/oauth2/v1/token") { Token(c); return; }
            if (p == "/signin") { ZpaSignin(c); return; }
            if (p == "/api/v1/authenticatedSession") { ZiaSession(c); return; }
            if (p.StartsWith("/zia/api/v1/", StringComparison.Ordinal))
            {
                if (!Bearer(c)) return;
                Zia(c, p.Substring("/zia/api/v1".Length));
                return;
            }
            if (p.StartsWith("/api/v1/", StringComparison.Ordinal))
            {
                if (!Cookie(c)) return;
                Zia(c, p.Substring("/api/v1".Length));
                return;
            }
            if (p.StartsWith("/zpa/mgmtconfig/", StringComparison.Ordinal) || p.StartsWith("/mgmtconfig/", StringComparison.Ordinal))
            {
                if (!Bearer(c)) return;
                Zpa(c, p.StartsWith("/zpa", StringComparison.Ordinal) ? p.Substring(4) : p);
                return;
            }
            Reply(c, 404, "{\"code\":\"RESOURCE_NOT_FOUND\",\"message\":\"Resource not found\"}");
        }

        // ---------------------------------------------------------------- authentication

        private static Dictionary<string, string> Form(Call c)
        {
            var form = new Dictionary<string, string>();
            foreach (var part in c.Text.Split('&'))
            {
                var kv = part.Split(new[] { '=' }, 2);
                if (kv.Length == 2) form[WebUtility.UrlDecode(kv[0])] = WebUtility.UrlDecode(kv[1]);
            }
            return form;
        }

        // [PY-AUTH]: form grant_type=client_credentials, client_id, client_secret | client_assertion (+ _type), audience
        // https://api.zscaler.com; answer {"access_token","token_type":"Bearer","expires_in"} as recorded in [CAS-ACT].
        private void Token(Call c)
        {
            var form = Form(c);
            string v;
            if (c.Method != "POST" || !form.TryGetValue("grant_type", out v) || v != "client_credentials")
            { Reply(c, 400, "{\"error\":\"unsupported_grant_type\"}"); return; }
            if (!form.TryGetValue("audience", out v) || v != "https://api.zscaler.com")
            { Reply(c, 400, "{\"error\":\"invalid_request\",\"error_description\":\"audience\"}"); return; }
            string id, secret, assertion;
            form.TryGetValue("client_id", out id);
            var ok = id == ClientId && ((form.TryGetValue("client_secret", out secret) && secret == ClientSecret)
                || (form.TryGetValue("client_assertion", out assertion)
                    && form.TryGetValue("client_assertion_type", out v) && v == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
                    && VerifyAssertion(assertion)));
            if (!ok) { Reply(c, 401, "{\"error\":\"invalid_client\",\"error_description\":\"Client authentication failed\"}"); return; }
            var token = "tok-" + Guid.NewGuid().ToString("N");
            _tokens[token] = DateTimeOffset.UtcNow.AddSeconds(TokenLifetimeSeconds);
            TokensIssued++;
            Reply(c, 200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":" + TokenLifetimeSeconds.ToString(CultureInfo.InvariantCulture) + "}");
        }

        // RS256 JWT with iss = sub = client id, aud https://api.zscaler.com, exp in the future [PY-AUTH].
        private bool VerifyAssertion(string jwt)
        {
            if (ClientPublicKey == null) return false;
            var parts = jwt.Split('.');
            if (parts.Length != 3) return false;
            var header = JsonNode.Parse(B64(parts[0]));
            var payload = JsonNode.Parse(B64(parts[1])) as JsonObject;
            if ((string)header["alg"] != "RS256" || payload == null) return false;
            if (!ClientPublicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), B64(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)) return false;
            return (string)payload["iss"] == ClientId && (string)payload["sub"] == ClientId && (string)payload["aud"] == "https://api.zscaler.com"
                && (long)payload["exp"] > DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        }

        private static byte[] B64(string s)
        {
            s = s.Replace('-', '+').Replace('_', '/');
            return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
        }

        private bool Bearer(Call c)
        {
            var auth = c.Context.Request.Headers["Authorization"] ?? "";
            DateTimeOffset expires;
            if (auth.StartsWith("Bearer ", StringComparison.Ordinal) && _tokens.TryGetValue(auth.Substring(7), out expires) && expires > DateTimeOffset.UtcNow)
                return true;
            Reply(c, 401, "{\"code\":\"UNAUTHORIZED\",\"message\":\"Token is expired or invalid\"}");
            return false;
        }

        // Legacy ZIA [PY-LEG]: POST /api/v1/authenticatedSession {apiKey (obfuscated with timestamp), username, password,
        // timestamp}; Set-Cookie JSESSIONID; the session ends after its idle time (401 then).
        private void ZiaSession(Call c)
        {
            if (c.Method == "DELETE")
            {
                var id = SessionId(c);
                if (id != null) _sessions.Remove(id);
                Reply(c, 200, "{\"status\":\"ACTIVE\"}");
                return;
            }
            var o = JsonNode.Parse(c.Text) as JsonObject;
            var ts = o == null ? 0 : (long)o["timestamp"];
            var expected = Obfuscate(ZiaApiKey, ts);
            if (o == null || (string)o["apiKey"] != expected || (string)o["username"] != ZiaUsername || (string)o["password"] != ZiaPassword
                || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - ts) > 600000)
            { Reply(c, 401, "{\"code\":\"AUTHENTICATION_FAILED\",\"message\":\"Invalid username, password or API key\"}"); return; }
            var session = Guid.NewGuid().ToString("N").ToUpperInvariant();
            _sessions[session] = DateTimeOffset.UtcNow;
            ZiaLogins++;
            c.Context.Response.AppendHeader("Set-Cookie", "JSESSIONID=" + session + "; Path=/; Secure; HttpOnly");
            Reply(c, 200, "{\"authType\":\"ADMIN_LOGIN\",\"obfuscateApiKey\":false,\"passwordExpiryTime\":0,\"passwordExpiryDays\":0}");
        }

        /// <summary>zscaler/utils.py obfuscate_api_key, written independently of the module's version.</summary>
        public static string Obfuscate(string key, long timestampMs)
        {
            var now = timestampMs.ToString(CultureInfo.InvariantCulture);
            var n = now.Substring(now.Length - 6);
            var r = (int.Parse(n, CultureInfo.InvariantCulture) >> 1).ToString(CultureInfo.InvariantCulture).PadLeft(6, '0');
            var sb = new StringBuilder();
            for (var i = 0; i < n.Length; i++) sb.Append(key[n[i] - '0']);
            for (var j = 0; j < r.Length; j++) sb.Append(key[r[j] - '0' + 2]);
            return sb.ToString();
        }

        private static string SessionId(Call c)
        {
            var cookie = c.Context.Request.Headers["Cookie"] ?? "";
            var at = cookie.IndexOf("JSESSIONID=", StringComparison.Ordinal);
            if (at < 0) return null;
            var end = cookie.IndexOf(';', at);
            return end < 0 ? cookie.Substring(at + 11) : cookie.Substring(at + 11, end - at - 11);
        }

        private bool Cookie(Call c)
        {
            var id = SessionId(c);
            DateTimeOffset last;
            if (id != null && _sessions.TryGetValue(id, out last) && DateTimeOffset.UtcNow - last < TimeSpan.FromSeconds(ZiaSessionIdleSeconds))
            {
                _sessions[id] = DateTimeOffset.UtcNow;
                return true;
            }
            Reply(c, 401, "{\"code\":\"AUTHENTICATION_FAILED\",\"message\":\"Session expired\"}");
            return false;
        }

        // Legacy ZPA [PY-LEG]: form client_id/client_secret to /signin; {"token_type":"Bearer","access_token","expires_in"}.
        private void ZpaSignin(Call c)
        {
            var form = Form(c);
            string id, secret;
            if (!form.TryGetValue("client_id", out id) || !form.TryGetValue("client_secret", out secret) || id != ZpaClientId || secret != ZpaClientSecret)
            { Reply(c, 401, "{\"id\":\"authentication.failed\",\"reason\":\"Invalid client credentials\"}"); return; }
            var token = "zpa-" + Guid.NewGuid().ToString("N");
            _tokens[token] = DateTimeOffset.UtcNow.AddSeconds(TokenLifetimeSeconds);
            TokensIssued++;
            Reply(c, 200, "{\"token_type\":\"Bearer\",\"access_token\":\"" + token + "\",\"expires_in\":\"" + TokenLifetimeSeconds.ToString(CultureInfo.InvariantCulture) + "\"}");
        }

        // ---------------------------------------------------------------- replies

        private void Reply(Call c, int status, string json) { Reply(c.Context, status, json, c.Record); }

        private void Reply(HttpListenerContext context, int status, string json, EmulatorRequest record)
        {
            if (record != null) record.Status = status;
            var response = context.Response;
            response.StatusCode = status;
            // Rate headers on every answer, as recorded in [CAS-ZIA] and [CAS-ZPA].
            response.AddHeader("x-ratelimit-limit", "5000, 5000;w=60");
            response.AddHeader("x-ratelimit-remaining", "4990");
            if (response.Headers["x-ratelimit-reset"] == null) response.AddHeader("x-ratelimit-reset", "40");
            var bytes = Encoding.UTF8.GetBytes(json ?? "");
            if (bytes.Length > 0) response.ContentType = "application/json";
            response.ContentLength64 = bytes.Length;
            if (bytes.Length > 0) response.OutputStream.Write(bytes, 0, bytes.Length);
            response.OutputStream.Close();
        }

        private void ReplyFile(Call c, string fileName, string text)
        {
            // Files as [CAS-ZIA] downloadPublicKey: application/octet-stream with a content-disposition file name.
            c.Record.Status = 200;
            var response = c.Context.Response;
            response.StatusCode = 200;
            response.ContentType = "application/octet-stream";
            response.AddHeader("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
            var bytes = Encoding.ASCII.GetBytes(text);
            response.ContentLength64 = bytes.Length;
            response.OutputStream.Write(bytes, 0, bytes.Length);
            response.OutputStream.Close();
        }

        // RSA keys are the slow part of the emulator: a process keeps a pool of 8 and hands out copies round-robin, so
        // a test's fresh emulator costs no key generation after the first.
        private static readonly object KeyLock = new object();
        private static readonly List<byte[]> KeyPool = new List<byte[]>();
        private static int _keyIndex;

        internal static RSA NewKey()
        {
            byte[] pkcs8;
            lock (KeyLock)
            {
                if (KeyPool.Count < 8) { using (var fresh = RSA.Create(2048)) KeyPool.Add(fresh.ExportPkcs8PrivateKey()); pkcs8 = KeyPool[KeyPool.Count - 1]; }
                else pkcs8 = KeyPool[_keyIndex++ % KeyPool.Count];
            }
            var key = RSA.Create();
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            return key;
        }

        private static string Pem(string label, byte[] der)
        {
            return new string(PemEncoding.Write(label, der)) + "\n";
        }
    }
}
