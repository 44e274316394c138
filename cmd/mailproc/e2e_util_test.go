package main

import (
	"encoding/base64"
	"os"
	"syscall"
)

var termSignal = syscall.SIGTERM

func encodeBase64(dst, src []byte) { base64.StdEncoding.Encode(dst, src) }

func base64Len(n int) int { return base64.StdEncoding.EncodedLen(n) }

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
