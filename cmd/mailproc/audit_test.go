package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/report"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// TestAuditOnDemoDatabase takes the database the daemon wrote in `mailproc
// demo` and checks what an auditor would: the month's figures do not move
// when the office hours, holidays, promise or a case's kind change
// afterwards; the public edition holds no personal data and shows the IKM
// with its grade; `mailproc verify` passes, and after one UPDATE of an
// event's time it fails naming that case.
func TestAuditOnDemoDatabase(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"demo", "-data", dir}, &out, &errb); code != 0 {
		t.Fatalf("demo exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	cfgPath := reportMonthConfig(t, dir)
	ctx := context.Background()
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(cfg.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	cases, err := db.ListCases(ctx, sqlite.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var budi *mailproc.Case
	for _, c := range cases {
		if c.CitizenAddr == "budi.santoso88@yahoo.co.id" {
			budi = c
		} else if c.Verdict.Outcome != mailproc.OutcomeWithin || !c.Verdict.HasServiceTime || c.Verdict.Calendar == "" {
			t.Errorf("%s answered in time, verdict %+v", c.Number, c.Verdict)
		}
	}
	if budi == nil || budi.Verdict.Outcome != mailproc.OutcomeLate || budi.Verdict.HasServiceTime ||
		budi.Verdict.Promise != time.Hour || budi.Verdict.Kind != mailproc.KindAduan {
		t.Fatalf("Budi's complaint ran out unanswered; verdict %+v", budi)
	}

	// The demo's month, read once it has ended.
	opened := budi.OpenedAt.In(cfg.Location())
	year, month := opened.Year(), opened.Month()
	after := time.Date(year, month+1, 3, 10, 0, 0, 0, cfg.Location())
	formats := map[string]func(io.Writer, mailproc.MonthReport) error{
		"text": report.Text, "csv": report.CSV, "html": report.HTML,
		"public text": report.PublicText, "public html": report.PublicHTML,
	}
	reports := func(cfg *config.Config, now time.Time) map[string]string {
		t.Helper()
		got := map[string]string{}
		for name, render := range formats {
			var b bytes.Buffer
			if err := writeReport(ctx, &b, db, cfg, year, month, now, render); err != nil {
				t.Fatal(err)
			}
			got[name] = b.String()
		}
		return got
	}
	before := reports(cfg, after)
	for _, want := range []string{"Persentase sesuai janji     : 100,0%", "Persentase sesuai janji     : 50,0%",
		"Kepala rantai riwayat: peristiwa #", "IKM 100,00 (mutu A, Sangat Baik); 1 jawaban"} {
		if !strings.Contains(before["text"], want) {
			t.Errorf("the report lacks %q:\n%s", want, before["text"])
		}
	}

	// Afterwards the desk changes its office hours, holidays and promises,
	// and staff reclassify Budi's complaint as informasi.
	body, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(body), "[calendar]\nmode = \"office\"\n",
		"[calendar]\nmode = \"office\"\nmonday = \"10:00-11:00\"\nsaturday = \"08:00-12:00\"\n", 1)
	changed = strings.Replace(changed, "holidays = [", "holidays = [\""+opened.Format("2006-01-02")+"\", ", 1)
	changed = strings.Replace(changed, "[desk]\n", "[desk]\ninfo_due = \"1m\"\ncomplaint_due = \"10m\"\n", 1)
	if changed == string(body) || strings.Count(changed, opened.Format("2006-01-02")) != 1 {
		t.Fatalf("config not changed:\n%s", changed)
	}
	if err := os.WriteFile(cfgPath, []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg2, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if v1, v2 := calendarVersion(t, cfg), calendarVersion(t, cfg2); v1 == v2 {
		t.Fatalf("calendar version did not change: %s", v1)
	}
	raw, err := sql.Open("sqlite3", cfg.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("UPDATE cases SET kind = 'informasi' WHERE id = ?", budi.ID); err != nil {
		t.Fatal(err)
	}
	// A day later: only the "made at" line may differ.
	again := reports(cfg2, after.Add(26*time.Hour))
	madeAt := regexp.MustCompile(`(?m)^.*(Dibuat|Diterbitkan).*$`)
	for name := range formats {
		if madeAt.ReplaceAllString(again[name], "") != madeAt.ReplaceAllString(before[name], "") {
			t.Errorf("%s report changed with the config:\n%s", name, lineDiff(before[name], again[name]))
		}
	}

	// The public edition names nobody.
	var pub bytes.Buffer
	if code := run(ctx, []string{"report", "-config", cfgPath, "--public", "--format", "html",
		"--month", opened.Format("2006-01")}, &pub, &errb); code != 0 {
		t.Fatalf("report --public exit %d: %s", code, errb.String())
	}
	page := pub.String()
	for _, want := range []string{"Indeks Kepuasan Masyarakat", "100,00", "A (Sangat Baik)", "kepala rantai riwayat"} {
		if !strings.Contains(page, want) {
			t.Errorf("the public page lacks %q", want)
		}
	}
	personal := personalData(t, raw)
	if len(personal) < 8 {
		t.Fatalf("only %d personal strings read from the database: %q", len(personal), personal)
	}
	for name, text := range map[string]string{"html": page, "text": before["public text"]} {
		for _, s := range personal {
			if strings.Contains(strings.ToLower(text), strings.ToLower(s)) {
				t.Errorf("the public %s holds %q from the database", name, s)
			}
		}
		if m := regexp.MustCompile(`(?i)\b(INF|ADU)-\d{4}-\d+|@`).FindString(text); m != "" {
			t.Errorf("the public %s holds %q", name, m)
		}
	}
	// The full report does hold them: the search would find them.
	if !strings.Contains(before["html"], budi.Number) {
		t.Errorf("the internal report lacks %s", budi.Number)
	}

	// cases show gives the verdict, in text and JSON.
	var show bytes.Buffer
	if code := run(ctx, []string{"cases", "show", "-config", cfgPath, budi.Number}, &show, &errb); code != 0 ||
		!strings.Contains(show.String(), "Putusan     : melewati janji: belum dijawab, janji 1 jam") ||
		!strings.Contains(show.String(), "putusan") || !strings.Contains(show.String(), "Email keluar (") {
		t.Errorf("cases show: exit %d\n%s", code, show.String())
	}
	show.Reset()
	if code := run(ctx, []string{"cases", "show", "-config", cfgPath, "--json", budi.Number}, &show, &errb); code != 0 ||
		!strings.Contains(show.String(), `"outcome": "terlambat"`) || !strings.Contains(show.String(), `"promise_minutes": 60`) ||
		strings.Contains(show.String(), "service_minutes") {
		t.Errorf("cases show --json: exit %d\n%s", code, show.String())
	}
	// The number as a person types it, the flag after it.
	k, year, seq, err := mailproc.ParseNumber(budi.Number)
	if err != nil {
		t.Fatal(err)
	}
	typed := strings.ToLower(fmt.Sprintf("%s-%d-%d", k.Prefix(), year, seq))
	show.Reset()
	if code := run(ctx, []string{"cases", "show", "-config", cfgPath, typed, "--json"}, &show, &errb); code != 0 ||
		!strings.Contains(show.String(), `"outcome": "terlambat"`) || !strings.Contains(show.String(), budi.Number) ||
		!strings.Contains(show.String(), `"purpose": "ack"`) {
		t.Errorf("cases show %s --json: exit %d\n%s%s", typed, code, show.String(), errb.String())
	}

	// verify passes on the daemon's database, and names the case after one
	// UPDATE of an event's time.
	var vout, verr bytes.Buffer
	if code := run(ctx, []string{"verify", "-config", cfgPath}, &vout, &verr); code != 0 {
		t.Fatalf("verify on the demo's database: exit %d\n%s%s", code, vout.String(), verr.String())
	}
	if !strings.Contains(vout.String(), "riwayat utuh") {
		t.Errorf("verify said %q", vout.String())
	}
	// The head the report printed is still in the history.
	head := regexp.MustCompile(`Kepala rantai riwayat: (.*)`).FindStringSubmatch(before["text"])
	if head == nil {
		t.Fatal("no chain head in the report")
	}
	vout.Reset()
	if code := run(ctx, []string{"verify", "-config", cfgPath, "--head", head[1]}, &vout, &verr); code != 0 ||
		!strings.Contains(vout.String(), "kepala rantai laporan ada di riwayat") {
		t.Fatalf("verify --head %q: exit %d\n%s%s", head[1], code, vout.String(), verr.String())
	}
	if _, err := raw.Exec(`UPDATE events SET at = at - 600000 WHERE id =
		(SELECT max(id) FROM events WHERE case_id = ? AND type = 'eskalasi')`, budi.ID); err != nil {
		t.Fatal(err)
	}
	vout.Reset()
	verr.Reset()
	if code := run(ctx, []string{"verify", "-config", cfgPath}, &vout, &verr); code == 0 {
		t.Fatalf("verify passed after an event's time was changed:\n%s", vout.String())
	}
	if !strings.Contains(verr.String(), "kasus "+budi.Number+": peristiwa #") {
		t.Errorf("verify does not name %s: %s", budi.Number, verr.String())
	}
}

// calendarVersion is the version the verdicts of cfg would record.
func calendarVersion(t *testing.T, cfg *config.Config) string {
	t.Helper()
	clock, err := serviceClock(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return clock.Version()
}

// personalData is every citizen's address and name, every subject and
// every registration number in the database.
func personalData(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`
		SELECT number FROM cases UNION SELECT citizen_addr FROM cases UNION SELECT citizen_name FROM cases
		UNION SELECT subject FROM cases UNION SELECT from_addr FROM messages UNION SELECT from_name FROM messages
		UNION SELECT subject FROM messages`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		if s = strings.TrimSpace(s); len(s) >= 4 {
			out = append(out, s)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// lineDiff lists the lines of a and b that differ, by position.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out = append(out, "- "+x, "+ "+y)
		}
	}
	return strings.Join(out, "\n")
}
