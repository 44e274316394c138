package main

import (
	"encoding/base64"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
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

func yearNow() string {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		loc = time.UTC
	}
	return strconv.Itoa(time.Now().In(loc).Year())
}

var caseFilterAll = sqlite.CaseFilter{}
