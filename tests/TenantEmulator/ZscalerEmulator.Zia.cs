// ZIA intermediate CA certificates and activation of the contract emulator (see ZscalerEmulator.cs for the sources).
#nullable disable
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace ZscalerPki.Emulator
{
    /// <summary>An entry of /intermediateCaCertificate with the key Zscaler keeps.</summary>
    public sealed class ZiaEntry
    {
        public long Id;
        public string Name = "";
        public string Description;
        public string Type = "CUSTOM_SW";
        public string Region = "GLOBAL";
        public string Status = "ENABLED";
        public bool Default;
        public string State = "GENERAL_DONE";
        public RSA Key;
        public string PublicKeyPem;
        public long KeyGenerationTime;
        public JsonObject CsrFields;
        public string CsrPem;
        public long CsrGenerationTime;
        public string CertificatePem;
        public string ChainPem;
        public long CertStart;
        public long CertExp;
        /// <summary>True when the uploaded certificate does not carry the entry's key: Zscaler silently keeps using the previous one.</summary>
        public bool UploadIgnored;
    }

    public sealed partial class ZscalerEmulator
    {
        private const string NotForRoot = "{\"code\":\"INVALID_INPUT_ARGUMENT\",\"message\":\"This operation is not applicable for the Zscaler root certificate\"}";
        private readonly Dictionary<long, ZiaEntry> _zia = new Dictionary<long, ZiaEntry>();
        private long _nextZia = 6978; // the first custom id recorded in [CAS-ZIA]

        /// <summary>ZIA's configuration status: ACTIVE, or PENDING after a change until /status/activate [CAS-ACT].</summary>
        public string ActivationStatus { get; set; } = "ACTIVE";
        public int Activations { get; private set; }

        public ZiaEntry ZiaByName(string name) { lock (_gate) return _zia.Values.FirstOrDefault(e => e.Name == name); }

        private void SeedZia()
        {
            // Zscaler's own intermediate, id 1, as recorded in [CAS-ZIA]: type ZSCALER, GLOBAL, ENABLED, default, CERT_READY.
            var key = NewKey();
            _zia[1] = new ZiaEntry
            {
                Id = 1, Name = "Zscaler Intermediate CA Certificate", Description = "Zscaler Intermediate CA Certificate", Type = "ZSCALER",
                Default = true, State = "CERT_READY", Key = key, PublicKeyPem = Pem("PUBLIC KEY", key.ExportSubjectPublicKeyInfo()),
                CertStart = 1738514320, CertExp = 2601650320,
            };
        }

        private JsonObject ToJson(ZiaEntry e, bool lite)
        {
            // Field names and order of [CAS-ZIA] (GET /intermediateCaCertificate); /lite drops publicKey and the times.
            var o = new JsonObject
            {
                ["id"] = e.Id, ["name"] = e.Name, ["type"] = e.Type, ["region"] = e.Region, ["status"] = e.Status,
                ["defaultCertificate"] = e.Default, ["keyType"] = "RSA_2K", ["fallbackCertId"] = 0,
                ["certStartDate"] = e.CertStart, ["certExpDate"] = e.CertExp, ["description"] = e.Description ?? e.Name,
                ["currentState"] = e.State,
            };
            if (!lite && e.PublicKeyPem != null) o["publicKey"] = e.PublicKeyPem;
            if (!lite && e.KeyGenerationTime > 0) o["keyGenerationTime"] = e.KeyGenerationTime;
            if (!lite && e.CsrGenerationTime > 0) { o["csrFileName"] = (string)e.CsrFields["csrFileName"]; o["csrGenerationTime"] = e.CsrGenerationTime; }
            return o;
        }

        private static long Now() { return DateTimeOffset.UtcNow.ToUnixTimeSeconds(); }

        private void Zia(Call c, string path)
        {
            if (path == "/status" && c.Method == "GET") { Reply(c, 200, "{\"status\":\"" + ActivationStatus + "\"}"); return; }
            if (path == "/status/activate" && c.Method == "POST") { ActivationStatus = "ACTIVE"; Activations++; Reply(c, 200, "{\"status\":\"ACTIVE\"}"); return; }
            const string b = "/intermediateCaCertificate";
            if (!path.StartsWith(b, StringComparison.Ordinal)) { Reply(c, 404, "{\"code\":\"RESOURCE_NOT_FOUND\",\"message\":\"Resource not found\"}"); return; }
            var rest = path.Substring(b.Length).Trim('/');
            var parts = rest.Length == 0 ? new string[0] : rest.Split('/');

            if (parts.Length == 0 && c.Method == "GET")
            {
                var search = c.Param("search");
                var list = new JsonArray();
                foreach (var e in _zia.Values.Where(x => search == null || x.Name.IndexOf(search, StringComparison.OrdinalIgnoreCase) >= 0)) list.Add(ToJson(e, false));
                Reply(c, 200, list.ToJsonString());
                return;
            }
            if (parts.Length == 0 && c.Method == "POST") { ZiaCreate(c); return; }
            if (parts.Length == 1 && parts[0] == "readyToUse" && c.Method == "GET")
            {
                // [CAS-ZIA]: [{"id":1,"name":"…","defaultCertificate":true}]
                var list = new JsonArray();
                foreach (var e in _zia.Values.Where(x => x.State == "CERT_READY" && x.Status == "ENABLED"))
                    list.Add(new JsonObject { ["id"] = e.Id, ["name"] = e.Name, ["defaultCertificate"] = e.Default });
                Reply(c, 200, list.ToJsonString());
                return;
            }
            if (parts.Length == 1 && parts[0] == "lite" && c.Method == "GET")
            {
                var list = new JsonArray();
                foreach (var e in _zia.Values) list.Add(ToJson(e, true));
                Reply(c, 200, list.ToJsonString());
                return;
            }
            long id;
            var idText = parts.Length == 0 ? "" : parts[parts.Length - 1];
            if (!long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out id)) { Reply(c, 400, "{\"code\":\"INVALID_INPUT_ARGUMENT\",\"message\":\"Invalid id\"}"); return; }
            ZiaEntry entry;
            if (!_zia.TryGetValue(id, out entry)) { Reply(c, 404, "{\"code\":\"RESOURCE_NOT_FOUND\",\"message\":\"Resource not found\"}"); return; }
            var op = parts.Length == 1 ? "" : parts[0];
            var root = entry.Type == "ZSCALER";
            switch (op + " " + c.Method)
            {
                case " GET": Reply(c, 200, ToJson(entry, false).ToJsonString()); return;
                case "lite GET": Reply(c, 200, ToJson(entry, true).ToJsonString()); return;
                case " PUT":
                {
                    if (root) { Reply(c, 403, NotForRoot); return; }
                    var o = JsonNode.Parse(c.Text) as JsonObject;
                    if (o == null || o["name"] == null) { Reply(c, 400, "{\"code\":\"INVALID_INPUT_ARGUMENT\",\"message\":\"Name is required.\"}"); return; }
                    entry.Name = (string)o["name"];
                    entry.Description = (string)o["description"];
                    entry.Status = (string)o["status"] ?? entry.Status;
                    ActivationStatus = "PENDING";
                    Reply(c, 200, ToJson(entry, false).ToJsonString());
                    return;
                }
                case " DELETE":
                    if (root) { Reply(c, 403, NotForRoot); return; }
                    // [READING]: the message of deleting the default.
                    if (entry.Default) { Reply(c, 400, "{\"code\":\"INVALID_INPUT_ARGUMENT\",\"message\":\"Default certificate cannot be deleted\"}"); return; }
                    _zia.Remove(id);
                    ActivationStatus = "PENDING";
                    Reply(c, 204, "");
                    return;
                // [READING]: a software key pair shows its public key at once (PUBKEY_DONE, as the CUSTOM_SW entry of
                // [CAS-ZIA]); an HSM key pair needs downloadPublicKey, downloadAttestation and verifyKeyAttestation.
                case "keyPair POST":
                    if (root) { Reply(c, 403, NotForRoot); return; }
                    if (entry.State != "GENERAL_DONE") { Reply(c, 400, StateError(entry)); return; }
                    entry.Key = NewKey();
                    entry.KeyGenerationTime = Now();
                    if (entry.Type == "CUSTOM_HSM") entry.State = "KEYGEN_DONE";
                    else { entry.State = "PUBKEY_DONE"; entry.PublicKeyPem = Pem("PUBLIC KEY", entry.Key.ExportSubjectPublicKeyInfo()); }
                    Reply(c, 200, ToJson(entry, false).ToJsonString());
                    return;
                case "downloadPublicKey GET":
                    if (entry.Key == null) { Reply(c, 400, StateError(entry)); return; }
                    if (entry.State == "KEYGEN_DONE") { entry.State = "PUBKEY_DONE"; entry.PublicKeyPem = Pem("PUBLIC KEY", entry.Key.ExportSubjectPublicKeyInfo()); }
                    ReplyFile(c, entry.Name + "-PublicKey.pem", entry.PublicKeyPem ?? Pem("PUBLIC KEY", entry.Key.ExportSubjectPublicKeyInfo()));
                    return;
                case "downloadAttestation GET":
                    if (root) { Reply(c, 403, NotForRoot); return; }
                    if (entry.Type != "CUSTOM_HSM" || entry.State != "PUBKEY_DONE") { Reply(c, 400, StateError(entry)); return; }
                    entry.State = "ATTESTATION_DONE";
                    ReplyFile(c, entry.Name + "-Attestation.zip", "attestation of " + entry.Name);
                    return;
                case "verifyKeyAttestation POST":
                    if (root) { Reply(c, 403, NotForRoot); return; }
                    if (entry.State != "ATTESTATION_DONE") { Reply(c, 400, StateError(entry)); return; }
                    entry.State = "ATTESTATION_VERIFY_DONE";
                    Reply(c, 200, ToJson(entry, false).ToJsonString());
                    return;
                case "generateCsr POST": ZiaGenerateCsr(c, entry); return;
                case "downloadCsr GET":
                    if (root) { Reply(c, 403, NotForRoot); return; }
                    if (entry.CsrPem == null) { Reply(c, 400, StateError(entry)); return; }
                    ReplyFile(c, (string)entry.CsrFields["csrFileName"] + ".csr", entry.CsrPem);
                    return;
                case "showCsr GET":
                    if (root) { Reply(c, 403, NotForRoot); return; }
                    if (entry.CsrFields == null) { Reply(c, 400, StateError(entry)); return; }
                    Reply(c, 200, entry.CsrFields.ToJsonString());
                    return;
                case "showCert GET":
                    if (root) { Reply(c, 403, NotForRoot); return; }
                    if (entry.CertificatePem == null) { Reply(c, 400, StateError(entry)); return; }
                    Reply(c, 200, entry.CsrFields.ToJsonString());
                    return;
                case "uploadCert POST": ZiaUpload(c, entry, false); return;
                case "uploadCertChain POST": ZiaUpload(c, entry, true); return;
                case "finalizeCert POST":
                    if (root) { Reply(c, 403, NotForRoot); return; }
                    if (entry.State != "INTCERT_UPLOAD_DONE" && entry.State != "CERTCHAIN_UPLOAD_DONE") { Reply(c, 400, StateError(entry)); return; }
                    entry.State = "CERT_READY";
                    ActivationStatus = "PENDING";
                    Reply(c, 200, ToJson(entry, false).ToJsonString());
                    return;
                case "makeDefault PUT":
                    if (entry.State != "CERT_READY" || entry.Status != "ENABLED") { Reply(c, 400, StateError(entry)); return; }
                    foreach (var other in _zia.Values) other.Default = false;
                    entry.Default = true;
                    ActivationStatus = "PENDING";
                    Reply(c, 200, ToJson(entry, false).ToJsonString());
                    return;
            }
            Reply(c, 405, "{\"code\":\"METHOD_NOT_ALLOWED\",\"message\":\"" + c.Method + " " + op + "\"}");
        }

        // [READING]: the answer to a step out of order (code as [CAS-ZIA]'s 400s, message ours).
        private static string StateError(ZiaEntry e)
        {
            return "{\"code\":\"INVALID_INPUT_ARGUMENT\",\"message\":\"Operation not allowed in the current state " + e.State + "\"}";
        }

        private void ZiaCreate(Call c)
        {
            var o = JsonNode.Parse(c.Text) as JsonObject;
            // [CAS-ZIA]: POST without a type is 400 {"code":"INVALID_INPUT_ARGUMENT","message":"Certificate type is required."}
            if (o == null || o["type"] == null) { Reply(c, 400, "{\"code\":\"INVALID_INPUT_ARGUMENT\",\"message\":\"Certificate type is required.\"}"); return; }
            var type = (string)o["type"];
            if (type != "CUSTOM_SW" && type != "CUSTOM_HSM") { Reply(c, 400, "{\"code\":\"INVALID_INPUT_ARGUMENT\",\"message\":\"Invalid certificate type.\"}"); return; }
            var name = (string)o["name"];
            if (string.IsNullOrEmpty(name)) { Reply(c, 400, "{\"code\":\"INVALID_INPUT_ARGUMENT\",\"message\":\"Name is required.\"}"); return; }
            // [READING]: a duplicate name.
            if (_zia.Values.Any(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))) { Reply(c, 409, "{\"code\":\"DUPLICATE_ITEM\",\"message\":\"An intermediate CA certificate with this name already exists\"}"); return; }
            var entry = new ZiaEntry
            {
                Id = _nextZia++, Name = name, Description = (string)o["description"], Type = type,
                Region = (string)o["region"] ?? "GLOBAL", Status = (string)o["status"] ?? "ENABLED",
            };
            _zia[entry.Id] = entry;
            ActivationStatus = "PENDING";
            Reply(c, 200, ToJson(entry, false).ToJsonString());
        }

        private void ZiaGenerateCsr(Call c, ZiaEntry entry)
        {
            if (entry.Type == "ZSCALER") { Reply(c, 403, NotForRoot); return; }
            var ready = entry.Type == "CUSTOM_HSM" ? "ATTESTATION_VERIFY_DONE" : "PUBKEY_DONE";
            if (entry.State != ready) { Reply(c, 400, StateError(entry)); return; }
            // CertSigningRequest fields [GO-ZIA]: certId, csrFileName, commName, orgName, deptName, city, state, country,
            // keySize, signatureAlgorithm, pathLengthConstraint.
            var o = JsonNode.Parse(c.Text) as JsonObject;
            if (o == null || string.IsNullOrEmpty((string)o["commName"])) { Reply(c, 400, "{\"code\":\"INVALID_INPUT_ARGUMENT\",\"message\":\"Common name is required.\"}"); return; }
            var pathLength = o["pathLengthConstraint"] == null ? 0 : (int)o["pathLengthConstraint"];
            if (pathLength < 0 || pathLength > 1) { Reply(c, 400, "{\"code\":\"INVALID_INPUT_ARGUMENT\",\"message\":\"Path length constraint must be 0 or 1.\"}"); return; }
            var subject = new StringBuilder();
            Action<string, string> add = (k, v) => { if (!string.IsNullOrEmpty(v)) subject.Append(subject.Length == 0 ? "" : ", ").Append(k).Append('=').Append(v.Replace(",", "\\,")); };
            add("CN", (string)o["commName"]); add("OU", (string)o["deptName"]); add("O", (string)o["orgName"]);
            add("L", (string)o["city"]); add("S", (string)o["state"]); add("C", (string)o["country"]);
            var hash = (string)o["signatureAlgorithm"] == "SHA512" ? HashAlgorithmName.SHA512 : (string)o["signatureAlgorithm"] == "SHA384" ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
            var request = new CertificateRequest(new X500DistinguishedName(subject.ToString()), entry.Key, hash, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, pathLength, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            entry.CsrPem = Pem("CERTIFICATE REQUEST", request.CreateSigningRequest());
            o["certId"] = entry.Id;
            o["pathLengthConstraint"] = pathLength;
            if (o["csrFileName"] == null) o["csrFileName"] = entry.Name;
            entry.CsrFields = o;
            entry.CsrGenerationTime = Now();
            entry.State = "CSRGEN_DONE";
            Reply(c, 200, o.ToJsonString());
        }

        private void ZiaUpload(Call c, ZiaEntry entry, bool chain)
        {
            if (entry.Type == "ZSCALER") { Reply(c, 403, NotForRoot); return; }
            // [PY-ZIA] upload_cert: multipart/form-data, part "fileUpload"; [CAS-ZIA]: a chain upload without a file is 415.
            var file = MultipartFile(c, "fileUpload");
            if (file == null) { Reply(c, 415, ""); return; }
            if (!chain && entry.State != "CSRGEN_DONE" && entry.State != "INTCERT_UPLOAD_DONE") { Reply(c, 400, StateError(entry)); return; }
            if (chain && entry.State != "INTCERT_UPLOAD_DONE" && entry.State != "CERTCHAIN_UPLOAD_DONE") { Reply(c, 400, StateError(entry)); return; }
            X509Certificate2 cert;
            try { cert = X509Certificate2.CreateFromPem(file); }
            catch (Exception) { Reply(c, 400, "{\"code\":\"INVALID_INPUT_ARGUMENT\",\"message\":\"Invalid certificate file\"}"); return; }
            if (chain) { entry.ChainPem = file; entry.State = "CERTCHAIN_UPLOAD_DONE"; }
            else
            {
                entry.CertificatePem = file;
                // The seed: an invalid upload is silently not used; the emulator records it as Zscaler would behave.
                var pub = cert.GetRSAPublicKey();
                entry.UploadIgnored = pub == null || !pub.ExportSubjectPublicKeyInfo().SequenceEqual(entry.Key.ExportSubjectPublicKeyInfo());
                entry.CertStart = new DateTimeOffset(cert.NotBefore.ToUniversalTime()).ToUnixTimeSeconds();
                entry.CertExp = new DateTimeOffset(cert.NotAfter.ToUniversalTime()).ToUnixTimeSeconds();
                entry.State = "INTCERT_UPLOAD_DONE";
            }
            Reply(c, 200, ToJson(entry, false).ToJsonString());
        }

        private static string MultipartFile(Call c, string field)
        {
            var type = c.Context.Request.ContentType ?? "";
            var at = type.IndexOf("boundary=", StringComparison.OrdinalIgnoreCase);
            if (!type.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) || at < 0) return null;
            var boundary = "--" + type.Substring(at + 9).Trim('"');
            var text = Encoding.ASCII.GetString(c.Body);
            foreach (var part in text.Split(new[] { boundary }, StringSplitOptions.None))
            {
                var headerEnd = part.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (headerEnd < 0) continue;
                var headers = part.Substring(0, headerEnd);
                if (headers.IndexOf("name=\"" + field + "\"", StringComparison.Ordinal) < 0 && headers.IndexOf("name=" + field, StringComparison.Ordinal) < 0) continue;
                var content = part.Substring(headerEnd + 4);
                if (content.EndsWith("\r\n", StringComparison.Ordinal)) content = content.Substring(0, content.Length - 2);
                return content.Length == 0 ? null : content;
            }
            return null;
        }
    }
}
