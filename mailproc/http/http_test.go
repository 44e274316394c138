package http

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	nethttp "net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

var wib = time.FixedZone("WIB", 7*3600)

// now is the fixed clock of the tests: Friday 27 November 2026, 14.05 WIB.
var now = time.Date(2026, 11, 27, 14, 5, 0, 0, wib)

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// fixedStats is what a small desk looks like at now.
func fixedStats() Stats {
	return Stats{
		Now: now,
		Cases: []CaseCount{
			{Kind: mailproc.KindAduan, State: mailproc.StateDieskalasi, N: 2},
			{Kind: mailproc.KindInformasi, State: mailproc.StateSelesai, N: 40},
		},
		Escalated: []LevelCount{{Level: 1, N: 1}, {Level: 2, N: 1}},
		Outbox: []OutboxCount{
			{Purpose: mailproc.PurposeAck, State: mailproc.OutboxSent, N: 42},
			{Purpose: mailproc.PurposeAnswer, State: mailproc.OutboxSent, N: 40},
			{Purpose: mailproc.PurposeEscalation, State: mailproc.OutboxSent, N: 3},
			{Purpose: mailproc.PurposeAck, State: mailproc.OutboxPending, N: 2},
			{Purpose: mailproc.PurposeNotify, State: mailproc.OutboxPending, N: 1},
			{Purpose: mailproc.PurposeAnswer, State: mailproc.OutboxFailed, N: 1},
		},
		Open: 2,
		Overdue: []OverdueCase{{Number: "ADU-2026-00007", Kind: mailproc.KindAduan, Subject: "Buku pinjaman rusak <dan> denda",
			State: mailproc.StateDieskalasi, OpenedAt: now.Add(-50 * time.Hour), DueAt: now.Add(-3 * time.Hour), EscalationLevel: 2}},
		OpenCases: []CaseLine{
			{Number: "ADU-2026-00007", Kind: mailproc.KindAduan, Subject: "Buku pinjaman rusak <dan> denda",
				State: mailproc.StateDieskalasi, OpenedAt: now.Add(-50 * time.Hour), DueAt: now.Add(-3 * time.Hour), EscalationLevel: 2},
			{Number: "INF-2026-00042", Kind: mailproc.KindInformasi, Subject: strings.Repeat("Jadwal layanan keliling ", 5),
				State: mailproc.StateDiakui, OpenedAt: now.Add(-4 * time.Minute), DueAt: now.Add(time.Minute)},
		},
		Month: MonthFigures{Informasi: 12, Aduan: 3, Answered: 11, AnsweredOnTime: 10, Closed: 9, Escalated: 1,
			Channels: []ChannelCount{{mailproc.ChannelEmail, 13}, {mailproc.ChannelTelepon, 2}}},
		IMAPConnected:  true,
		IMAPReconnects: 4,
		LastSync:       now.Add(-90 * time.Second),
	}
}

// open starts s on 127.0.0.1:0 and closes it when the test ends.
func open(t *testing.T, s *Server) string {
	t.Helper()
	if s.Addr == "" {
		s.Addr = "127.0.0.1:0"
	}
	s.Logger = testLogger(t)
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return "http://" + s.ListenAddr()
}

func get(t *testing.T, url string, auth ...string) (int, string, nethttp.Header) {
	t.Helper()
	req, err := nethttp.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(auth) == 2 {
		req.SetBasicAuth(auth[0], auth[1])
	}
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body), resp.Header
}

func TestHealthz(t *testing.T) {
	var mu sync.Mutex
	ok, reason := true, ""
	s := &Server{
		Username: "kasi", Password: "rahasia", // /healthz needs none of it
		Health: func() (bool, string) { mu.Lock(); defer mu.Unlock(); return ok, reason },
		Stats:  func(context.Context) (Stats, error) { t.Error("healthz read stats"); return Stats{}, nil },
	}
	base := open(t, s)

	code, body, _ := get(t, base+"/healthz")
	if code != 200 || body != "ok\n" {
		t.Errorf("healthy: got %d %q, want 200 \"ok\\n\"", code, body)
	}

	mu.Lock()
	ok, reason = false, "imap: last sync 4m0s ago (limit 3m0s)"
	mu.Unlock()
	code, body, h := get(t, base+"/healthz")
	if code != 503 || body != "imap: last sync 4m0s ago (limit 3m0s)\n" {
		t.Errorf("unhealthy: got %d %q", code, body)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}

	mu.Lock()
	ok, reason = false, ""
	mu.Unlock()
	if code, body, _ := get(t, base+"/healthz"); code != 503 || body != "not healthy\n" {
		t.Errorf("unhealthy without reason: got %d %q", code, body)
	}
}

func TestOpenDisabled(t *testing.T) {
	s := &Server{}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	if s.ListenAddr() != "" {
		t.Errorf("disabled server listens on %q", s.ListenAddr())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestMetrics(t *testing.T) {
	s := &Server{Stats: func(context.Context) (Stats, error) { return fixedStats(), nil }}
	base := open(t, s)
	s.ObserveIngest(20 * time.Millisecond)
	s.ObserveIngest(3 * time.Second)

	code, body, h := get(t, base+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d %s", code, body)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
	fams := parseMetrics(t, body)

	type want struct {
		name   string
		labels map[string]string
		value  float64
	}
	for _, w := range []want{
		{"mailproc_stats_up", nil, 1},
		{"mailproc_cases", map[string]string{"kind": "aduan", "state": "dieskalasi"}, 2},
		{"mailproc_cases", map[string]string{"kind": "informasi", "state": "selesai"}, 40},
		{"mailproc_escalated_cases", map[string]string{"level": "1"}, 1},
		{"mailproc_escalated_cases", map[string]string{"level": "2"}, 1},
		{"mailproc_open_cases", nil, 2},
		{"mailproc_overdue_cases", nil, 1},
		{"mailproc_outbox_mails", map[string]string{"purpose": "ack", "state": "sent"}, 42},
		{"mailproc_outbox_mails", map[string]string{"purpose": "answer", "state": "sent"}, 40},
		{"mailproc_outbox_mails", map[string]string{"purpose": "escalation", "state": "sent"}, 3},
		{"mailproc_outbox_mails", map[string]string{"purpose": "answer", "state": "failed"}, 1},
		{"mailproc_outbox_backlog", nil, 3},
		{"mailproc_outbox_failed", nil, 1},
		{"mailproc_imap_connected", nil, 1},
		{"mailproc_imap_reconnects_total", nil, 4},
		{"mailproc_seconds_since_last_sync", nil, 90},
	} {
		got, ok := metricValue(fams, w.name, w.labels)
		if !ok {
			t.Errorf("%s%v missing", w.name, w.labels)
			continue
		}
		if got != w.value {
			t.Errorf("%s%v = %v, want %v", w.name, w.labels, got, w.value)
		}
	}
	if typ := fams["mailproc_imap_reconnects_total"].GetType(); typ != dto.MetricType_COUNTER {
		t.Errorf("reconnects type %v, want counter", typ)
	}

	hist := fams["mailproc_ingest_duration_seconds"]
	if hist.GetType() != dto.MetricType_HISTOGRAM || len(hist.GetMetric()) != 1 {
		t.Fatalf("ingest histogram: %v", hist)
	}
	hm := hist.GetMetric()[0].GetHistogram()
	if hm.GetSampleCount() != 2 || math.Abs(hm.GetSampleSum()-3.02) > 1e-9 {
		t.Errorf("ingest histogram count %d sum %v, want 2 and 3.02", hm.GetSampleCount(), hm.GetSampleSum())
	}
	for _, b := range hm.GetBucket() {
		if b.GetUpperBound() == 0.025 && b.GetCumulativeCount() != 1 {
			t.Errorf("bucket le=0.025 holds %d, want 1", b.GetCumulativeCount())
		}
	}
	if _, ok := fams["go_goroutines"]; !ok {
		t.Error("Go runtime metrics missing")
	}
}

func TestMetricsNeverSynced(t *testing.T) {
	s := &Server{Stats: func(context.Context) (Stats, error) { return Stats{Now: now}, nil }}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	fams := parseMetrics(t, rec.Body.String())
	if v, _ := metricValue(fams, "mailproc_seconds_since_last_sync", nil); !math.IsInf(v, 1) {
		t.Errorf("seconds since last sync before any sync = %v, want +Inf", v)
	}
	if v, _ := metricValue(fams, "mailproc_imap_connected", nil); v != 0 {
		t.Errorf("imap connected = %v, want 0", v)
	}
}

// A database error still serves the process's own metrics, with
// mailproc_stats_up 0, so the scrape does not vanish with the database.
func TestMetricsStatsError(t *testing.T) {
	s := &Server{Logger: testLogger(t),
		Stats: func(context.Context) (Stats, error) { return Stats{}, errors.New("database is locked") }}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	fams := parseMetrics(t, rec.Body.String())
	if v, ok := metricValue(fams, "mailproc_stats_up", nil); !ok || v != 0 {
		t.Errorf("mailproc_stats_up = %v (present %v), want 0", v, ok)
	}
	if _, ok := fams["mailproc_cases"]; ok {
		t.Error("case figures served although the stats failed")
	}
}

func parseMetrics(t *testing.T, body string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, body)
	}
	return fams
}

// metricValue finds the gauge or counter of the family name whose labels are
// exactly labels.
func metricValue(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	fam := fams[name]
	if fam == nil {
		return 0, false
	}
next:
	for _, m := range fam.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		for _, l := range m.GetLabel() {
			if labels[l.GetName()] != l.GetValue() {
				continue next
			}
		}
		if m.Gauge != nil {
			return m.GetGauge().GetValue(), true
		}
		if m.Counter != nil {
			return m.GetCounter().GetValue(), true
		}
		return m.GetUntyped().GetValue(), true
	}
	return 0, false
}

func TestAuthRequired(t *testing.T) {
	for _, tc := range []struct {
		addr, user, pass string
		want             bool
		err              bool
	}{
		{addr: "127.0.0.1:8025", want: false},
		{addr: "127.0.0.2:8025", want: false},
		{addr: "localhost:8025", want: false},
		{addr: "[::1]:8025", want: false},
		{addr: "127.0.0.1:0", user: "kasi", pass: "rahasia", want: true}, // set: asked for on loopback too
		{addr: "0.0.0.0:8025", err: true},
		{addr: ":8025", err: true}, // all interfaces
		{addr: "[::]:8025", err: true},
		{addr: "10.0.0.5:8025", err: true},
		{addr: "helpdesk.kamparkab.go.id:8025", err: true},
		{addr: "0.0.0.0:8025", user: "kasi", err: true}, // no password
		{addr: "0.0.0.0:8025", pass: "rahasia", err: true},
		{addr: "127.0.0.1:8025", user: "kasi", err: true},
		{addr: "0.0.0.0:8025", user: "kasi", pass: "rahasia", want: true},
		{addr: "[::]:8025", user: "kasi", pass: "rahasia", want: true},
		{addr: "8025", err: true},
	} {
		got, err := authRequired(tc.addr, tc.user, tc.pass)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("authRequired(%q, %q, %q) = %v, %v; want %v, error %v", tc.addr, tc.user, tc.pass, got, err, tc.want, tc.err)
		}
	}
}

func TestOpenRefusesNetworkWithoutAuth(t *testing.T) {
	s := &Server{Addr: "0.0.0.0:0", Logger: testLogger(t)}
	err := s.Open()
	if !errors.Is(err, ErrNoAuth) {
		s.Close()
		t.Fatalf("Open on 0.0.0.0 without credentials: %v, want ErrNoAuth", err)
	}
	if s.ListenAddr() != "" {
		t.Error("listening after a refused Open")
	}
}

func TestBasicAuth(t *testing.T) {
	s := &Server{
		Addr: "0.0.0.0:0", Username: "kasi", Password: "rahasia",
		Health: func() (bool, string) { return true, "" },
		Stats:  func(context.Context) (Stats, error) { return fixedStats(), nil },
		Logger: testLogger(t),
	}
	if ok, err := authRequired(s.Addr, s.Username, s.Password); err != nil || !ok {
		t.Fatalf("authRequired: %v, %v", ok, err)
	}
	h := s.Handler()
	serve := func(path string, auth ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		if len(auth) == 2 {
			req.SetBasicAuth(auth[0], auth[1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for _, path := range []string{"/", "/metrics"} {
		if rec := serve(path); rec.Code != 401 || !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Basic ") {
			t.Errorf("%s without credentials: %d, WWW-Authenticate %q", path, rec.Code, rec.Header().Get("WWW-Authenticate"))
		}
		for _, bad := range [][2]string{{"kasi", "salah"}, {"orang", "rahasia"}, {"", ""}, {"kasi", "rahasia "}} {
			if rec := serve(path, bad[0], bad[1]); rec.Code != 401 {
				t.Errorf("%s with %q:%q: %d, want 401", path, bad[0], bad[1], rec.Code)
			}
		}
		if rec := serve(path, "kasi", "rahasia"); rec.Code != 200 {
			t.Errorf("%s with credentials: %d %s", path, rec.Code, rec.Body)
		}
	}
	rec := serve("/healthz")
	if rec.Code != 200 || rec.Body.String() != "ok\n" {
		t.Errorf("/healthz without credentials: %d %q", rec.Code, rec.Body)
	}
	if rec := serve("/lainnya", "kasi", "rahasia"); rec.Code != 404 {
		t.Errorf("unknown path: %d, want 404", rec.Code)
	}
}

// Over a real socket: the loopback server with credentials asks for them.
func TestBasicAuthListener(t *testing.T) {
	s := &Server{Username: "kasi", Password: "rahasia",
		Stats:  func(context.Context) (Stats, error) { return fixedStats(), nil },
		Agency: "Dinas Perpustakaan dan Kearsipan Kabupaten Kampar", DeskName: "Layanan Informasi dan Aduan Masyarakat"}
	base := open(t, s)
	if code, _, _ := get(t, base+"/"); code != 401 {
		t.Errorf("status page without credentials: %d", code)
	}
	code, body, _ := get(t, base+"/", "kasi", "rahasia")
	if code != 200 {
		t.Fatalf("status page: %d %s", code, body)
	}
	for _, want := range []string{
		"<title>Status layanan — Dinas Perpustakaan dan Kearsipan Kabupaten Kampar</title>",
		"<strong>Dinas Perpustakaan dan Kearsipan Kabupaten Kampar</strong><br>Layanan Informasi dan Aduan Masyarakat",
		"Kasus terbuka: 2",
		"Kasus terlambat: 1",
		"ADU-2026-00007",
		"3 jam",     // how late
		"tingkat 2", // escalation level
		// The overdue and the open cases say what they are about and how
		// old they are; a long subject is cut, markup in it escaped.
		`<td class="nomor">ADU-2026-00007</td><td>Buku pinjaman rusak &lt;dan&gt; denda<br><small>Aduan, dieskalasi; batas`,
		`<td class="nomor" data-judul="Umur">2 hari</td><td class="buruk" data-judul="Terlambat">3 jam</td><td class="nomor" data-judul="Eskalasi">tingkat 2</td>`,
		`<td class="nomor">INF-2026-00042</td><td>Jadwal layanan keliling Jadwal layanan keliling Jadwal layanan keliling Jadwal…<br><small>Permintaan Informasi</small></td><td class="nomor" data-judul="Umur">4 menit</td><td data-judul="Status">diakui</td>`,
		"Bulan ini (November 2026)",
		"Jumat, 27 November 2026 pukul 14.05 WIB",
		"Kotak surat terhubung",
		`<td class="n">3</td>`, // pending mails
		"Kasus bulan ini per kanal",
		`<tr><td>Telepon (telepon)</td><td class="n">2</td></tr>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("status page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script") {
		t.Error("status page has a script")
	}
}

func TestAddCases(t *testing.T) {
	day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, wib) }
	cases := []*mailproc.Case{
		// Opened last month, closed this month, answered on time last month.
		{Number: "INF-2026-00001", Kind: mailproc.KindInformasi, State: mailproc.StateSelesai,
			OpenedAt: day(1, 0).Add(-time.Hour), DueAt: day(1, 0), FirstAnswerAt: day(1, 0).Add(-30 * time.Minute), ClosedAt: day(3, 9)},
		// Overdue, unanswered, escalated to level 1.
		{Number: "ADU-2026-00002", Kind: mailproc.KindAduan, State: mailproc.StateDieskalasi, EscalationLevel: 1,
			OpenedAt: day(26, 9), DueAt: day(26, 10)},
		// Overdue, only acknowledged; more overdue than the one above.
		{Number: "INF-2026-00003", Kind: mailproc.KindInformasi, State: mailproc.StateDiakui,
			OpenedAt: day(25, 9), DueAt: day(25, 10)},
		// Answered late, open: not overdue.
		{Number: "INF-2026-00004", Kind: mailproc.KindInformasi, State: mailproc.StateDijawab,
			OpenedAt: day(20, 9), DueAt: day(20, 10), FirstAnswerAt: day(20, 11)},
		// Answered, needs follow-up, follow-up late: overdue.
		{Number: "ADU-2026-00005", Kind: mailproc.KindAduan, State: mailproc.StateDijawab, NeedsFollowUp: true,
			OpenedAt: day(24, 9), DueAt: day(27, 13), FirstAnswerAt: day(24, 10)},
		// New, not yet due.
		{Number: "ADU-2026-00006", Kind: mailproc.KindAduan, State: mailproc.StateBaru,
			OpenedAt: day(27, 14), DueAt: day(27, 15)},
	}
	var st Stats
	st.Now = now
	st.AddCases(cases)

	if st.Open != 5 {
		t.Errorf("open %d, want 5", st.Open)
	}
	var overdue []string
	for _, o := range st.Overdue {
		overdue = append(overdue, o.Number)
	}
	if got, want := strings.Join(overdue, " "), "INF-2026-00003 ADU-2026-00002 ADU-2026-00005"; got != want {
		t.Errorf("overdue %q, want %q", got, want)
	}
	wantCases := []CaseCount{
		{mailproc.KindAduan, mailproc.StateBaru, 1},
		{mailproc.KindAduan, mailproc.StateDieskalasi, 1},
		{mailproc.KindAduan, mailproc.StateDijawab, 1},
		{mailproc.KindInformasi, mailproc.StateDiakui, 1},
		{mailproc.KindInformasi, mailproc.StateDijawab, 1},
		{mailproc.KindInformasi, mailproc.StateSelesai, 1},
	}
	if len(st.Cases) != len(wantCases) {
		t.Fatalf("cases %v, want %v", st.Cases, wantCases)
	}
	for i := range wantCases {
		if st.Cases[i] != wantCases[i] {
			t.Errorf("cases[%d] = %v, want %v", i, st.Cases[i], wantCases[i])
		}
	}
	if len(st.Escalated) != 1 || st.Escalated[0] != (LevelCount{Level: 1, N: 1}) {
		t.Errorf("escalated %v", st.Escalated)
	}
	want := MonthFigures{Start: day(1, 0), Informasi: 2, Aduan: 3, Answered: 2, AnsweredOnTime: 1, Closed: 1, Escalated: 1}
	channels := st.Month.Channels
	st.Month.Channels = nil
	if !reflect.DeepEqual(st.Month, want) {
		t.Errorf("month %+v, want %+v", st.Month, want)
	}
	if len(channels) != len(mailproc.Channels) || channels[0] != (ChannelCount{Channel: mailproc.ChannelEmail, N: 5}) ||
		channels[2] != (ChannelCount{Channel: mailproc.ChannelTelepon}) {
		t.Errorf("month per channel %v, want every channel, the five by email", channels)
	}
}

func TestAddOutbox(t *testing.T) {
	var st Stats
	st.AddOutbox([]*mailproc.OutgoingMail{
		{Purpose: mailproc.PurposeAck, State: mailproc.OutboxSent},
		{Purpose: mailproc.PurposeAck, State: mailproc.OutboxSent},
		{Purpose: mailproc.PurposeAck, State: mailproc.OutboxPending},
		{Purpose: mailproc.PurposeEscalation, State: mailproc.OutboxFailed},
	})
	want := []OutboxCount{
		{mailproc.PurposeAck, mailproc.OutboxPending, 1},
		{mailproc.PurposeAck, mailproc.OutboxSent, 2},
		{mailproc.PurposeEscalation, mailproc.OutboxFailed, 1},
	}
	if len(st.Outbox) != len(want) {
		t.Fatalf("outbox %v, want %v", st.Outbox, want)
	}
	for i := range want {
		if st.Outbox[i] != want[i] {
			t.Errorf("outbox[%d] = %v, want %v", i, st.Outbox[i], want[i])
		}
	}
	if st.OutboxTotal(mailproc.OutboxPending) != 1 || st.OutboxTotal(mailproc.OutboxFailed) != 1 {
		t.Errorf("totals: pending %d failed %d", st.OutboxTotal(mailproc.OutboxPending), st.OutboxTotal(mailproc.OutboxFailed))
	}
}

// The heads' read-only login opens the status page and nothing else: not
// /metrics, which only the full login reads.
func TestStatusLogin(t *testing.T) {
	s := &Server{Username: "ops", Password: "rahasia-ops", StatusUsername: "kadis", StatusPassword: "rahasia-kadis",
		Stats: func(context.Context) (Stats, error) { return fixedStats(), nil }}
	base := open(t, s)
	for _, tt := range []struct {
		path, user, pass string
		want             int
	}{
		{"/", "kadis", "rahasia-kadis", 200},
		{"/metrics", "kadis", "rahasia-kadis", 401},
		{"/metrics", "ops", "rahasia-ops", 200},
		{"/", "ops", "rahasia-ops", 200},
		{"/", "kadis", "rahasia-ops", 401},
	} {
		if code, _, _ := get(t, base+tt.path, tt.user, tt.pass); code != tt.want {
			t.Errorf("%s as %s: %d, want %d", tt.path, tt.user, code, tt.want)
		}
	}
}
