package mailproc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzClassify feeds the classifier whatever a subject and a text may hold,
// seeded with the table above and the text of real replies. The kind it
// gives opens a case with a deadline, so it must always be a valid one, with
// a reason staff can read, and the same for the same mail. An explicit tag
// decides; otherwise one more complaint word can never turn an aduan into
// informasi, nor one more information word informasi into aduan.
func FuzzClassify(f *testing.F) {
	f.Add("[ADUAN] Mohon info jam buka", "")
	f.Add("[ pengaduan ] AC", "saya kecewa")
	f.Add("[INFO] buku rusak", "Saya kecewa, buku yang saya pinjam rusak dan kotor.")
	f.Add("Pungutan liar", "Saya dimintai uang saat mendaftar kartu anggota, bukankah tidak dipungut biaya? pungli")
	f.Add("Tanya", "rusak")
	f.Add("\xff\xfe[aduan]", "ſ\u212a\x00 tidak\u00a0puas")
	files, _ := filepath.Glob(filepath.Join("testdata", "replies", "*.eml"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			_, body, _ := strings.Cut(string(b), "\r\n\r\n")
			f.Add(filepath.Base(file), body)
		}
	}
	f.Fuzz(func(t *testing.T, subject, text string) {
		c := Classify(subject, text)
		if !c.Kind.Valid() {
			t.Fatalf("Classify(%q, %q) = kind %q", subject, text, c.Kind)
		}
		if strings.TrimSpace(c.Reason) == "" || !utf8.ValidString(c.Reason) {
			t.Errorf("reason %q", c.Reason)
		}
		if again := Classify(subject, text); again != c {
			t.Errorf("not deterministic: %+v, then %+v", c, again)
		}
		switch {
		case tagAduanRE.MatchString(subject):
			if c.Kind != KindAduan {
				t.Errorf("subject %q has an aduan tag, kind %s", subject, c.Kind)
			}
		case tagInfoRE.MatchString(subject):
			if c.Kind != KindInformasi {
				t.Errorf("subject %q has an info tag, kind %s", subject, c.Kind)
			}
		}
		// Within the part of the text that is read, one more word of a kind
		// only ever moves the decision towards that kind.
		if utf8.RuneCountInString(text) < 3900 {
			if c.Kind == KindAduan {
				if more := Classify(subject, text+" kecewa"); more.Kind != KindAduan {
					t.Errorf("a complaint word more made aduan %s: %s", more.Kind, more.Reason)
				}
			} else if more := Classify(subject, text+" bagaimana"); more.Kind != KindInformasi {
				t.Errorf("an information word more made informasi %s: %s", more.Kind, more.Reason)
			}
		}
		// Only the start of a long text is read: what comes after it does
		// not count, however many complaint words it has.
		long := strings.Repeat(text+" terima kasih ", 4000/(utf8.RuneCountInString(text)+14)+1)
		if Classify(subject, long+strings.Repeat(" rusak kecewa", 50)) != Classify(subject, long) {
			t.Errorf("words past the first 4000 characters changed the kind")
		}
	})
}
