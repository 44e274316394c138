// Package msgauth reads what the desk's own mail server recorded about a
// mail in its Authentication-Results headers (RFC 8601), with
// github.com/emersion/go-msgauth/authres. It implements
// mailproc.AuthVerifier: a reply claiming to come from staff is relayed to
// a citizen only if the sender's domain was verified by DKIM or SPF.
//
// # Which header counts
//
// Anyone can put an Authentication-Results header into a mail, so only
// headers whose authserv-id (the first word of the value) is the one
// configured for the desk's own server count; all others are ignored. Of
// those, only the topmost counts: it is the one our server added last.
// RFC 8601 §5 requires an MTA to remove or rename headers that claim its
// own authserv-id before adding its own, but not every MTA or milter does,
// or does so by default, so a forged header with our authserv-id may still
// sit lower down; it is never read.
//
// This has a price on a server where several milters each add their own
// header with the same authserv-id (Postfix with OpenDKIM and OpenDMARC):
// only the last one added is read, with the usual milter order OpenDMARC's
// dmarc=…. That
// passes when the staff domain publishes a DMARC record (p=none is enough)
// and the mail is aligned; a staff domain without one fails with
// "dmarc=none". Publishing a DMARC record, or a filter that writes all its
// results into one header (rspamd), fixes that; trusting the lower headers
// would let a forger in.
//
// Exchange Online (Microsoft 365) writes its Authentication-Results
// without an authserv-id, so its headers never match and a desk mailbox on
// Microsoft 365 cannot use this check.
//
// # When a mail passes
//
// The topmost header of our server passes the mail if it holds any of:
//
//   - dkim=pass with header.d aligned with the From domain (or, when a
//     server records no header.d, as mx.google.com does, the domain of
//     header.i);
//   - spf=pass with the smtp.mailfrom domain aligned with the From domain
//     (spf=pass for smtp.helo alone says nothing about the sender and does
//     not count);
//   - dmarc=pass with header.from equal to the From domain.
//
// Aligned is DMARC's relaxed alignment without its organisational
// domains: the two domains are equal, or one is a subdomain of the other
// (mail.kamparkab.go.id and kamparkab.go.id). Real relaxed alignment
// compares organisational domains, which would also align two sibling
// subdomains (a.kamparkab.go.id and b.kamparkab.go.id); finding the
// organisational domain is a walk over the public suffix list with rules
// of its own, and getting it wrong would align everything under go.id.
// "Equal or subdomain" is stricter and needs no such walk. The list is
// used for one thing only: the parent domain of the pair must not itself be
// a public suffix (go.id, co.id, id, github.io), so that a signature or
// SPF record of a registry never covers the domains under it.
//
// One more condition is the server's, not this package's: the server must
// add its header to every mail it delivers to the desk mailbox. When it
// adds none to some mail, a forged header with our authserv-id in that
// mail is the topmost one, and is believed.
//
// Everything else fails, and the reason says what was found, in English,
// for the log.
package msgauth

import (
	"fmt"
	"strings"

	"github.com/emersion/go-msgauth/authres"
	"golang.org/x/net/publicsuffix"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// Verifier checks the Authentication-Results of our own server. The zero
// value is ready to use.
type Verifier struct{}

var _ mailproc.AuthVerifier = Verifier{}

// Verify reports whether m passed DKIM, SPF or DMARC aligned with the domain
// of its From address, according to the topmost Authentication-Results
// header of the server authservID (see the package documentation). why says
// what was found, for the log. authservID "" means the check is disabled:
// every mail passes.
func (Verifier) Verify(m *mailproc.Message, authservID string) (ok bool, why string) {
	authservID = strings.TrimSpace(authservID)
	if authservID == "" {
		return true, "authentication check disabled"
	}
	if m == nil {
		return false, "no message"
	}
	from := addrDomain(m.From.Addr)
	if from == "" {
		return false, fmt.Sprintf("no From domain to check (From %q)", m.From.Addr)
	}

	top, lower, noID := -1, 0, 0
	for i, v := range m.AuthResults {
		id, ok := authservIDOf(v)
		switch {
		case !ok:
			noID++
		case !strings.EqualFold(id, authservID):
			// another server's, or the sender's own: ignored
		case top < 0:
			top = i
		default:
			lower++
		}
	}
	if top < 0 {
		why = "no Authentication-Results from " + authservID
		if noID > 0 {
			why += fmt.Sprintf(" (%d without an authserv-id ignored)", noID)
		}
		return false, why
	}

	ok, why = judge(m.AuthResults[top], authservID, from)
	if !ok && lower > 0 {
		why += fmt.Sprintf("; %d lower Authentication-Results claiming %s ignored", lower, authservID)
	}
	return ok, why
}

// judge reads one Authentication-Results value of our server.
func judge(value, authservID, from string) (bool, string) {
	_, results, err := authres.Parse(stripComments(value))
	if err != nil {
		return false, fmt.Sprintf("unparseable Authentication-Results from %s: %v", authservID, err)
	}
	var found []string
	for _, r := range results {
		switch r := r.(type) {
		case *authres.DKIMResult:
			d := domainOf(r.Domain)
			if d == "" {
				d = addrDomain(unquote(r.Identifier))
			}
			if r.Value != authres.ResultPass {
				found = append(found, "dkim="+string(r.Value)+forDomain(d))
			} else if aligned(d, from) {
				return true, fmt.Sprintf("%s: dkim pass for %s, aligned with %s", authservID, d, from)
			} else {
				found = append(found, fmt.Sprintf("dkim pass for %s not aligned with %s", orUnknown(d), from))
			}
		case *authres.SPFResult:
			d := addrDomain(unquote(r.From))
			switch {
			case r.Value != authres.ResultPass:
				found = append(found, "spf="+string(r.Value)+forDomain(d))
			case d == "" && r.Helo != "":
				found = append(found, fmt.Sprintf("spf pass for helo %s only, no smtp.mailfrom", domainOf(r.Helo)))
			case aligned(d, from):
				return true, fmt.Sprintf("%s: spf pass for %s, aligned with %s", authservID, d, from)
			default:
				found = append(found, fmt.Sprintf("spf pass for %s not aligned with %s", orUnknown(d), from))
			}
		case *authres.DMARCResult:
			d := addrDomain(r.From)
			switch {
			case r.Value != authres.ResultPass:
				found = append(found, "dmarc="+string(r.Value)+forDomain(d))
			case d != "" && d == from:
				return true, fmt.Sprintf("%s: dmarc pass for %s", authservID, d)
			default:
				found = append(found, fmt.Sprintf("dmarc pass for %s, not the From domain %s", orUnknown(d), from))
			}
		}
	}
	if len(found) == 0 {
		return false, fmt.Sprintf("%s: no dkim, spf or dmarc result", authservID)
	}
	return false, authservID + ": " + strings.Join(found, ", ")
}

// authservIDOf returns the authserv-id of an Authentication-Results value:
// its first word, before the first ";". ok is false when the value has none
// (Exchange Online starts with "spf=…").
func authservIDOf(value string) (id string, ok bool) {
	head, _, _ := strings.Cut(stripComments(value), ";")
	fields := strings.Fields(head)
	if len(fields) == 0 || strings.Contains(fields[0], "=") {
		return "", false
	}
	id = unquote(fields[0])
	return id, id != ""
}

// stripComments replaces the RFC 5322 comments of a header value, "(2048-bit
// key; unprotected)", with a space, and unfolds it. authres splits at every
// ";" and reads every word as key=value, comments included, so the comments
// almost every server writes would otherwise break the parse. Quoted strings
// are kept as they are, parentheses in them included; a backslash escapes
// the next character in both. An unclosed comment runs to the end.
func stripComments(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\r' || c == '\n':
			if depth == 0 {
				b.WriteByte(' ')
			}
		case c == '\\' && (quoted || depth > 0):
			if depth == 0 {
				b.WriteByte(c)
				if i+1 < len(s) {
					b.WriteByte(s[i+1])
				}
			}
			i++
		case quoted:
			b.WriteByte(c)
			if c == '"' {
				quoted = false
			}
		case c == '(':
			if depth == 0 {
				b.WriteByte(' ')
			}
			depth++
		case depth > 0:
			if c == ')' {
				depth--
			}
		case c == '"':
			quoted = true
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// aligned reports whether two domains are equal or one is a subdomain of
// the other that is not a public suffix (see the package documentation).
// Both must be non-empty.
func aligned(a, b string) bool {
	a, b = domainOf(a), domainOf(b)
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	parent, child := a, b
	if len(parent) > len(child) {
		parent, child = child, parent
	}
	if !strings.HasSuffix(child, "."+parent) {
		return false
	}
	suffix, _ := publicsuffix.PublicSuffix(parent)
	return suffix != parent
}

// addrDomain returns the lower-cased domain of an address ("budi@Example.com",
// "@example.com") or of a bare domain ("example.com", as Exchange Online
// writes smtp.mailfrom).
func addrDomain(s string) string {
	s = strings.Trim(strings.TrimSpace(s), "<>")
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	return domainOf(s)
}

// domainOf normalises a domain: unquoted, lower case, no trailing dot.
func domainOf(s string) string {
	s = strings.ToLower(unquote(s))
	return strings.TrimSuffix(s, ".")
}

// unquote removes the double quotes around a value such as header.b="…".
func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	return s
}

func forDomain(d string) string {
	if d == "" {
		return ""
	}
	return " for " + d
}

func orUnknown(d string) string {
	if d == "" {
		return "no domain"
	}
	return d
}
