package mailproc

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

// labelledMail is one line of testdata/classify/warga.tsv.
type labelledMail struct {
	want                 Kind
	style, subject, body string
}

func readLabelled(t *testing.T) []labelledMail {
	t.Helper()
	f, err := os.Open("testdata/classify/warga.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelledMail
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 4 || (cols[0] != string(KindAduan) && cols[0] != string(KindInformasi)) {
			t.Fatalf("warga.tsv:%d: want kind, style, subject, body", n)
		}
		out = append(out, labelledMail{Kind(cols[0]), cols[1], cols[2], strings.ReplaceAll(cols[3], `\n`, "\n")})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestClassifyLabelled scores Classify on the labelled set of citizen mails
// (formal, slang, regional, English, mixed; both kinds) and fails below the
// floors docs/benchmarks.md reports. scripts/classify-bench prints the
// figures; -v lists every mail classified wrong.
func TestClassifyLabelled(t *testing.T) {
	set := readLabelled(t)
	if len(set) < 200 {
		t.Fatalf("%d labelled mails, want at least 200", len(set))
	}
	type counts struct{ tp, fp, fn int }
	kinds := map[Kind]*counts{KindAduan: {}, KindInformasi: {}}
	styles := map[string][2]int{} // right, total
	for _, m := range set {
		got := Classify(m.subject, m.body)
		s := styles[m.style]
		s[1]++
		if got.Kind == m.want {
			s[0]++
			kinds[m.want].tp++
		} else {
			kinds[m.want].fn++
			kinds[got.Kind].fp++
			t.Logf("wrong: %s %q → %s (%s)", m.want, m.subject, got.Kind, got.Reason)
		}
		styles[m.style] = s
	}
	var names []string
	for s := range styles {
		names = append(names, s)
	}
	sort.Strings(names)
	fmt.Printf("labelled mails: %d\n", len(set))
	floor := map[Kind]float64{KindAduan: 0.9, KindInformasi: 0.9}
	for _, k := range []Kind{KindAduan, KindInformasi} {
		c := kinds[k]
		p := float64(c.tp) / float64(max(1, c.tp+c.fp))
		r := float64(c.tp) / float64(max(1, c.tp+c.fn))
		fmt.Printf("%-10s precision %.3f (%d/%d)  recall %.3f (%d/%d)\n", k, p, c.tp, c.tp+c.fp, r, c.tp, c.tp+c.fn)
		if p < floor[k] || r < floor[k] {
			t.Errorf("%s: precision %.3f recall %.3f, floor %.2f", k, p, r, floor[k])
		}
	}
	for _, s := range names {
		fmt.Printf("style %-9s %d/%d right\n", s, styles[s][0], styles[s][1])
	}
}
