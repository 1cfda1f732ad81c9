// ZPA enrollment certificates of the contract emulator (see ZscalerEmulator.cs for the sources).
#nullable disable
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace ZscalerPki.Emulator
{
    /// <summary>An entry of /enrollmentCert.</summary>
    public sealed class ZpaEntry
    {
        public string Id = "";
        public string Name = "";
        public string Description;
        public string ClientCertType = "NONE";
        public string ParentId;
        public X509Certificate2 Certificate;
        public RSA Key;
        public string CsrPem;
        public string MicrotenantId;
        public long Created;
    }

    public sealed partial class ZscalerEmulator
    {
        private readonly Dictionary<string, ZpaEntry> _zpa = new Dictionary<string, ZpaEntry>();
        private long _nextZpa = 6575;

        public ZpaEntry ZpaByName(string name) { lock (_gate) return _zpa.Values.FirstOrDefault(e => e.Name == name); }

        private void SeedZpa()
        {
            // The four enrollment certificates every ZPA tenant has, with the ids, names and client types of [CAS-ZPA]:
            // Root (6571, NONE, self-signed), Client (6572, ZAPP_CLIENT), Connector (6573), Service Edge (6574), below Root.
            var root = NewZpa("6571", "Root", "NONE", null, null);
            NewZpa("6572", "Client", "ZAPP_CLIENT", root, null);
            NewZpa("6573", "Connector", "NONE", root, null);
            NewZpa("6574", "Service Edge", "NONE", root, null);
        }

        private ZpaEntry NewZpa(string id, string name, string type, ZpaEntry parent, string microtenant, DateTimeOffset? from = null, DateTimeOffset? to = null)
        {
            var key = NewKey();
            var cn = CustomerId + ".zpa-customer.com/" + name;
            var request = new CertificateRequest(new X500DistinguishedName("CN=" + cn + ", OU=Private Access, O=Zscaler"), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            var notBefore = from ?? DateTimeOffset.UtcNow.AddDays(-1);
            var notAfter = to ?? DateTimeOffset.UtcNow.AddYears(parent == null ? 30 : 15);
            X509Certificate2 cert;
            if (parent == null) cert = request.CreateSelfSigned(notBefore, notAfter);
            else
            {
                if (notAfter > parent.Certificate.NotAfter) notAfter = parent.Certificate.NotAfter;
                var serial = new byte[16];
                RandomNumberGenerator.Fill(serial);
                serial[0] &= 0x7f;
                cert = request.Create(parent.Certificate.SubjectName, X509SignatureGenerator.CreateForRSA(parent.Key, RSASignaturePadding.Pkcs1), notBefore, notAfter, serial);
            }
            var entry = new ZpaEntry { Id = id, Name = name, ClientCertType = type, ParentId = parent == null ? null : parent.Id, Certificate = cert, Key = key, MicrotenantId = microtenant, Created = Now() };
            _zpa[id] = entry;
            return entry;
        }

        private JsonObject ToJson(ZpaEntry e)
        {
            // Field names of [CAS-ZPA] / [GO-ZPA]; ids, times and serials are strings on the wire.
            var o = new JsonObject
            {
                ["id"] = e.Id,
                ["modifiedTime"] = e.Created.ToString(CultureInfo.InvariantCulture),
                ["creationTime"] = e.Created.ToString(CultureInfo.InvariantCulture),
                ["modifiedBy"] = "72057594037929181",
                ["name"] = e.Name,
                ["clientCertType"] = e.ClientCertType,
                ["storeInHsm"] = false,
                ["readOnly"] = false,
                ["zscalerManaged"] = false,
            };
            if (e.Description != null) o["description"] = e.Description;
            if (e.Certificate != null)
            {
                o["cName"] = e.Certificate.GetNameInfo(X509NameType.SimpleName, false);
                o["validFromInEpochSec"] = new DateTimeOffset(e.Certificate.NotBefore.ToUniversalTime()).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                o["validToInEpochSec"] = new DateTimeOffset(e.Certificate.NotAfter.ToUniversalTime()).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                o["certificate"] = Pem("CERTIFICATE", e.Certificate.RawData);
                o["issuedTo"] = e.Certificate.Subject;
                o["issuedBy"] = e.Certificate.Issuer;
                o["serialNo"] = new BigInteger(e.Certificate.GetSerialNumber().Concat(new byte[] { 0 }).ToArray()).ToString(CultureInfo.InvariantCulture);
                o["allowSigning"] = true;
            }
            o["privateKeyPresent"] = e.Key != null;
            if (e.ParentId != null) { o["parentCertId"] = e.ParentId; o["parentCertName"] = _zpa.ContainsKey(e.ParentId) ? _zpa[e.ParentId].Name : null; }
            if (e.CsrPem != null) o["csr"] = e.CsrPem;
            if (e.MicrotenantId != null) o["microtenantId"] = e.MicrotenantId;
            return o;
        }

        private void Zpa(Call c, string path)
        {
            // /mgmtconfig/v{1,2}/admin/customers/{customerId}/enrollmentCert[...] [PY-ZPA]
            var parts = path.Trim('/').Split('/');
            if (parts.Length < 6 || parts[0] != "mgmtconfig" || parts[2] != "admin" || parts[3] != "customers" || parts[5] != "enrollmentCert")
            { Reply(c, 404, "{\"id\":\"resource.not.found\",\"reason\":\"Resource not found\"}"); return; }
            if (parts[4] != CustomerId) { Reply(c, 403, "{\"id\":\"customer.mismatch\",\"reason\":\"Customer id does not match the token\"}"); return; }
            var version = parts[1];
            var tail = string.Join("/", parts.Skip(6));
            var microtenant = c.Param("microtenantId");
            Func<ZpaEntry, bool> visible = e => microtenant == null || e.MicrotenantId == microtenant;

            if (version == "v2" && tail == "" && c.Method == "GET")
            {
                // {"totalPages":"1","totalCount":"1","list":[…]} with page/pagesize/search=name+EQ+… [CAS-ZPA], [GO-ZPA].
                int page, size;
                if (!int.TryParse(c.Param("page") ?? "1", out page) || page < 1) page = 1;
                if (!int.TryParse(c.Param("pagesize") ?? "20", out size) || size < 1) size = 20;
                size = Math.Min(size, ZpaMaxPageSize);
                var search = c.Param("search");
                string nameEq = null;
                if (search != null && search.StartsWith("name+EQ+", StringComparison.Ordinal)) nameEq = search.Substring(8);
                var all = _zpa.Values.Where(visible).Where(e => nameEq == null || string.Equals(e.Name, nameEq, StringComparison.OrdinalIgnoreCase)).OrderBy(e => long.Parse(e.Id, CultureInfo.InvariantCulture)).ToList();
                var pages = Math.Max(1, (all.Count + size - 1) / size);
                var list = new JsonArray();
                foreach (var e in all.Skip((page - 1) * size).Take(size)) list.Add(ToJson(e));
                var o = new JsonObject { ["totalPages"] = pages.ToString(CultureInfo.InvariantCulture), ["totalCount"] = all.Count.ToString(CultureInfo.InvariantCulture), ["list"] = list };
                Reply(c, 200, o.ToJsonString());
                return;
            }
            if (version != "v1") { Reply(c, 404, "{\"id\":\"resource.not.found\",\"reason\":\"Resource not found\"}"); return; }
            if ((tail == "selfsigned/generate" || tail == "csr/generate" || tail == "") && c.Method == "POST")
            {
                var o = JsonNode.Parse(c.Text) as JsonObject;
                var name = o == null ? null : (string)o["name"];
                if (string.IsNullOrEmpty(name)) { Reply(c, 400, "{\"id\":\"name.required\",\"reason\":\"Name is required\"}"); return; }
                if (_zpa.Values.Any(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))) { Reply(c, 400, "{\"id\":\"duplicate.name\",\"reason\":\"Enrollment certificate with this name already exists\"}"); return; }
                var type = (string)o["clientCertType"] ?? "NONE";
                if (type != "NONE" && type != "ZAPP_CLIENT" && type != "ISOLATION_CLIENT") { Reply(c, 400, "{\"id\":\"invalid.client.cert.type\",\"reason\":\"Invalid clientCertType\"}"); return; }
                var id = (_nextZpa++).ToString(CultureInfo.InvariantCulture);
                ZpaEntry entry;
                if (tail == "selfsigned/generate")
                {
                    ZpaEntry parent = null;
                    var rootId = (string)o["rootCertificateId"];
                    if (rootId != null && !_zpa.TryGetValue(rootId, out parent)) { Reply(c, 400, "{\"id\":\"root.not.found\",\"reason\":\"Root certificate not found\"}"); return; }
                    DateTimeOffset? from = o["validFromInEpochSec"] == null ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeSeconds(long.Parse((string)o["validFromInEpochSec"], CultureInfo.InvariantCulture));
                    DateTimeOffset? to = o["validToInEpochSec"] == null ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeSeconds(long.Parse((string)o["validToInEpochSec"], CultureInfo.InvariantCulture));
                    entry = NewZpa(id, name, type, parent, microtenant, from, to);
                }
                else if (tail == "csr/generate")
                {
                    var key = NewKey();
                    var request = new CertificateRequest(new X500DistinguishedName("CN=" + CustomerId + ".zpa-customer.com/" + name + ", OU=Private Access, O=Zscaler"), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                    request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
                    request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
                    entry = new ZpaEntry { Id = id, Name = name, ClientCertType = type, Key = key, CsrPem = Pem("CERTIFICATE REQUEST", request.CreateSigningRequest()), MicrotenantId = microtenant, Created = Now() };
                    _zpa[id] = entry;
                }
                else
                {
                    // [READING]: POST enrollmentCert with the signed certificate (PEM, chain after it) and parentCertId.
                    X509Certificate2 cert;
                    try { cert = X509Certificate2.CreateFromPem((string)o["certificate"]); }
                    catch (Exception) { Reply(c, 400, "{\"id\":\"invalid.certificate\",\"reason\":\"Invalid certificate\"}"); return; }
                    // A certificate for a CSR ZPA generated keeps that entry's key.
                    var pending = _zpa.Values.FirstOrDefault(e => e.Certificate == null && e.Key != null && cert.GetRSAPublicKey() != null
                        && e.Key.ExportSubjectPublicKeyInfo().SequenceEqual(cert.GetRSAPublicKey().ExportSubjectPublicKeyInfo()));
                    entry = new ZpaEntry { Id = id, Name = name, ClientCertType = type, ParentId = (string)o["parentCertId"], Certificate = cert, Key = pending == null ? null : pending.Key, MicrotenantId = microtenant, Created = Now() };
                    _zpa[id] = entry;
                }
                entry.Description = (string)o["description"];
                Reply(c, 200, ToJson(entry).ToJsonString());
                return;
            }
            ZpaEntry found;
            if (!_zpa.TryGetValue(tail, out found) || !visible(found)) { Reply(c, 404, "{\"id\":\"resource.not.found\",\"reason\":\"Resource not found\"}"); return; }
            switch (c.Method)
            {
                case "GET": Reply(c, 200, ToJson(found).ToJsonString()); return;
                case "PUT":
                {
                    var o = JsonNode.Parse(c.Text) as JsonObject;
                    if (o == null || string.IsNullOrEmpty((string)o["name"])) { Reply(c, 400, "{\"id\":\"name.required\",\"reason\":\"Name is required\"}"); return; }
                    found.Name = (string)o["name"];
                    found.Description = (string)o["description"];
                    Reply(c, 204, "");
                    return;
                }
                case "DELETE":
                    if (_zpa.Values.Any(e => e.ParentId == found.Id)) { Reply(c, 400, "{\"id\":\"certificate.in.use\",\"reason\":\"Certificate is a parent of other certificates\"}"); return; }
                    _zpa.Remove(found.Id);
                    Reply(c, 204, "");
                    return;
            }
            Reply(c, 405, "{\"id\":\"method.not.allowed\",\"reason\":\"Method not allowed\"}");
        }
    }
}
