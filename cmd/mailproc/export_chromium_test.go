package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestChromiumExport opens `mailproc export NUMBER` of a case with an
// answer and an escalation in headless Chromium: the page loads with no
// console error, exception or outside request, and the text a reader sees
// holds the number, the citizen's text, the answer, the escalation, the
// attachment's name and size, and the rating. With --eml the raw mail is
// written beside it, byte for byte.
func TestChromiumExport(t *testing.T) {
	exe := needChromium(t)
	cfgPath, _, cases := recordsDesk(t, "", 1, "budi.santoso@warga.test")
	rc := cases[0]
	dir := artifactsDir(t)
	htmlPath := filepath.Join(dir, "berkas-"+rc.Number+".html")
	emlDir := filepath.Join(t.TempDir(), "eml")
	mailprocOut(t, "export", "-config", cfgPath, rc.Number, "-o", htmlPath, "--eml", emlDir)

	ctx, w := openPage(t, newBrowser(t, exe), htmlPath)
	if p := w.Problems(); len(p) > 0 {
		t.Errorf("Chromium reports %d problems with the case file:\n%s", len(p), strings.Join(p, "\n"))
	}
	if r := w.Requests(); len(r) != 1 {
		t.Errorf("the page made %d requests, want only itself: %q", len(r), r)
	}
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{rc.Number, "Aduan", rc.Citizen, rc.CitizenText, rc.Answer, "Jawaban (ke warga)",
		rc.Escalation, "Eskalasi ke pimpinan", "foto-atap.jpg", "47.1 KB", "nilai 4 dari 4", "jawaban dikirim ke warga"} {
		if !strings.Contains(text, want) {
			t.Errorf("the case file as Chromium shows it lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("page text:\n%s", text)
	}
	// Nothing sticks out sideways at the width of an A4 page (794 CSS
	// pixels): a long address wraps instead.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(794, 1123)); err != nil {
		t.Fatal(err)
	}
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("the case file is wider than the window: something does not wrap")
	}
	emls, err := filepath.Glob(filepath.Join(emlDir, "*.eml"))
	if err != nil || len(emls) != 1 {
		t.Fatalf("--eml wrote %v (%v), want one mail", emls, err)
	}
	raw, err := os.ReadFile(emls[0])
	if err != nil || !strings.Contains(string(raw), rc.CitizenText) {
		t.Errorf("the exported .eml is not the citizen's mail (%v):\n%s", err, raw)
	}
}
