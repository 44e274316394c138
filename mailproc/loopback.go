package mailproc

import (
	"net"
	"strings"
)

// IsLoopback reports whether host is this machine only: "localhost", an
// address in 127.0.0.0/8, or ::1 (brackets and an IPv6 zone are allowed).
// An empty host (all interfaces) is not. The config refuses plain-text
// passwords beyond it and the HTTP endpoint demands basic auth beyond it.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), ".")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	if i := strings.IndexByte(host, '%'); i >= 0 {
		host = host[:i]
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
