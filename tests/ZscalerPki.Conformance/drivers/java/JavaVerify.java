// Java PKIX driver: reads ClientCase JSON lines on stdin, writes one verdict line per case on stdout.
// The path JSSE takes for a TLS peer: sun.security.validator.Validator (TYPE_PKIX; variant TLS server/client, or
// generic for PKITS) over PKIXBuilderParameters with the case's trust anchors, validation date (setDate), policy
// inputs and max path length, revocation off (the JSSE default; CRLs are ignored and said so), the intermediates as
// the other certificates the builder may use, auth type "UNKNOWN" (TLS 1.3), then JSSE's host-name check
// (sun.security.util.HostnameChecker TYPE_TLS). Needs --add-exports java.base/sun.security.{validator,util}.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.security.cert.*;
import java.time.OffsetDateTime;
import java.util.*;
import sun.security.util.HostnameChecker;
import sun.security.validator.Validator;

public final class JavaVerify {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, "UTF-8");
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            @SuppressWarnings("unchecked") Map<String, Object> c = (Map<String, Object>) new Json(line).value();
            out.println(run(c));
        }
        out.flush();
    }

    static String str(Map<String, Object> c, String k) { Object o = c.get(k); return o instanceof String ? (String) o : null; }
    @SuppressWarnings("unchecked")
    static List<String> list(Map<String, Object> c, String k) { Object o = c.get(k); return o instanceof List ? (List<String>) o : List.of(); }

    static String verdict(Map<String, Object> c, String v, String error, boolean crlsIgnored) {
        return "{\"corpus\":" + Json.quote(str(c, "corpus")) + ",\"case\":" + Json.quote(str(c, "id")) + ",\"verdict\":" + Json.quote(v)
            + ",\"error\":" + Json.quote(error == null ? "" : error) + (crlsIgnored ? ",\"ignored\":[\"crls\"]" : "") + "}";
    }

    static X509Certificate parse(CertificateFactory cf, String pem) throws CertificateException {
        return (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    static String run(Map<String, Object> c) {
        boolean crls = !list(c, "crls").isEmpty();
        if (!list(c, "keyUsages").isEmpty()) return verdict(c, "unsupported", "JSSE takes no key-usage requirement", false);
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            X509Certificate leaf;
            List<X509Certificate> inters = new ArrayList<>();
            try {
                leaf = parse(cf, str(c, "leaf"));
                for (String p : list(c, "intermediates")) inters.add(parse(cf, p));
            } catch (CertificateException e) {
                return verdict(c, "reject", "parse: " + e.getMessage(), crls);
            }
            Set<TrustAnchor> anchors = new HashSet<>();
            for (String p : list(c, "trusted")) {
                try { anchors.add(new TrustAnchor(parse(cf, p), null)); } catch (CertificateException | RuntimeException e) { /* a keystore would not load it */ }
            }
            if (anchors.isEmpty()) return verdict(c, "reject", "no trust anchors", crls);
            PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, null);
            params.setRevocationEnabled(false);
            if (str(c, "time") != null) params.setDate(Date.from(OffsetDateTime.parse(str(c, "time")).toInstant()));
            if (c.get("maxDepth") instanceof Double d) params.setMaxPathLength(d.intValue());
            if (c.get("initialPolicySet") instanceof List<?> l) params.setInitialPolicies(new HashSet<>(list(c, "initialPolicySet")));
            params.setExplicitPolicyRequired(Boolean.TRUE.equals(c.get("explicitPolicy")));
            params.setPolicyMappingInhibited(Boolean.TRUE.equals(c.get("policyMappingInhibit")));
            params.setAnyPolicyInhibited(Boolean.TRUE.equals(c.get("anyPolicyInhibit")));
            String purpose = str(c, "purpose");
            List<String> ekus = list(c, "ekus");
            String variant = ekus.contains("clientAuth") || "client".equals(purpose) ? Validator.VAR_TLS_CLIENT
                : ekus.contains("serverAuth") || "server".equals(purpose) ? Validator.VAR_TLS_SERVER : Validator.VAR_GENERIC;
            for (String e : ekus)
                if (!e.equals("serverAuth") && !e.equals("clientAuth")) return verdict(c, "unsupported", "EKU " + e, crls);
            Validator validator = Validator.getInstance(Validator.TYPE_PKIX, variant, params);
            validator.validate(new X509Certificate[] { leaf }, inters, Collections.emptyList(), null, "UNKNOWN");
            String name = str(c, "peerName");
            if (name != null) HostnameChecker.getInstance(HostnameChecker.TYPE_TLS).match(name, leaf);
            return verdict(c, "accept", "", crls);
        } catch (Exception e) {
            return verdict(c, "reject", e.getClass().getSimpleName() + ": " + e.getMessage(), crls);
        }
    }

    /** A minimal JSON reader for the driver's own input lines (objects, arrays, strings, numbers, literals). */
    static final class Json {
        private final String s; private int i;
        Json(String s) { this.s = s; }
        Object value() {
            ws();
            char ch = s.charAt(i);
            if (ch == '{') { i++; Map<String, Object> m = new LinkedHashMap<>(); ws(); if (s.charAt(i) == '}') { i++; return m; }
                while (true) { ws(); String k = string(); ws(); i++; m.put(k, value()); ws(); if (s.charAt(i++) == '}') return m; } }
            if (ch == '[') { i++; List<Object> l = new ArrayList<>(); ws(); if (s.charAt(i) == ']') { i++; return l; }
                while (true) { l.add(value()); ws(); if (s.charAt(i++) == ']') return l; } }
            if (ch == '"') return string();
            if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
            if (s.startsWith("null", i)) { i += 4; return null; }
            int start = i; while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            return Double.parseDouble(s.substring(start, i));
        }
        private void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }
        private String string() {
            StringBuilder b = new StringBuilder(); i++;
            while (true) {
                char ch = s.charAt(i++);
                if (ch == '"') return b.toString();
                if (ch != '\\') { b.append(ch); continue; }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n': b.append('\n'); break; case 'r': b.append('\r'); break; case 't': b.append('\t'); break;
                    case 'b': b.append('\b'); break; case 'f': b.append('\f'); break;
                    case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                    default: b.append(e);
                }
            }
        }
        static String quote(String v) {
            if (v == null) return "null";
            StringBuilder b = new StringBuilder("\"");
            for (char ch : v.toCharArray()) {
                if (ch == '"' || ch == '\\') b.append('\\').append(ch);
                else if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
                else b.append(ch);
            }
            return b.append('"').toString();
        }
    }
}
