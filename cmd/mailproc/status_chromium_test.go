package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	nethttp "net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/dpk-kampar/mailproc/mailproc"
	mhttp "github.com/dpk-kampar/mailproc/mailproc/http"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// TestChromiumStatus: the status page the heads open on a phone, from a
// real database (open and overdue cases with long Indonesian subjects),
// served by the real HTTP server and laid out by headless Chromium at
// 412 px: the agency on top, every open and overdue case listed with its
// subject and age, no table wider than the screen, no case number broken
// over two lines; and the same printed on A4 (794 px, print media); a
// screenshot of each is kept beside the test's artifacts.
func TestChromiumStatus(t *testing.T) {
	exe := needChromium(t)
	wib, _ := time.LoadLocation("Asia/Jakarta")
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, wib)
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "mailproc.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	subjects := []string{
		"Permohonan salinan arsip surat keputusan pengangkatan kepala desa Kuok tahun 1982 untuk keperluan ahli waris",
		"Buku pinjaman rusak dan denda keterlambatan",
		"Jam buka perpustakaan keliling di Kecamatan Tambang pada hari libur nasional dan cuti bersama",
		"",
	}
	err = db.Intake(context.Background(), func(tx mailproc.IntakeTx) error {
		for i, subj := range subjects {
			kind := mailproc.KindInformasi
			if i%2 == 1 {
				kind = mailproc.KindAduan
			}
			opened := now.Add(-time.Duration(50-12*i) * time.Hour)
			c := &mailproc.Case{Number: mailproc.FormatNumber(kind, 2026, 40+i), Kind: kind, State: mailproc.StateDiakui,
				CitizenAddr: fmt.Sprintf("warga%d@gmail.com", i), Subject: subj, OpenedAt: opened, UpdatedAt: opened,
				DueAt: opened.Add(time.Duration(4*(i+1)) * time.Hour), EscalationLevel: i % 3}
			if err := tx.CreateCase(c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := &mhttp.Server{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler),
		Agency: "Dinas Perpustakaan dan Kearsipan Kabupaten Kampar", DeskName: "Layanan Informasi dan Aduan Masyarakat",
		Stats: func(ctx context.Context) (mhttp.Stats, error) {
			st := mhttp.Stats{Now: now, IMAPConnected: true, LastSync: now.Add(-time.Minute)}
			st.Month.Start = time.Date(2026, 12, 1, 0, 0, 0, 0, wib)
			f, err := db.DeskFigures(ctx, now, st.Month.Start)
			if err == nil {
				addFigures(&st, f)
			}
			return st, err
		}}
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	resp, err := nethttp.Get("http://" + srv.ListenAddr() + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("status page: %d %v", resp.StatusCode, err)
	}
	dir := artifactsDir(t)
	htmlPath := filepath.Join(dir, "status.html")
	if err := os.WriteFile(htmlPath, page, 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, w := openPage(t, newBrowser(t, exe), htmlPath)
	if p := w.Problems(); len(p) > 0 {
		t.Errorf("Chromium reports %d problems with the status page:\n%s", len(p), strings.Join(p, "\n"))
	}
	for _, v := range []struct {
		name          string
		width, height int64
		media         string
	}{{"412px", 412, 915, ""}, {"a4", 794, 1123, "print"}} {
		t.Run(v.name, func(t *testing.T) { checkStatusLayout(t, ctx, dir, v.name, v.width, v.height, v.media) })
	}
}

// checkStatusLayout lays the status page out at width × height in media
// ("" screen, "print") and checks it (see TestChromiumStatus).
func checkStatusLayout(t *testing.T, ctx context.Context, dir, name string, width, height int64, media string) {
	err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	type layout struct {
		First       string   `json:"first"`
		Text        string   `json:"text"`
		ClientWidth float64  `json:"clientWidth"`
		ScrollWidth float64  `json:"scrollWidth"`
		Wide        []string `json:"wide"`
		Wrapped     []string `json:"wrapped"`
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[layout](`(() => {
		const de = document.documentElement;
		return {
			first: document.body.innerText.split("\n")[0],
			text: document.body.innerText,
			clientWidth: de.clientWidth, scrollWidth: de.scrollWidth,
			wide: [...document.querySelectorAll("table")]
				.filter(t => t.getBoundingClientRect().right > de.clientWidth)
				.map(t => t.rows[0].innerText),
			wrapped: [...document.querySelectorAll("td")]
				.filter(td => /^(INF|ADU)-\d{4}-\d{5}$/.test(td.textContent))
				.filter(td => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length > 1; })
				.map(td => td.textContent),
		};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got.First != "Dinas Perpustakaan dan Kearsipan Kabupaten Kampar" {
		t.Errorf("the page starts with %q, want the agency", got.First)
	}
	if got.ClientWidth != float64(width) || got.ScrollWidth > got.ClientWidth || len(got.Wide) > 0 {
		t.Errorf("page %v px wide in a %v px window, tables past the edge: %q", got.ScrollWidth, got.ClientWidth, got.Wide)
	}
	if len(got.Wrapped) > 0 {
		t.Errorf("case numbers broken over two lines: %q", got.Wrapped)
	}
	for _, want := range []string{
		"Kasus terlambat: 3", "Kasus terbuka: 4",
		"INF-2026-00040", "Permohonan salinan arsip surat keputusan pengangkatan kepala desa Kuok tahun…",
		"ADU-2026-00041", "Buku pinjaman rusak dan denda keterlambatan", "1 hari", // opened 38 hours ago
		"ADU-2026-00043", "(tanpa subjek)", "14 jam", "1 hari 22 jam", "tingkat 2",
	} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("status page (%s) lacks %q:\n%s", name, want, got.Text)
		}
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if img, err := png.Decode(bytes.NewReader(shot)); err != nil || img.Bounds().Dx() != int(width) {
		t.Errorf("screenshot not a PNG %d px wide: %v", width, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "status-"+name+".png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
}
