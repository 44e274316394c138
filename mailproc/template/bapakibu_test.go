package template

import (
	"regexp"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestCitizenMailsSayBapakIbu: every mail to a citizen (tanda terima of
// both kinds, answer, closing), in every sample the built-in check renders,
// addresses the citizen as Bapak/Ibu: the word "Anda" appears nowhere, not
// in a subject, a body or a footer.
func TestCitizenMailsSayBapakIbu(t *testing.T) {
	s := load(t, "")
	anda := regexp.MustCompile(`(?i)\banda\b`)
	for _, name := range []string{mailproc.TemplateAckInformasi, mailproc.TemplateAckAduan, mailproc.TemplateAnswer, mailproc.TemplateClosing} {
		smp := samples(name)
		if len(smp) == 0 {
			t.Fatalf("%s: no samples", name)
		}
		for _, sm := range smp {
			r, err := s.Render(name, sm.data)
			if err != nil {
				t.Fatalf("%s (%s): %v", name, sm.label, err)
			}
			for part, text := range map[string]string{"subject": r.Subject, "text": r.Text, "HTML": r.HTML} {
				if m := anda.FindString(text); m != "" {
					t.Errorf("%s (%s): the %s says %q:\n%s", name, sm.label, part, m, text)
				}
			}
			if !regexp.MustCompile(`Bapak/Ibu`).MatchString(r.Text) {
				t.Errorf("%s (%s): the text never says Bapak/Ibu", name, sm.label)
			}
		}
	}
}
