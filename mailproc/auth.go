package mailproc

// AuthVerifier checks what the desk's own mail server recorded about a mail
// in its Authentication-Results header (RFC 8601): that the sender's domain
// was verified by DKIM or SPF. The go-msgauth adapter implements it.
type AuthVerifier interface {
	// Verify reports whether m passed DKIM or SPF aligned with the domain of
	// its From address, according to the Authentication-Results headers
	// added by the server named authservID (all others are ignored: anyone
	// can write such a header). why says what was found, for the log.
	Verify(m *Message, authservID string) (ok bool, why string)
}
