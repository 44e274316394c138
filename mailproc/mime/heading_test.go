package mime

import (
	"slices"
	"testing"
)

// TestHeadingRecipients: the addresses read under a heading of failed
// recipients — the first one near the heading, then every line that starts
// with an address — and never a skipped one (the bounce's own sender or
// addressee).
func TestHeadingRecipients(t *testing.T) {
	skip := func(a string) bool { return a == "layanan@pustakaarsip.kamparkab.go.id" }
	for _, tt := range []struct {
		name, heading, below string
		want                 []string
	}{
		{"address on the heading line", "Final-Recipient: rfc822; rina@kampar.example\n", "Action: failed\n", []string{"rina@kampar.example"}},
		{"a list, one a line", "the following list of recipients:\n",
			"\nandi@riau.example: 550 5.2.2 Mailbox full\n\"budi@riau.example\":\n<cici@riau.example>\nSMTP error\n",
			[]string{"andi@riau.example", "budi@riau.example", "cici@riau.example"}},
		{"an address inside a later line is no list entry", "could not be delivered to:\n",
			"  dedi@riau.example\n    host mx said: 550 sender <layanan@pustakaarsip.kamparkab.go.id> and eko@riau.example\n",
			[]string{"dedi@riau.example"}},
		{"the skipped address is passed over", "your message to\n",
			"layanan@pustakaarsip.kamparkab.go.id\nfajar@riau.example\n", []string{"fajar@riau.example"}},
		{"nothing past a Message-ID line", "failed recipient\n", "Message-ID: <x@y.example>\ngita@riau.example\n", nil},
		{"nothing too far below the heading", "failed recipient\n", "a\nb\nc\nd\ne\nf\ng\nh\nhadi@riau.example\n", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := headingRecipients(tt.heading, tt.below, skip); !slices.Equal(got, tt.want) {
				t.Errorf("headingRecipients = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestReturnedRecipient: the returned copy's one addressee is named only
// when the bounce names no recipient, is not the bounce's own sender or
// addressee, and the report does not only say "delayed".
func TestReturnedRecipient(t *testing.T) {
	bounce := func(to, status, returnedTo string) string {
		return crlf("Return-Path: <>\nFrom: MAILER-DAEMON@mx.riau.example\nTo: " + to + "\nSubject: Undelivered Mail\n" +
			"Content-Type: multipart/report; report-type=delivery-status; boundary=R\n\n" +
			"--R\nContent-Type: text/plain\n\nYour message could not be delivered.\n" +
			"--R\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.riau.example\n" + status +
			"--R\nContent-Type: message/rfc822\n\nFrom: arsip@pustakaarsip.kamparkab.go.id\nTo: " + returnedTo +
			"\nMessage-ID: <ack.1@pustakaarsip.kamparkab.go.id>\nSubject: x\n\nisi\n--R--\n")
	}
	delayed := "\nFinal-Recipient: rfc822; sri@odesa.example\nAction: delayed\nStatus: 4.4.1\n"
	for _, tt := range []struct {
		name, mail string
		want       []string
	}{
		{"one addressee", bounce("layanan@pustakaarsip.kamparkab.go.id", "", "sri@odesa.example"), []string{"sri@odesa.example"}},
		{"the bounce's own addressee", bounce("layanan@pustakaarsip.kamparkab.go.id", "", "Layanan@pustakaarsip.kamparkab.go.id"), nil},
		{"the bounce's own sender", bounce("layanan@pustakaarsip.kamparkab.go.id", "", "MAILER-DAEMON@mx.riau.example"), nil},
		{"only delayed", bounce("layanan@pustakaarsip.kamparkab.go.id", delayed, "sri@odesa.example"), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := parseString(t, tt.mail)
			if m.Report == nil {
				t.Fatal("no report read")
			}
			if !slices.Equal(m.Report.Recipients, tt.want) {
				t.Errorf("recipients %q, want %q", m.Report.Recipients, tt.want)
			}
		})
	}
}
