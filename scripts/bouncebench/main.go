// Command bouncebench measures mailproc's bounce reading against the
// reference bounce corpus sisimai/set-of-emails, with go-sisimai's own tests
// saying which sample is a bounce and how many failed recipients it holds.
// Neither is kept in this repository: scripts/bounce-bench explains how to
// get them and passes their locations. The figures go to docs/benchmarks.md.
//
// For every public sample a go-sisimai test (fact/*_test.go, publiclist)
// expects, except auto-replies (vacation), delivery successes (delivered)
// and spam reports (feedback), it parses the file with mailproc's MIME
// reader and counts:
//
//   - original Message-ID: the report names a Message-ID that occurs in the
//     file and is not only the bounce's own, of the samples that return a
//     Message-ID line at all;
//   - failed recipients: of the records go-sisimai expects for the file, how
//     many mailproc names (each address found must occur in the file and
//     be neither the bounce's From nor its To);
//   - recognised: mailproc.IsBounce, no acknowledgement, no case.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/mime"
)

var (
	funcRE   = regexp.MustCompile(`func Test(Lhost|Rhost)(\w+)\(t \*testing\.T\)`)
	listRE   = regexp.MustCompile(`(?s)publiclist := \[\]\[\]IsExpected\{(.*?)\}; EngineTest\(t, "([^"]+)", publiclist, true\)`)
	idLineRE = regexp.MustCompile(`(?im)^[>\s]*message-id:\s*<`)
	entryRE  = regexp.MustCompile(`\{"([0-9A-Za-z]+)",\s*(\d+),\s*"([^"]*)",\s*"([^"]*)",\s*"([^"]*)"`)
)

type sample struct {
	file    string
	records int // expected failed recipients
}

func main() {
	emails := flag.String("emails", "", "a checkout of sisimai/set-of-emails")
	sisimai := flag.String("sisimai", "", "a checkout of sisimai/go-sisimai")
	verbose := flag.Bool("v", false, "list every miss")
	flag.Parse()
	if *emails == "" || *sisimai == "" {
		fmt.Fprintln(os.Stderr, "usage: bouncebench -emails DIR -sisimai DIR [-v]")
		os.Exit(2)
	}
	samples, err := expected(*sisimai, filepath.Join(*emails, "maildir", "bsd"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var files, withID, idFound, records, rcptFound, recognised, noCase int
	for _, s := range samples {
		raw, err := os.ReadFile(s.file)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		files++
		records += s.records
		m, err := mime.Parse(bytes.NewReader(raw), mime.Options{})
		if err != nil {
			if *verbose {
				fmt.Printf("unreadable %s: %v\n", filepath.Base(s.file), err)
			}
			continue
		}
		if mailproc.IsBounce(m) {
			recognised++
		} else if *verbose {
			fmt.Printf("not a bounce %s (from %q, automatic %q)\n", filepath.Base(s.file), m.From.Addr, mailproc.AutomaticReason(m))
		}
		if !mailproc.OpensCase(m) {
			noCase++
		}
		lower := bytes.ToLower(raw)
		r := m.Report
		ok := false
		if r != nil {
			for _, id := range r.OriginalIDs {
				// The bounce's own id counts only when the file holds it twice
				// (anonymized samples give both mails one id).
				n := bytes.Count(lower, []byte(strings.ToLower(id)))
				if n > 0 && (id != m.MessageID || n >= 2) {
					ok = true
					break
				}
			}
		}
		// Only a bounce that returns a Message-ID can give one: some return
		// headers without it.
		returned := len(idLineRE.FindAllIndex(raw, -1))
		if m.MessageID != "" {
			returned--
		}
		if returned > 0 || ok {
			withID++
		}
		if ok {
			idFound++
		} else if *verbose && returned > 0 {
			fmt.Printf("no original id %s\n", filepath.Base(s.file))
		}
		got := 0
		if r != nil {
			for _, a := range r.Recipients {
				// Named in the file, and not the bounce's own sender or
				// addressee (the returned mail's author).
				if bytes.Contains(lower, []byte(strings.ToLower(a))) && !m.FromOrTo(a) {
					got++
				}
			}
		}
		if got < s.records && *verbose {
			fmt.Printf("recipients %d of %d %s\n", got, s.records, filepath.Base(s.file))
		}
		rcptFound += min(got, s.records)
	}
	pct := func(a, b int) float64 { return 100 * float64(a) / float64(max(b, 1)) }
	fmt.Printf("bounce samples: %d (failed recipients expected: %d)\n", files, records)
	fmt.Printf("original Message-ID found: %d / %d returning one = %.1f%% (%d samples return none)\n", idFound, withID, pct(idFound, withID), files-withID)
	fmt.Printf("failed recipients found:   %d / %d = %.1f%%\n", rcptFound, records, pct(rcptFound, records))
	fmt.Printf("recognised as bounce:      %d / %d = %.1f%%\n", recognised, files, pct(recognised, files))
	fmt.Printf("would open no case:        %d / %d = %.1f%%\n", noCase, files, pct(noCase, files))
}

// expected reads go-sisimai's fact tests for the public samples and the
// number of records each should give.
func expected(sisimai, dir string) ([]sample, error) {
	tests, err := filepath.Glob(filepath.Join(sisimai, "fact", "*_test.go"))
	if err != nil || len(tests) == 0 {
		return nil, fmt.Errorf("no go-sisimai tests under %s/fact", sisimai)
	}
	var out []sample
	for _, f := range tests {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		fn := funcRE.FindSubmatch(src)
		if fn == nil {
			continue
		}
		prefix := "lhost-"
		if string(fn[1]) == "Rhost" {
			prefix = "rhost-"
		}
		for _, l := range listRE.FindAllSubmatch(src, -1) {
			engine := strings.ToLower(string(l[2]))
			count := map[string]int{}
			skip := map[string]bool{}
			for _, e := range entryRE.FindAllSubmatch(l[1], -1) {
				label, reason := string(e[1]), string(e[5])
				count[label]++
				if reason == "vacation" || reason == "delivered" || reason == "feedback" {
					skip[label] = true
				}
			}
			var labels []string
			for l := range count {
				labels = append(labels, l)
			}
			sort.Strings(labels)
			for _, label := range labels {
				if skip[label] {
					continue
				}
				path := filepath.Join(dir, prefix+engine+"-"+label+".eml")
				if _, err := os.Stat(path); err != nil {
					continue // a sample only in go-sisimai's private set
				}
				out = append(out, sample{file: path, records: count[label]})
			}
		}
	}
	return out, nil
}
