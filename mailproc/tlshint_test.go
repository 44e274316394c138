package mailproc

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestTLSModeHint(t *testing.T) {
	plain := fmt.Errorf("dial 127.0.0.1:143: %w", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"})
	silent := fmt.Errorf("greeting from 127.0.0.1:993: %w", os.ErrDeadlineExceeded)
	refused := errors.New("dial tcp 127.0.0.1:993: connect: connection refused")
	for _, tt := range []struct {
		name, section, mode string
		err                 error
		want                string // "" for no hint
	}{
		{"tls on a plain imap port", "imap", "tls", plain, `imap.tls = "starttls" (or "none"); port 143 usually goes with tls = "starttls", 993 with tls = "tls"`},
		{"tls on a plain smtp port", "smtp", "tls", plain, `smtp.tls = "starttls" (or "none"); ports 587 and 25 usually go with tls = "starttls", 465 with tls = "tls"`},
		{"starttls on a tls port", "imap", "starttls", silent, `set imap.tls = "tls"; port 143`},
		{"none on a tls smtp port", "smtp", "none", silent, `set smtp.tls = "tls"; ports 587 and 25`},
		{"tls, the server silent", "imap", "tls", silent, ""},
		{"starttls, a plain greeting error", "imap", "starttls", plain, ""},
		{"refused", "imap", "tls", refused, ""},
		{"no error", "smtp", "tls", nil, ""},
	} {
		got := TLSModeHint(tt.section, tt.mode, tt.err)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: TLSModeHint = %q, want %q", tt.name, got, tt.want)
		}
	}
}
