package mailproc

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
)

// TLSModeHint is the sentence a connection error gets when the [imap] or
// [smtp] tls setting does not match what the port speaks, or "": a client
// that starts TLS on a plain port reads the server's greeting as a broken
// TLS record ("first record does not look like a TLS handshake"), and one
// that waits for a greeting on a TLS port hears nothing until its timeout.
// Neither error names the key to change; this says which, and which ports
// usually go with which mode. section is "imap" or "smtp", mode its tls.
func TLSModeHint(section, mode string, err error) string {
	usual := `port 143 usually goes with tls = "starttls", 993 with tls = "tls"`
	if section == "smtp" {
		usual = `ports 587 and 25 usually go with tls = "starttls", 465 with tls = "tls"`
	}
	var rh tls.RecordHeaderError
	switch {
	case err == nil:
		return ""
	case mode == "tls" && errors.As(err, &rh):
		return "the server answered in plain text, not TLS: this port wants " + section + `.tls = "starttls" (or "none"); ` + usual
	case mode != "tls" && noGreeting(err):
		return "no greeting from the server: if this port speaks TLS from the first byte, set " + section + `.tls = "tls"; ` + usual
	}
	return ""
}

// noGreeting is a connection that timed out or was closed before the
// server said anything, as a plain client on a TLS port sees it.
func noGreeting(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || (errors.As(err, &ne) && ne.Timeout())
}
