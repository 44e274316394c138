package sqlite

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// The JSON columns of messages have their own field names, written here,
// so renaming a Go field never changes what is on disk.

// jsonAddress is one element of an address-list column.
type jsonAddress struct {
	Name string `json:"name,omitempty"`
	Addr string `json:"addr"`
}

// jsonAuto is the auto column: mailproc.AutoHeaders.
type jsonAuto struct {
	AutoSubmitted            string `json:"auto_submitted,omitempty"`
	Precedence               string `json:"precedence,omitempty"`
	ListHeaders              bool   `json:"list_headers,omitempty"`
	XAutoResponseSuppress    string `json:"x_auto_response_suppress,omitempty"`
	HasXAutoResponseSuppress bool   `json:"has_x_auto_response_suppress,omitempty"`
	AutoReply                string `json:"auto_reply,omitempty"`
	ReturnPath               string `json:"return_path,omitempty"`
	ContentType              string `json:"content_type,omitempty"`
	ReportType               string `json:"report_type,omitempty"`
	Marker                   string `json:"marker,omitempty"`
}

// messageJSON holds the JSON text of every JSON column of one message.
type messageJSON struct {
	replyTo, to, cc, inReplyTo, references, auto, authResults, notes string
}

func encodeMessageJSON(m *mailproc.Message) (messageJSON, error) {
	var out messageJSON
	var err error
	enc := func(dst *string, v any) {
		if err != nil {
			return
		}
		var b []byte
		b, err = json.Marshal(v)
		*dst = string(b)
	}
	enc(&out.replyTo, toJSONAddrs(m.ReplyTo))
	enc(&out.to, toJSONAddrs(m.To))
	enc(&out.cc, toJSONAddrs(m.Cc))
	enc(&out.inReplyTo, nonNil(m.InReplyTo))
	enc(&out.references, nonNil(m.References))
	enc(&out.auto, jsonAuto(m.Auto))
	enc(&out.authResults, nonNil(m.AuthResults))
	enc(&out.notes, nonNil(m.Notes))
	if err != nil {
		return messageJSON{}, fmt.Errorf("encode JSON column: %w", err)
	}
	return out, nil
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func toJSONAddrs(as []mailproc.Address) []jsonAddress {
	out := make([]jsonAddress, len(as))
	for i, a := range as {
		out[i] = jsonAddress(a)
	}
	return out
}

func fromJSONAddrs(as []jsonAddress) []mailproc.Address {
	if len(as) == 0 {
		return nil
	}
	out := make([]mailproc.Address, len(as))
	for i, a := range as {
		out[i] = mailproc.Address(a)
	}
	return out
}

// emptyToNil makes a stored [] read back as the nil a parser leaves.
func emptyToNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// jsonCol scans a JSON text column into V (a pointer).
type jsonCol struct{ V any }

func (c jsonCol) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	case nil:
		return nil
	default:
		return fmt.Errorf("JSON column holds %T, want TEXT", src)
	}
	if err := json.Unmarshal(b, c.V); err != nil {
		return fmt.Errorf("JSON column: %w", err)
	}
	return nil
}

// checkMessageUTF8 names the first string of m that is not valid UTF-8.
// (encoding/json would silently turn such bytes into U+FFFD.)
func checkMessageUTF8(m *mailproc.Message) error {
	type field struct {
		name, s string
	}
	fields := []field{
		{"Message-ID", m.MessageID}, {"Subject", m.Subject}, {"text", m.Text},
		{"From name", m.From.Name}, {"From address", m.From.Addr},
		{"Sender name", m.Sender.Name}, {"Sender address", m.Sender.Addr},
		{"Auto-Submitted", m.Auto.AutoSubmitted}, {"Precedence", m.Auto.Precedence},
		{"X-Auto-Response-Suppress", m.Auto.XAutoResponseSuppress},
		{"Return-Path", m.Auto.ReturnPath}, {"Content-Type", m.Auto.ContentType},
		{"report-type", m.Auto.ReportType}, {"robot marker", m.Auto.Marker}, {"SHA-256", m.SHA256},
		{"archive path", m.ArchivePath}, {"mailbox", m.Delivery.Mailbox},
	}
	for _, l := range []struct {
		name  string
		addrs []mailproc.Address
	}{{"Reply-To", m.ReplyTo}, {"To", m.To}, {"Cc", m.Cc}} {
		for _, a := range l.addrs {
			fields = append(fields, field{l.name + " name", a.Name}, field{l.name + " address", a.Addr})
		}
	}
	for _, l := range []struct {
		name string
		ss   []string
	}{
		{"In-Reply-To", m.InReplyTo}, {"References", m.References},
		{"Authentication-Results", m.AuthResults}, {"notes", m.Notes},
	} {
		for _, s := range l.ss {
			fields = append(fields, field{l.name, s})
		}
	}
	for _, a := range m.Attachments {
		fields = append(fields, field{"attachment filename", a.Filename},
			field{"attachment content type", a.ContentType})
	}
	for _, f := range fields {
		if !utf8.ValidString(f.s) {
			return fmt.Errorf("%s is not valid UTF-8", f.name)
		}
	}
	return nil
}
