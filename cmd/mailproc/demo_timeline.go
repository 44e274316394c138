package main

import (
	"fmt"
	"io"
	"net/mail"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/memserver"
)

// demoTimeline prints the demo as a short story: each line starts with the
// demo clock's time; "→" is what a citizen or the staff do, "←" each mail
// the desk sent. The "←" lines are read from the SMTP sink, not from the
// daemon's own records, so the terminal shows what really went out, to whom.
type demoTimeline struct {
	w   io.Writer
	loc *time.Location
	now func() time.Time
	// heads names the chain's addresses by title, for the escalation lines.
	heads map[string]string
	// due is a case's deadline by number (zero if unknown), for the
	// acknowledgement lines.
	due  func(number string) time.Time
	told int // sink mails printed so far

	live    bool   // w is a terminal: show the running clock while waiting
	ticking string // the running clock's stamp on the last line; "" if none
}

func (t *demoTimeline) stamp(at time.Time) string {
	return "[" + at.In(t.loc).Format("15.04") + "]"
}

// say prints one step of the demo at the clock's time.
func (t *demoTimeline) say(format string, args ...any) {
	t.untick()
	fmt.Fprintf(t.w, "%s %s\n", t.stamp(t.now()), fmt.Sprintf(format, args...))
}

// sent prints the mails the sink got since the last call, at the time the
// desk wrote them (their Date header, on the demo clock).
func (t *demoTimeline) sent(mails []memserver.Mail) {
	for _, m := range mails[min(t.told, len(mails)):] {
		t.untick()
		at := t.now()
		if d, err := mail.ParseDate(headerOf(m.Data, "Date")); err == nil {
			at = d
		}
		fmt.Fprintf(t.w, "%s   ← %s\n", t.stamp(at), t.describe(m))
	}
	t.told = max(t.told, len(mails))
}

// tick shows the running clock on a terminal, so a fast-forward is seen
// to move; nothing on a pipe or in a test.
func (t *demoTimeline) tick() {
	if s := t.stamp(t.now()); t.live && s != t.ticking {
		fmt.Fprintf(t.w, "\r%s …", s)
		t.ticking = s
	}
}

func (t *demoTimeline) untick() {
	if t.ticking != "" {
		fmt.Fprint(t.w, "\r\033[K")
		t.ticking = ""
	}
}

// demoLevelRE finds the level in an escalation's subject.
var demoLevelRE = regexp.MustCompile(`\] Eskalasi tingkat (\d+)`)

// describe says in one line what a mail the desk sent is, by its subject
// (the built-in templates') and its To and Cc.
func (t *demoTimeline) describe(m memserver.Mail) string {
	subj := headerOf(m.Data, "Subject")
	num := mailproc.FindNumber(subj)
	to := strings.Join(addressesOf(m.Data, "To"), ", ")
	switch {
	case strings.Contains(subj, "] Tanda terima:"):
		line := fmt.Sprintf("tanda terima %s ke warga %s", num, to)
		if due := t.due(num); !due.IsZero() {
			line += ", dijawab paling lambat " + due.In(t.loc).Format("15.04")
		}
		return line
	case strings.Contains(subj, "] Kasus baru:"):
		return fmt.Sprintf("notifikasi kasus baru %s ke %s", num, to)
	case strings.Contains(subj, "] Pesan lanjutan dari warga"):
		return fmt.Sprintf("pesan lanjutan %s diteruskan ke %s", num, to)
	case strings.HasPrefix(subj, "Email dikarantina"):
		return "email rusak dikarantina; pemberitahuan ke ops " + to
	case strings.Contains(subj, "] Jawaban"):
		return fmt.Sprintf("jawaban petugas %s diteruskan ke warga %s", num, to)
	case strings.Contains(subj, "] Selesai:"):
		return fmt.Sprintf("%s selesai; warga %s diminta menilai layanan (1-4)", num, to)
	case strings.Contains(subj, "] Terkirim ke warga"):
		return fmt.Sprintf("konfirmasi ke %s: jawaban %s terkirim", to, num)
	case demoLevelRE.MatchString(subj):
		level := demoLevelRE.FindStringSubmatch(subj)[1]
		line := fmt.Sprintf("%s belum dijawab: eskalasi tingkat %s ke %s", num, level, t.titled(addressesOf(m.Data, "To")))
		if cc := addressesOf(m.Data, "Cc"); len(cc) > 0 {
			var titles []string
			for _, a := range cc {
				titles = append(titles, t.title(a))
			}
			line += ", tembusan " + strings.Join(titles, " dan ")
		}
		return line
	}
	return fmt.Sprintf("ke %s: %s", strings.Join(m.To, ", "), subj)
}

// title is a head's title, or the address of anyone else.
func (t *demoTimeline) title(addr string) string {
	if title, ok := t.heads[strings.ToLower(addr)]; ok {
		return title
	}
	return addr
}

// titled is "Kepala Dinas <kadis@…>" for each address.
func (t *demoTimeline) titled(addrs []string) string {
	var out []string
	for _, a := range addrs {
		if title, ok := t.heads[strings.ToLower(a)]; ok {
			out = append(out, title+" <"+a+">")
		} else {
			out = append(out, a)
		}
	}
	return strings.Join(out, ", ")
}

// addressesOf is the bare addresses of an address header of a raw mail.
func addressesOf(raw []byte, header string) []string {
	list, err := mail.ParseAddressList(headerOf(raw, header))
	if err != nil {
		return nil
	}
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Address
	}
	return out
}

// isTerminal reports whether w is a terminal (not a pipe, a file or a test's
// buffer).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
