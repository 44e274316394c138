package main

import (
	"encoding/base64"
	"syscall"
)

var termSignal = syscall.SIGTERM

func encodeBase64(dst, src []byte) { base64.StdEncoding.Encode(dst, src) }

func base64Len(n int) int { return base64.StdEncoding.EncodedLen(n) }
