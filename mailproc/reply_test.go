package mailproc_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestReplyTextCorpus reads every client fixture the way the relay does
// (ReplyText, both bodies) and expects the answer a person reads in it.
func TestReplyTextCorpus(t *testing.T) {
	for name, m := range replyFixtures(t) {
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", "replies", name+".want.txt"))
			if err != nil {
				t.Fatal(err)
			}
			got := mailproc.ReplyText(m, nil)
			if strings.TrimSpace(got) != strings.TrimSpace(string(want)) {
				t.Errorf("ReplyText:\n--- got ---\n%s\n--- want ---\n%s\n--- html ---\n%s", got, want, m.HTMLText)
			}
		})
	}
}
