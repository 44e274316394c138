package main

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"net"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/emersion/go-message"
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

// seedFrom is the sender address of a demo mail, "" if it has none.
func seedFrom(raw []byte) string {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
	h, err := r.ReadMIMEHeader()
	if err != nil {
		return ""
	}
	a, err := mail.ParseAddress(h.Get("From"))
	if err != nil {
		return ""
	}
	return a.Address
}

// headerOf returns a decoded header of a raw mail.
func headerOf(raw []byte, name string) string {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	v, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get(name))
	if err != nil {
		return m.Header.Get(name)
	}
	return v
}

// textPart returns the decoded text/plain part of a mail mailproc sent.
func textPart(raw []byte) string {
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	var text string
	e.Walk(func(_ []int, part *message.Entity, _ error) error {
		t, _, _ := part.Header.ContentType()
		if t == "text/plain" && text == "" {
			b, _ := io.ReadAll(part.Body)
			text = string(b)
		}
		return nil
	})
	return strings.TrimRight(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
}

func indentText(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	return host, port, err
}
