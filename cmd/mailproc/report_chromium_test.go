package main

// The HTML report as the head of the agency sees it: rendered by a real
// headless Chromium (Debian's package), which must load it without a
// console error, an exception or a request for anything outside the file,
// lay out the charts, and take a full-page screenshot of it.

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// needChromium returns the Chromium to drive: MAILPROC_CHROMIUM (scripts/test
// sets it), else chromium on the PATH. Without one the test is skipped on a
// developer's machine and fails where MAILPROC_REQUIRE_STACK or CI is set,
// as needStack does: CI never passes by skipping the browser.
func needChromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("MAILPROC_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("MAILPROC_CHROMIUM: %v", err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("MAILPROC_REQUIRE_STACK") != "" || os.Getenv("CI") == "true" {
		t.Fatal("headless Chromium is required: apt-get install chromium, or run scripts/test, which installs it")
	}
	t.Skip("no Chromium: apt-get install chromium, or set MAILPROC_CHROMIUM")
	return ""
}

// newBrowser starts one headless Chromium for the test, with the flags CI
// uses (--headless --no-sandbox --disable-gpu --disable-background-networking;
// no sandbox because CI runs as root), a profile in a temp dir, and a
// 1280×900 window. Each tab is a chromedp.NewContext of the returned
// context. Chromium's own output is shown if the test fails.
func newBrowser(t *testing.T, exe string) context.Context {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "chromium.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(logFile),
	)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), 2*time.Minute)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
		logFile.Close()
		if t.Failed() {
			out, _ := os.ReadFile(logPath)
			t.Logf("chromium output:\n%s", out)
		}
	})
	// The first Run starts the browser; its context must live as long as
	// the browser.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	return bctx
}

// pageWatch collects, for one tab, every sign that a page is broken as
// Chromium reports it over the DevTools protocol: console calls at warning
// level or above, uncaught exceptions (a syntax error, a throw, a rejected
// promise), browser log entries at warning level or above (a resource that
// failed, a blocked request), failed requests, HTTP errors, and any request
// for something that is not the page's own file: the report is mailed and
// archived, and must show the same with no network.
type pageWatch struct {
	page string // the URL loaded; the one request allowed

	mu       sync.Mutex
	problems []string
	requests []string
	urls     map[network.RequestID]string
}

func (w *pageWatch) event(ev any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	add := func(format string, a ...any) { w.problems = append(w.problems, fmt.Sprintf(format, a...)) }
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		switch e.Type {
		case runtime.ConsoleAPICalledTypeError, runtime.ConsoleAPICalledTypeAssert, runtime.ConsoleAPICalledTypeWarning:
			var args []string
			for _, a := range e.Args {
				if a.Description != "" {
					args = append(args, a.Description)
				} else {
					args = append(args, strings.Trim(string(a.Value), `"`))
				}
			}
			add("console.%s: %s", e.Type, strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + strings.SplitN(d.Exception.Description, "\n", 2)[0]
		}
		add("exception: %s (%s:%d)", text, d.URL, d.LineNumber+1)
	case *log.EventEntryAdded:
		if e.Entry.Level == log.EntryLevelError || e.Entry.Level == log.EntryLevelWarning {
			add("log %s (%s): %s %s", e.Entry.Level, e.Entry.Source, e.Entry.Text, e.Entry.URL)
		}
	case *network.EventRequestWillBeSent:
		u := e.Request.URL
		w.urls[e.RequestID] = u
		w.requests = append(w.requests, u)
		if u != w.page && !strings.HasPrefix(u, "data:") {
			add("request outside the page: %s", u)
		}
	case *network.EventLoadingFailed:
		add("request failed: %s: %s%s", w.urls[e.RequestID], e.ErrorText, e.BlockedReason)
	case *network.EventResponseReceived:
		if e.Response.Status >= 400 {
			add("HTTP %d: %s", e.Response.Status, e.Response.URL)
		}
	}
}

// Problems returns what went wrong so far.
func (w *pageWatch) Problems() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.problems)
}

// Requests returns every URL the page asked for, in order.
func (w *pageWatch) Requests() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.requests)
}

// openPage loads file in a new tab of browser and watches it. It returns
// once the page has loaded and two frames and a timer have passed, so
// that what a script does at load time is seen.
func openPage(t *testing.T, browser context.Context, file string) (context.Context, *pageWatch) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	w := &pageWatch{page: (&url.URL{Scheme: "file", Path: file}).String(), urls: map[network.RequestID]string{}}
	if err := chromedp.Listen(ctx, w.event); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(w.page)); err != nil {
		t.Fatalf("load %s: %v", w.page, err)
	}
	settle := `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => r(true), 50))))`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](settle, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("wait for %s to settle: %v", w.page, err)
	}
	return ctx, w
}

// TestChromiumPageWatch proves the detector can fail: each broken page is
// caught with the words that say what broke, and a clean page passes.
func TestChromiumPageWatch(t *testing.T) {
	browser := newBrowser(t, needChromium(t))
	dir := t.TempDir()
	page := func(head, body string) string {
		return "<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\"><title>Uji</title>" + head +
			"</head><body><p>Halaman uji</p>" + body + "</body></html>\n"
	}
	tests := []struct {
		name string
		html string
		want string // a problem containing this; "" = no problem at all
	}{
		{"clean", page("", `<svg width="10" height="10"><rect width="10" height="10"/></svg>`), ""},
		{"console.error", page("", `<script>console.error("grafik rusak")</script>`), "console.error: grafik rusak"},
		{"console.warn", page("", `<script>console.warn("hati-hati")</script>`), "console.warning: hati-hati"},
		{"syntax error", page("", `<script>function (</script>`), "exception: Uncaught SyntaxError"},
		{"uncaught throw", page("", `<script>throw new Error("gagal memuat")</script>`), "gagal memuat"},
		{"throw in a timer", page("", `<script>setTimeout(() => { throw new Error("terlambat") }, 0)</script>`), "terlambat"},
		{"rejected promise", page("", `<script>Promise.reject(new Error("janji"))</script>`), "janji"},
		{"missing image", page("", `<img src="tidak-ada.png" alt="">`), "tidak-ada.png"},
		{"external stylesheet", page(`<link rel="stylesheet" href="http://127.0.0.1:1/gaya.css">`, ""),
			"request outside the page: http://127.0.0.1:1/gaya.css"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".html")
			if err := os.WriteFile(file, []byte(tt.html), 0o644); err != nil {
				t.Fatal(err)
			}
			_, w := openPage(t, browser, file)
			got := w.Problems()
			t.Logf("problems: %q", got)
			if tt.want == "" {
				if len(got) != 0 {
					t.Errorf("clean page reported: %q", got)
				}
				return
			}
			if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, tt.want) }) {
				t.Errorf("problems %q lack %q", got, tt.want)
			}
		})
	}
}

// reportMonthConfig is a desk in WIB on office hours with the Nyepi and
// Idul Fitri holidays of March 2026, for `mailproc report`.
func reportMonthConfig(t *testing.T, dataDir string) string {
	t.Helper()
	body := fmt.Sprintf(`
[desk]
agency = "Dinas Perpustakaan dan Kearsipan Kabupaten Kampar"
address = "layanan@pustakaarsip.kamparkab.go.id"
data_dir = %q
ops = ["operator.tik@pustakaarsip.kamparkab.go.id"]
hmac_secret = "laporan-uji-laporan-uji-laporan-uji-0123"
[[desk.staff]]
name = "Rina Marlina"
address = "rina.marlina@pustakaarsip.kamparkab.go.id"

[imap]
host = "127.0.0.1"
tls = "none"
username = "layanan@pustakaarsip.kamparkab.go.id"
password = "tidak-dipakai"

[[chain]]
title = "Kepala Seksi Pelayanan"
addresses = ["kasi.pelayanan@pustakaarsip.kamparkab.go.id"]
after = "30m"
[[chain]]
title = "Kepala Bagian Pelayanan"
addresses = ["kabag.pelayanan@pustakaarsip.kamparkab.go.id"]
after = "1h"
[[chain]]
title = "Kepala Dinas"
addresses = ["kepala.dinas@pustakaarsip.kamparkab.go.id"]

[calendar]
mode = "office"
holidays = ["2026-03-19", "2026-03-20", "2026-03-21"]
`, dataDir)
	path := filepath.Join(dataDir, "mailproc.toml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// seedReportMonth fills db with a busy March 2026: informasi on every
// working day, some answered late; aduan every other working day, some
// escalated to Kepala Seksi and Kepala Bagian; a few evening and weekend
// mails; ratings on a third of the closed cases; and two cases still open,
// one of them escalated to Kepala Dinas. It returns the number of cases,
// escalations per level and ratings.
func seedReportMonth(t *testing.T, db *sqlite.DB, loc *time.Location) (cases int, escalations [4]int, ratings int) {
	t.Helper()
	at := func(d, h, m int) time.Time { return time.Date(2026, time.March, d, h, m, 0, 0, loc) }
	heads := []string{"",
		"tingkat 1 (Kepala Seksi Pelayanan, kasi.pelayanan@pustakaarsip.kamparkab.go.id) diberi tahu: batas waktu terlewati",
		"tingkat 2 (Kepala Bagian Pelayanan, kabag.pelayanan@pustakaarsip.kamparkab.go.id) diberi tahu: batas waktu terlewati",
		"tingkat 3 (Kepala Dinas, kepala.dinas@pustakaarsip.kamparkab.go.id) diberi tahu: batas waktu terlewati",
	}
	scores := []int{4, 3, 4, 4, 2, 3, 4, 1}
	seq := map[mailproc.Kind]int{}
	err := db.Intake(context.Background(), func(tx mailproc.IntakeTx) error {
		add := func(kind mailproc.Kind, opened time.Time, answer time.Duration, level int, open bool) error {
			seq[kind]++
			prefix, due := "INF", 5*time.Minute
			if kind == mailproc.KindAduan {
				prefix, due = "ADU", time.Hour
			}
			c := &mailproc.Case{
				Number: fmt.Sprintf("%s-2026-%05d", prefix, seq[kind]), Kind: kind, State: mailproc.StateSelesai,
				CitizenAddr: fmt.Sprintf("warga%d@warga.test", cases), CitizenName: "Warga", Subject: "Pertanyaan",
				OpenedAt: opened, DueAt: opened.Add(due), EscalationLevel: level,
			}
			switch {
			case open && answer == 0:
				c.State = mailproc.StateDieskalasi
			case open:
				c.State, c.FirstAnswerAt = mailproc.StateDijawab, opened.Add(answer)
			default:
				c.FirstAnswerAt, c.ClosedAt = opened.Add(answer), opened.Add(answer+time.Hour)
			}
			if err := tx.CreateCase(c); err != nil {
				return err
			}
			cases++
			for l := 1; l <= level; l++ {
				escalations[l]++
				if err := tx.AddEvent(&mailproc.Event{CaseID: c.ID, At: opened.Add(due + time.Duration(l)*30*time.Minute),
					Actor: mailproc.ActorSystem, Type: mailproc.EventEscalated, Detail: heads[l]}); err != nil {
					return err
				}
			}
			if !open && cases%3 == 0 {
				ratings++
				return tx.InsertRating(&mailproc.Rating{CaseID: c.ID, Score: scores[ratings%len(scores)],
					Comment: "Terima kasih", At: c.ClosedAt.Add(2 * time.Hour)})
			}
			return nil
		}
		for d := 1; d <= 31; d++ {
			switch at(d, 0, 0).Weekday() {
			case time.Saturday, time.Sunday:
				if d%3 == 0 { // a weekend evening mail, answered Monday morning
					if err := add(mailproc.KindInformasi, at(d, 20, 15), 36*time.Hour, 0, false); err != nil {
						return err
					}
				}
				continue
			}
			for i := range 1 + d%4 {
				answer := 3 * time.Minute
				if (d+i)%5 == 0 {
					answer = 12 * time.Minute
				}
				if err := add(mailproc.KindInformasi, at(d, 8+2*i, 10*i), answer, 0, false); err != nil {
					return err
				}
			}
			if d%2 == 1 {
				answer, level := 40*time.Minute, 0
				switch {
				case d%12 == 1:
					answer, level = 4*time.Hour, 2
				case d%6 == 1:
					answer, level = 2*time.Hour, 1
				}
				if err := add(mailproc.KindAduan, at(d, 10, 30), answer, level, false); err != nil {
					return err
				}
			}
		}
		// Still open at the end of the month.
		if err := add(mailproc.KindAduan, at(30, 14, 0), 0, 3, true); err != nil {
			return err
		}
		return add(mailproc.KindInformasi, at(31, 9, 0), 20*time.Minute, 0, true)
	})
	if err != nil {
		t.Fatal(err)
	}
	return cases, escalations, ratings
}

// artifactsDir is where the report and its screenshot are kept:
// MAILPROC_ARTIFACTS if set (so CI or a person can look at them), else a
// temp dir of the test.
func artifactsDir(t *testing.T) string {
	if d := os.Getenv("MAILPROC_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// TestChromiumReport renders `mailproc report --month 2026-03 --format html`
// of a real database in headless Chromium: the page loads with no console
// error, exception or outside request, carries the Indonesian title, lays
// out both charts inside the page with bars and labels that do not
// overlap, and its full-page screenshot is a PNG that shows the bars.
func TestChromiumReport(t *testing.T) {
	exe := needChromium(t)
	dataDir := t.TempDir()
	cfgPath := reportMonthConfig(t, dataDir)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(cfg.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	total, esc, ratings := seedReportMonth(t, db, cfg.Location())
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"report", "-config", cfgPath, "--month", "2026-03", "--format", "html"}, &out, &errb); code != 0 {
		t.Fatalf("report: exit %d\n%s", code, errb.String())
	}
	dir := artifactsDir(t)
	htmlPath, pngPath := filepath.Join(dir, "laporan-2026-03.html"), filepath.Join(dir, "laporan-2026-03.png")
	if err := os.WriteFile(htmlPath, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, w := openPage(t, newBrowser(t, exe), htmlPath)
	if p := w.Problems(); len(p) > 0 {
		t.Errorf("Chromium reports %d problems with the report:\n%s", len(p), strings.Join(p, "\n"))
	}
	if r := w.Requests(); len(r) != 1 {
		t.Errorf("the page made %d requests, want only itself: %q", len(r), r)
	}

	type pageFacts struct {
		Title        string  `json:"title"`
		H1           string  `json:"h1"`
		Lang         string  `json:"lang"`
		Charset      string  `json:"charset"`
		Text         string  `json:"text"`
		ClientWidth  float64 `json:"clientWidth"`
		ScrollWidth  float64 `json:"scrollWidth"`
		ScrollHeight float64 `json:"scrollHeight"`
		// Wrapped are the case numbers broken over two lines in a table.
		Wrapped []string `json:"wrapped"`
		Charts  []struct {
			Label    string   `json:"label"`
			Width    float64  `json:"width"`
			Height   float64  `json:"height"`
			Left     float64  `json:"left"`
			Right    float64  `json:"right"`
			Bars     int      `json:"bars"`     // rects with a painted height
			Labels   int      `json:"labels"`   // <text> elements
			Overlaps []string `json:"overlaps"` // pairs of <text> whose boxes intersect
		} `json:"charts"`
	}
	facts, err := chromedp.Run(ctx, chromedp.Evaluate[pageFacts](`(() => {
		const de = document.documentElement;
		const overlaps = texts => {
			const out = [];
			const boxes = texts.map(t => [t.textContent, t.getBoundingClientRect()]);
			for (let i = 0; i < boxes.length; i++)
				for (let j = i + 1; j < boxes.length; j++) {
					const [a, ra] = boxes[i], [b, rb] = boxes[j];
					if (ra.left < rb.right && rb.left < ra.right && ra.top < rb.bottom && rb.top < ra.bottom)
						out.push(a + " / " + b);
				}
			return out;
		};
		return {
			title: document.title,
			h1: document.querySelector("h1")?.textContent ?? "",
			lang: de.lang,
			charset: document.characterSet,
			text: document.body.innerText,
			clientWidth: de.clientWidth, scrollWidth: de.scrollWidth, scrollHeight: de.scrollHeight,
			wrapped: [...document.querySelectorAll("td")]
				.filter(td => /^(INF|ADU)-\d{4}-\d{5}$/.test(td.textContent))
				.filter(td => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length > 1; })
				.map(td => td.textContent),
			charts: [...document.querySelectorAll("svg")].map(s => {
				const r = s.getBoundingClientRect();
				const texts = [...s.querySelectorAll("text")];
				return {
					label: s.getAttribute("aria-label") ?? "",
					width: r.width, height: r.height, left: r.left, right: r.right,
					bars: [...s.querySelectorAll("rect")].filter(x => x.getBoundingClientRect().height >= 1).length,
					labels: texts.length,
					overlaps: overlaps(texts),
				};
			}),
		};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Laporan Bulanan Maret 2026"; facts.Title != want || facts.H1 != want {
		t.Errorf("title %q, heading %q; want %q", facts.Title, facts.H1, want)
	}
	if facts.Lang != "id" || facts.Charset != "UTF-8" {
		t.Errorf("lang %q, charset %q; want id, UTF-8", facts.Lang, facts.Charset)
	}
	if facts.ScrollWidth > facts.ClientWidth {
		t.Errorf("page is %v px wide in a %v px window: something is cut off", facts.ScrollWidth, facts.ClientWidth)
	}
	if len(facts.Wrapped) > 0 {
		t.Errorf("case numbers broken over two lines: %q", facts.Wrapped)
	}
	for _, want := range []string{
		fmt.Sprintf("Jumlah seluruh kasus: %d", total),
		fmt.Sprintf("Tingkat 1\t%d", esc[1]), fmt.Sprintf("Tingkat 2\t%d", esc[2]), fmt.Sprintf("Tingkat 3\t%d", esc[3]),
		fmt.Sprintf("%d penilaian, rata-rata", ratings),
		"Kasus masih terbuka (2)", "ADU-2026-", "Kasus harian", "Sesuai janji",
	} {
		if !strings.Contains(facts.Text, want) {
			t.Errorf("the rendered page does not show %q", want)
		}
	}
	if len(facts.Charts) != 2 {
		t.Fatalf("%d charts, want 2", len(facts.Charts))
	}
	for _, c := range facts.Charts {
		if c.Width < 300 || c.Height < 100 {
			t.Errorf("chart %q rendered %v×%v px", c.Label, c.Width, c.Height)
		}
		if c.Left < 0 || c.Right > facts.ClientWidth {
			t.Errorf("chart %q spans x %v..%v of a %v px page: cut off", c.Label, c.Left, c.Right, facts.ClientWidth)
		}
		if c.Bars < 20 {
			t.Errorf("chart %q has %d painted bars; the month has cases on every working day", c.Label, c.Bars)
		}
		if c.Labels < 31 {
			t.Errorf("chart %q has %d labels, want a day label for each of 31 days and the scale", c.Label, c.Labels)
		}
		if len(c.Overlaps) > 0 {
			t.Errorf("chart %q: labels overlap: %q", c.Label, c.Overlaps)
		}
	}

	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pngPath, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("report %s, screenshot %s", htmlPath, pngPath)
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() != int(facts.ClientWidth) || b.Dy() < int(facts.ScrollHeight) || b.Dy() < 900 {
		t.Errorf("screenshot %dx%d, want the whole page, %vx%v", b.Dx(), b.Dy(), facts.ClientWidth, facts.ScrollHeight)
	}
	// The bars are painted in the series colours (force-color-profile=srgb
	// keeps them exact).
	for _, c := range []color.RGBA{{0x4a, 0x7f, 0xb5, 0xff}, {0xe0, 0x91, 0x3a, 0xff}, {0x3a, 0x9a, 0x5b, 0xff}, {0xc8, 0x42, 0x3b, 0xff}} {
		if n := countColor(img, c); n < 200 {
			t.Errorf("screenshot has %d pixels of #%02x%02x%02x; the bars are not painted", n, c.R, c.G, c.B)
		}
	}

	// The heads read it on a phone (412 px) and print it on A4 (794 px at
	// 96 dpi, print media): the agency's name on top, nothing wider than
	// the page, no case number broken, both charts inside; a screenshot of
	// each and an A4 PDF are kept beside the report.
	const agency = "Dinas Perpustakaan dan Kearsipan Kabupaten Kampar"
	for _, v := range []struct {
		name          string
		width, height int64
		media         string
	}{{"412px", 412, 915, ""}, {"a4", 794, 1123, "print"}} {
		err := chromedp.Do(ctx, chromedp.EmulateViewport(v.width, v.height), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: v.media})
			return err
		}))
		if err != nil {
			t.Fatal(err)
		}
		type layout struct {
			First       string   `json:"first"`
			ClientWidth float64  `json:"clientWidth"`
			ScrollWidth float64  `json:"scrollWidth"`
			Wrapped     []string `json:"wrapped"`
			ChartRight  float64  `json:"chartRight"`
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[layout](`(() => {
			const de = document.documentElement;
			return {
				first: document.body.innerText.split("\n")[0],
				clientWidth: de.clientWidth, scrollWidth: de.scrollWidth,
				wrapped: [...document.querySelectorAll("td")]
					.filter(td => /^(INF|ADU)-\d{4}-\d{5}$/.test(td.textContent))
					.filter(td => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length > 1; })
					.map(td => td.textContent),
				chartRight: Math.max(...[...document.querySelectorAll("svg")].map(s => s.getBoundingClientRect().right)),
			};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if got.First != agency {
			t.Errorf("%s: the page starts with %q, want the agency %q", v.name, got.First, agency)
		}
		if got.ClientWidth != float64(v.width) || got.ScrollWidth > got.ClientWidth || got.ChartRight > got.ClientWidth {
			t.Errorf("%s: page %v px wide, charts to %v px, in a %v px window (want %d): something is cut off",
				v.name, got.ScrollWidth, got.ChartRight, got.ClientWidth, v.width)
		}
		if len(got.Wrapped) > 0 {
			t.Errorf("%s: case numbers broken over two lines: %q", v.name, got.Wrapped)
		}
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(shot))
		if err != nil || img.Bounds().Dx() != int(v.width) {
			t.Errorf("%s: screenshot not a PNG %d px wide: %v", v.name, v.width, err)
		}
		name := filepath.Join(dir, "laporan-2026-03-"+v.name+".png")
		if err := os.WriteFile(name, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", name)
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize()))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("the A4 print is not a PDF")
	}
	if err := os.WriteFile(filepath.Join(dir, "laporan-2026-03-a4.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// countColor counts the pixels of img that are exactly c.
func countColor(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B {
				n++
			}
		}
	}
	return n
}
