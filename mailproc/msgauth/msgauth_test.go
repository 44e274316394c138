package msgauth

import (
	"strings"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// The desk's own server and the staff domain, as in the example config.
const (
	ours     = "mail.pustakaarsip.kamparkab.go.id"
	staff    = "rina.marlina@pustakaarsip.kamparkab.go.id"
	staffDom = "pustakaarsip.kamparkab.go.id"
)

// Header values as the servers write them, folded the way they fold them
// (the parser keeps the raw value, folding included).
const (
	// Postfix with OpenDKIM and OpenDMARC: each milter adds its own header,
	// the last one added (OpenDMARC) on top.
	postfixDMARCPass = "mail.pustakaarsip.kamparkab.go.id; dmarc=pass (p=none dis=none)\r\n\theader.from=pustakaarsip.kamparkab.go.id"
	postfixDMARCNone = "mail.pustakaarsip.kamparkab.go.id; dmarc=none (p=none dis=none)\r\n\theader.from=pustakaarsip.kamparkab.go.id"
	postfixSPFPass   = "mail.pustakaarsip.kamparkab.go.id; spf=pass smtp.mailfrom=pustakaarsip.kamparkab.go.id"
	openDKIMPass     = "mail.pustakaarsip.kamparkab.go.id;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=pustakaarsip.kamparkab.go.id\r\n\theader.i=@pustakaarsip.kamparkab.go.id header.a=rsa-sha256 header.s=mail\r\n\theader.b=\"Xk3fQ9aZ\";\r\n\tdkim-atps=neutral"
	openDKIMFail     = "mail.pustakaarsip.kamparkab.go.id;\r\n\tdkim=fail reason=\"signature verification failed\" (2048-bit key; unprotected)\r\n\theader.d=pustakaarsip.kamparkab.go.id header.i=@pustakaarsip.kamparkab.go.id\r\n\theader.a=rsa-sha256 header.s=mail header.b=\"Xk3fQ9aZ\""

	// Zimbra: amavisd-new verifies DKIM, with a comment after the
	// authserv-id; older versions write only header.i.
	zimbraPass    = "mail.pustakaarsip.kamparkab.go.id (amavisd-new);\r\n\tdkim=pass (2048-bit key) header.d=pustakaarsip.kamparkab.go.id"
	zimbraOldPass = "mail.pustakaarsip.kamparkab.go.id (amavisd-new); dkim=pass (1024-bit key)\r\n header.i=@kamparkab.go.id"

	// Google Workspace (and Gmail): one header with every result; DKIM
	// names only header.i.
	googlePass = "mx.google.com;\r\n       dkim=pass header.i=@pustakaarsip.kamparkab.go.id header.s=google header.b=Ab12Cd34;\r\n" +
		"       arc=pass (i=1 spf=pass spfdomain=pustakaarsip.kamparkab.go.id dkim=pass dkdomain=pustakaarsip.kamparkab.go.id dmarc=pass fromdomain=pustakaarsip.kamparkab.go.id);\r\n" +
		"       spf=pass (google.com: domain of rina.marlina@pustakaarsip.kamparkab.go.id designates 203.0.113.25 as permitted sender) smtp.mailfrom=rina.marlina@pustakaarsip.kamparkab.go.id;\r\n" +
		"       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=pustakaarsip.kamparkab.go.id"
	googleGmailPass = "mx.google.com;\r\n       dkim=pass header.i=@gmail.com header.s=20230601 header.b=\"kX9/aQ+b\";\r\n" +
		"       spf=pass (google.com: domain of petugas.kampar@gmail.com designates 209.85.220.41 as permitted sender) smtp.mailfrom=petugas.kampar@gmail.com;\r\n" +
		"       dmarc=pass (p=NONE sp=QUARANTINE dis=NONE) header.from=gmail.com"
	// A bulk mailer sending in the name of the staff domain: everything
	// passes, for the mailer's own domains.
	googleSendgrid = "mx.google.com;\r\n       dkim=pass header.i=@sendgrid.net header.s=smtpapi header.b=QmVy;\r\n" +
		"       spf=pass (google.com: domain of bounces+2419-ab12-rina.marlina=pustakaarsip.kamparkab.go.id@em1234.sendgrid.net designates 149.72.1.1 as permitted sender) smtp.mailfrom=\"bounces+2419-ab12-rina.marlina=pustakaarsip.kamparkab.go.id@em1234.sendgrid.net\";\r\n" +
		"       dmarc=fail (p=NONE sp=NONE dis=NONE) header.from=pustakaarsip.kamparkab.go.id"

	// Exchange Online (Microsoft 365) writes no authserv-id; outlook.com
	// even puts stray words between the results.
	m365Pass    = "spf=pass (sender IP is 40.107.1.1)\r\n smtp.mailfrom=pustakaarsip.kamparkab.go.id; dkim=pass (signature was verified)\r\n header.d=pustakaarsip.kamparkab.go.id;dmarc=pass action=none\r\n header.from=pustakaarsip.kamparkab.go.id;compauth=pass reason=100"
	outlookMess = "spf=none (sender IP is 203.0.113.9) smtp.mailfrom=example.net; hotmail.com; dkim=none header.d=example.net;hotmail.com; dmarc=none action=none header.from=example.net;compauth=fail reason=001"
)

func msg(from string, ar ...string) *mailproc.Message {
	return &mailproc.Message{From: mailproc.Address{Name: "Rina Marlina", Addr: from}, AuthResults: ar}
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name     string
		authserv string
		m        *mailproc.Message
		ok       bool
		why      []string // substrings of why
	}{
		{"check disabled", "", msg(staff), true, []string{"authentication check disabled"}},
		{"no headers", ours, msg(staff), false, []string{"no Authentication-Results from " + ours}},
		{"nil message", ours, nil, false, []string{"no message"}},
		{"no From domain", ours, msg("", openDKIMPass), false, []string{"no From domain"}},

		// Postfix with OpenDKIM and OpenDMARC.
		{"postfix: dmarc pass on top", ours, msg(staff, postfixDMARCPass, postfixSPFPass, openDKIMPass), true,
			[]string{ours + ": dmarc pass for " + staffDom}},
		{"postfix: opendkim alone", ours, msg(staff, openDKIMPass), true,
			[]string{"dkim pass for " + staffDom + ", aligned with " + staffDom}},
		{"postfix: dkim fail", ours, msg(staff, openDKIMFail), false,
			[]string{"dkim=fail for " + staffDom}},
		{"postfix: spf pass alone", ours, msg(staff, postfixSPFPass), true,
			[]string{"spf pass for " + staffDom}},
		// The price of trusting the top header only: OpenDKIM's pass below
		// OpenDMARC's none is not read.
		{"postfix: dmarc none on top, dkim pass below is not read", ours, msg(staff, postfixDMARCNone, openDKIMPass), false,
			[]string{"dmarc=none for " + staffDom, "1 lower Authentication-Results claiming " + ours + " ignored"}},

		// Forgeries.
		{"forged pass with our id below our fail", ours,
			msg(staff,
				ours+"; spf=fail (sender IP is not authorized) smtp.mailfrom=rina.marlina@pustakaarsip.kamparkab.go.id; dkim=none (message not signed)",
				ours+"; dkim=pass header.d=pustakaarsip.kamparkab.go.id; spf=pass smtp.mailfrom=pustakaarsip.kamparkab.go.id; dmarc=pass header.from=pustakaarsip.kamparkab.go.id"),
			false, []string{"spf=fail for " + staffDom, "dkim=none", "1 lower"}},
		{"forged pass from another server only", ours,
			msg(staff, "mx.google.com; dkim=pass header.i=@pustakaarsip.kamparkab.go.id; dmarc=pass header.from=pustakaarsip.kamparkab.go.id"),
			false, []string{"no Authentication-Results from " + ours}},
		{"another server's header above ours is ignored", ours,
			msg(staff, "spamfilter.kamparkab.go.id; dkim=pass header.d=pustakaarsip.kamparkab.go.id", ours+"; dkim=fail header.d=pustakaarsip.kamparkab.go.id"),
			false, []string{"dkim=fail"}},
		{"authserv-id is case-insensitive", ours,
			msg(staff, "MAIL.PustakaArsip.KamparKab.go.id 1; dkim=pass header.d=PustakaArsip.KamparKab.go.id"),
			true, []string{"dkim pass for " + staffDom}},
		{"id that only starts like ours", ours,
			msg(staff, ours+".evil.example; dkim=pass header.d=pustakaarsip.kamparkab.go.id"),
			false, []string{"no Authentication-Results from " + ours}},
		{"lookalike signing domain", ours,
			msg(staff, ours+"; dkim=pass header.d=pustakaarsip.kamparkab.go.id.evil.example; dkim=pass header.d=evilpustakaarsip.kamparkab.go.id"),
			false, []string{"dkim pass for pustakaarsip.kamparkab.go.id.evil.example not aligned with " + staffDom, "dkim pass for evilpustakaarsip.kamparkab.go.id not aligned"}},
		{"signature of a public suffix", ours,
			msg(staff, ours+"; dkim=pass header.d=go.id; spf=pass smtp.mailfrom=bounce@kamparkab.go.id"),
			true, []string{"spf pass for kamparkab.go.id"}}, // the SPF result aligns; go.id's signature alone would not
		{"signature of a public suffix alone", ours,
			msg(staff, ours+"; dkim=pass header.d=go.id"),
			false, []string{"dkim pass for go.id not aligned"}},

		// Zimbra.
		{"zimbra amavisd-new", ours, msg(staff, zimbraPass), true, []string{"dkim pass for " + staffDom}},
		{"zimbra amavisd-new, header.i of the parent domain", ours, msg(staff, zimbraOldPass), true,
			[]string{"dkim pass for kamparkab.go.id, aligned with " + staffDom}},

		// Google Workspace.
		{"google workspace", "mx.google.com", msg(staff, googlePass), true,
			[]string{"mx.google.com: dkim pass for " + staffDom}},
		{"gmail sender", "mx.google.com", msg("petugas.kampar@gmail.com", googleGmailPass), true,
			[]string{"dkim pass for gmail.com"}},
		{"bulk mailer in the staff domain's name", "mx.google.com", msg(staff, googleSendgrid), false,
			[]string{"dkim pass for sendgrid.net not aligned with " + staffDom, "spf pass for em1234.sendgrid.net not aligned with " + staffDom, "dmarc=fail for " + staffDom}},
		{"forged google header below google's own", "mx.google.com",
			msg(staff, "mx.google.com; dkim=none; spf=softfail (google.com: domain of transitioning rina.marlina@pustakaarsip.kamparkab.go.id does not designate 198.51.100.7 as permitted sender) smtp.mailfrom=rina.marlina@pustakaarsip.kamparkab.go.id; dmarc=fail (p=NONE) header.from=pustakaarsip.kamparkab.go.id",
				googlePass),
			false, []string{"dkim=none", "spf=softfail for " + staffDom, "dmarc=fail", "1 lower"}},

		// Microsoft 365.
		{"microsoft 365 header has no authserv-id", ours, msg(staff, m365Pass), false,
			[]string{"no Authentication-Results from " + ours + " (1 without an authserv-id ignored)"}},
		{"microsoft 365 header below ours", ours, msg(staff, openDKIMPass, m365Pass, outlookMess), true,
			[]string{"dkim pass for " + staffDom}},
		{"outlook.com stray words, no id", ours, msg(staff, outlookMess), false,
			[]string{"no Authentication-Results from " + ours}},

		// Several results in one header.
		{"second signature passes", ours,
			msg(staff, ours+"; dkim=fail (bad signature) header.d=mailgun.org; dkim=pass (2048-bit key) header.d=pustakaarsip.kamparkab.go.id; spf=pass smtp.mailfrom=bounce.mailgun.org"),
			true, []string{"dkim pass for " + staffDom}},
		{"everything fails", ours,
			msg(staff, ours+"; dkim=permerror (no key for signature) header.d=pustakaarsip.kamparkab.go.id; spf=softfail smtp.mailfrom=rina.marlina@pustakaarsip.kamparkab.go.id; dmarc=fail (p=quarantine dis=none) header.from=pustakaarsip.kamparkab.go.id"),
			false, []string{ours + ": dkim=permerror for " + staffDom + ", spf=softfail for " + staffDom + ", dmarc=fail for " + staffDom}},

		// SPF.
		{"spf of a bounce subdomain", ours, msg(staff, ours+"; spf=pass smtp.mailfrom=srs@bounce.pustakaarsip.kamparkab.go.id"), true,
			[]string{"spf pass for bounce.pustakaarsip.kamparkab.go.id, aligned with " + staffDom}},
		{"spf of another domain", ours, msg("budi@example.com", ours+"; spf=pass smtp.mailfrom=bounce.other.com"), false,
			[]string{"spf pass for bounce.other.com not aligned with example.com"}},
		{"spf for helo only", ours, msg(staff, ours+"; spf=pass smtp.helo=mail.pustakaarsip.kamparkab.go.id"), false,
			[]string{"spf pass for helo mail.pustakaarsip.kamparkab.go.id only, no smtp.mailfrom"}},

		// DMARC.
		{"dmarc pass for another From domain", ours, msg(staff, ours+"; dmarc=pass header.from=gmail.com"), false,
			[]string{"dmarc pass for gmail.com, not the From domain " + staffDom}},
		{"dmarc pass for a subdomain is not the From domain", ours, msg(staff, ours+"; dmarc=pass header.from=kamparkab.go.id"), false,
			[]string{"not the From domain"}},

		// Unparseable or empty.
		{"result without a value", ours, msg(staff, ours+"; dkim"), false, []string{"unparseable Authentication-Results from " + ours}},
		{"unknown version", ours, msg(staff, ours+" 2; dkim=pass header.d=pustakaarsip.kamparkab.go.id"), false, []string{"unparseable"}},
		{"garbage", ours, msg(staff, "\x00\xff;;;"), false, []string{"no Authentication-Results from " + ours}},
		{"empty value", ours, msg(staff, ""), false, []string{"no Authentication-Results from " + ours}},
		{"no result", ours, msg(staff, ours+"; none"), false, []string{ours + ": no dkim, spf or dmarc result"}},
		{"only other methods", ours, msg(staff, ours+"; iprev=pass policy.iprev=203.0.113.25; auth=pass smtp.auth=rina"), false,
			[]string{"no dkim, spf or dmarc result"}},
		{"unparseable forged header below ours", ours, msg(staff, openDKIMPass, ours+"; dkim"), true, []string{"dkim pass"}},
		{"unclosed comment", ours, msg(staff, ours+"; dkim=pass (2048-bit key header.d=pustakaarsip.kamparkab.go.id"), false,
			[]string{"dkim pass for no domain not aligned"}},
		{"parenthesis in a quoted string", ours, msg(staff, ours+"; dkim=pass reason=\"ok (really\" header.d=pustakaarsip.kamparkab.go.id"), true,
			[]string{"dkim pass for " + staffDom}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, why := Verifier{}.Verify(tt.m, tt.authserv)
			if ok != tt.ok {
				t.Errorf("ok = %v, want %v (why %q)", ok, tt.ok, why)
			}
			for _, w := range tt.why {
				if !strings.Contains(why, w) {
					t.Errorf("why = %q, want it to say %q", why, w)
				}
			}
		})
	}
}

func TestAligned(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"pustakaarsip.kamparkab.go.id", "pustakaarsip.kamparkab.go.id", true},
		{"PustakaArsip.KamparKab.go.id.", "pustakaarsip.kamparkab.go.id", true},
		{"mail.pustakaarsip.kamparkab.go.id", "pustakaarsip.kamparkab.go.id", true},
		{"kamparkab.go.id", "pustakaarsip.kamparkab.go.id", true},
		{"a.kamparkab.go.id", "b.kamparkab.go.id", false}, // siblings: organisational alignment would allow them
		{"go.id", "kamparkab.go.id", false},               // a public suffix covers nothing
		{"id", "go.id", false},
		{"github.io", "kampar.github.io", false},          // private section of the list, too
		{"evilkamparkab.go.id", "kamparkab.go.id", false}, // suffix, but not at a label boundary
		{"kamparkab.go.id.evil.example", "kamparkab.go.id", false},
		{"", "kamparkab.go.id", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := aligned(tt.a, tt.b); got != tt.want {
			t.Errorf("aligned(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := aligned(tt.b, tt.a); got != tt.want {
			t.Errorf("aligned(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestStripComments(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a (b; c) d", "a   d"},
		{"a (b (nested; x) c) d", "a   d"},
		{`a "q (not; a comment)" b`, `a "q (not; a comment)" b`},
		{`a (esc \) still; comment) b`, "a   b"},
		{`a "esc \" (still quoted)" b`, `a "esc \" (still quoted)" b`},
		{"a\r\n\tb", "a  \tb"},
		{"a (unclosed; b", "a  "},
	}
	for _, tt := range tests {
		if got := stripComments(tt.in); got != tt.want {
			t.Errorf("stripComments(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzVerify: whatever the headers hold, Verify does not panic, and a mail
// without a header of our server never passes.
func FuzzVerify(f *testing.F) {
	for _, s := range []string{openDKIMPass, openDKIMFail, zimbraPass, googlePass, m365Pass, outlookMess, ours + "; dkim", "(", `"`, "\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		ok, why := Verifier{}.Verify(msg(staff, v), ours)
		if why == "" {
			t.Error("empty why")
		}
		if ok && !strings.Contains(strings.ToLower(v), ours) {
			t.Errorf("passed without a header of %s: %q", ours, v)
		}
	})
}
