package template

import (
	"strings"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestRenderClosingSurvey: the closing mail's question says it is part of
// the survei kepuasan masyarakat, and keeps the 1-4 scale.
func TestRenderClosingSurvey(t *testing.T) {
	s := load(t, "")
	data := mailproc.ClosingData{Desk: kamparDesk(t), Number: "INF-2026-00042", KindLabel: "Permintaan Informasi",
		Labels: []string{"1 = sangat tidak puas", "2 = tidak puas", "3 = puas", "4 = sangat puas"}}
	r, err := s.Render(mailproc.TemplateClosing, data)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(r.Text), " ")
	for _, w := range []string{"survei kepuasan masyarakat", "Indeks Kepuasan Masyarakat", "1 = sangat tidak puas", "4 = sangat puas"} {
		if !strings.Contains(text, w) {
			t.Errorf("closing mail lacks %q:\n%s", w, r.Text)
		}
	}
}
