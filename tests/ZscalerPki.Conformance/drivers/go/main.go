// Go crypto/x509 driver: reads ClientCase JSON lines on stdin, writes one verdict line per case on stdout.
// What a Go TLS client does: roots loaded with CertPool.AppendCertsFromPEM (unparsable roots are skipped, as
// tls.Config users do), peer and intermediate certificates parsed as crypto/tls parses the handshake's chain (a parse
// error rejects), then Certificate.Verify with Roots, Intermediates, CurrentTime, DNSName (host name or IP) and
// KeyUsages. crypto/x509 has no revocation checking (CRLs are ignored and said so), no chain-depth limit and no
// policy inputs (those cases are unsupported).
package main

import (
	"bufio"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"time"
)

type clientCase struct {
	Corpus           string   `json:"corpus"`
	ID               string   `json:"id"`
	Leaf             string   `json:"leaf"`
	Trusted          []string `json:"trusted"`
	Intermediates    []string `json:"intermediates"`
	Crls             []string `json:"crls"`
	Time             *string  `json:"time"`
	PeerNameKind     *string  `json:"peerNameKind"`
	PeerName         *string  `json:"peerName"`
	Purpose          *string  `json:"purpose"`
	Ekus             []string `json:"ekus"`
	KeyUsages        []string `json:"keyUsages"`
	MaxDepth         *int     `json:"maxDepth"`
	InitialPolicySet []string `json:"initialPolicySet"`
	ExplicitPolicy   bool     `json:"explicitPolicy"`
	MappingInhibit   bool     `json:"policyMappingInhibit"`
	AnyPolicyInhibit bool     `json:"anyPolicyInhibit"`
}

type verdict struct {
	Corpus  string   `json:"corpus"`
	Case    string   `json:"case"`
	Verdict string   `json:"verdict"`
	Error   string   `json:"error"`
	Ignored []string `json:"ignored,omitempty"`
}

func parseOne(p string) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		return nil, fmt.Errorf("no PEM block")
	}
	return x509.ParseCertificate(block.Bytes)
}

func run(c clientCase) verdict {
	v := verdict{Corpus: c.Corpus, Case: c.ID}
	if len(c.KeyUsages) > 0 {
		v.Verdict, v.Error = "unsupported", "crypto/x509 takes no key-usage requirement"
		return v
	}
	if c.MaxDepth != nil {
		v.Verdict, v.Error = "unsupported", "crypto/x509 takes no chain-depth limit"
		return v
	}
	if c.InitialPolicySet != nil || c.ExplicitPolicy || c.MappingInhibit || c.AnyPolicyInhibit {
		v.Verdict, v.Error = "unsupported", "crypto/x509 (go1.19) takes no certificate-policy inputs"
		return v
	}
	if len(c.Crls) > 0 {
		v.Ignored = []string{"crls"}
	}
	leaf, err := parseOne(c.Leaf)
	if err != nil {
		v.Verdict, v.Error = "reject", "parse peer certificate: "+err.Error()
		return v
	}
	inters := x509.NewCertPool()
	for _, p := range c.Intermediates {
		cert, err := parseOne(p)
		if err != nil {
			v.Verdict, v.Error = "reject", "parse intermediate certificate: "+err.Error()
			return v
		}
		inters.AddCert(cert)
	}
	roots := x509.NewCertPool()
	for _, p := range c.Trusted {
		roots.AppendCertsFromPEM([]byte(p))
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: inters}
	if c.Time != nil {
		t, err := time.Parse(time.RFC3339Nano, *c.Time)
		if err != nil {
			v.Verdict, v.Error = "unsupported", "validation time: "+err.Error()
			return v
		}
		opts.CurrentTime = t
	}
	if c.PeerName != nil {
		opts.DNSName = *c.PeerName
	}
	purpose := ""
	if c.Purpose != nil {
		purpose = *c.Purpose
	}
	for _, e := range c.Ekus {
		switch e {
		case "serverAuth":
			opts.KeyUsages = append(opts.KeyUsages, x509.ExtKeyUsageServerAuth)
		case "clientAuth":
			opts.KeyUsages = append(opts.KeyUsages, x509.ExtKeyUsageClientAuth)
		default:
			v.Verdict, v.Error = "unsupported", "EKU "+e
			return v
		}
	}
	if len(opts.KeyUsages) == 0 {
		switch purpose {
		case "server":
			opts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		case "client":
			opts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		default:
			opts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
		}
	}
	if _, err := leaf.Verify(opts); err != nil {
		v.Verdict, v.Error = "reject", err.Error()
		return v
	}
	v.Verdict = "accept"
	return v
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for in.Scan() {
		if len(in.Bytes()) == 0 {
			continue
		}
		var c clientCase
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			fmt.Fprintln(os.Stderr, "bad case line:", err)
			os.Exit(2)
		}
		if err := enc.Encode(run(c)); err != nil {
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
