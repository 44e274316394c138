package main

import (
	"bufio"
	"bytes"
	"mime"
	"net"
	"net/textproto"
	"strconv"
	"strings"
)

// describeSeed gives one line about a demo mail for the terminal: sender and
// subject, decoded.
func describeSeed(raw []byte) string {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
	h, err := r.ReadMIMEHeader()
	if err != nil || h.Get("From") == "" {
		return "(email rusak, tanpa header yang terbaca)"
	}
	dec := new(mime.WordDecoder)
	from, err := dec.DecodeHeader(h.Get("From"))
	if err != nil {
		from = h.Get("From")
	}
	subj, err := dec.DecodeHeader(h.Get("Subject"))
	if err != nil {
		subj = h.Get("Subject")
	}
	return strings.TrimSpace(from) + " — " + strconv.Quote(subj)
}

func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	return host, port, err
}
