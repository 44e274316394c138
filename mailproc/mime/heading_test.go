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
