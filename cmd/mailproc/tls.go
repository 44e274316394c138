package main

import "crypto/tls"

// insecureTLS accepts any certificate: only for imap.tls_skip_verify, which
// the config validator warns about.
func insecureTLS() *tls.Config {
	return &tls.Config{InsecureSkipVerify: true} //nolint:gosec // explicit operator choice
}
