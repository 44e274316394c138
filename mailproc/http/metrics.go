package http

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/prometheus/client_golang/prometheus"
)

// Metric names. The case, outbox and IMAP figures are read from Stats at
// scrape time, so they are right after a restart and never drift from the
// database; only the processing-time histogram lives in the process.
const (
	metricCases          = "mailproc_cases"
	metricEscalated      = "mailproc_escalated_cases"
	metricOpen           = "mailproc_open_cases"
	metricOverdue        = "mailproc_overdue_cases"
	metricOutbox         = "mailproc_outbox_mails"
	metricOutboxBacklog  = "mailproc_outbox_backlog"
	metricOutboxFailed   = "mailproc_outbox_failed"
	metricIMAPConnected  = "mailproc_imap_connected"
	metricIMAPReconnects = "mailproc_imap_reconnects_total"
	metricSinceSync      = "mailproc_seconds_since_last_sync"
	metricIngest         = "mailproc_ingest_duration_seconds"
	metricStatsUp        = "mailproc_stats_up"
)

var (
	descCases = prometheus.NewDesc(metricCases,
		"Cases by kind (informasi, aduan) and state (baru, diakui, dijawab, selesai, dieskalasi).",
		[]string{"kind", "state"}, nil)
	descEscalated = prometheus.NewDesc(metricEscalated,
		"Open cases by the level of the chain of heads they were escalated to.",
		[]string{"level"}, nil)
	descOpen = prometheus.NewDesc(metricOpen,
		"Cases not yet selesai.", nil, nil)
	descOverdue = prometheus.NewDesc(metricOverdue,
		"Open cases past their promised time without an answer or follow-up.", nil, nil)
	descOutbox = prometheus.NewDesc(metricOutbox,
		"Outgoing mails by purpose (ack, answer, escalation, …) and state (pending, sent, failed).",
		[]string{"purpose", "state"}, nil)
	descOutboxBacklog = prometheus.NewDesc(metricOutboxBacklog,
		"Outgoing mails waiting to be sent.", nil, nil)
	descOutboxFailed = prometheus.NewDesc(metricOutboxFailed,
		"Outgoing mails that failed permanently.", nil, nil)
	descIMAPConnected = prometheus.NewDesc(metricIMAPConnected,
		"1 while the IMAP session is logged in with the inbox selected.", nil, nil)
	descIMAPReconnects = prometheus.NewDesc(metricIMAPReconnects,
		"IMAP connections lost or failed since the daemon started.", nil, nil)
	descSinceSync = prometheus.NewDesc(metricSinceSync,
		"Seconds since the last IMAP sync that reached the end of the inbox; +Inf before the first.", nil, nil)
	descStatsUp = prometheus.NewDesc(metricStatsUp,
		"1 if the figures above could be read from the database at this scrape.", nil, nil)
)

// statsTimeout bounds one Stats call, from a scrape or the status page.
const statsTimeout = 10 * time.Second

// collector reads Stats at scrape time.
type collector struct{ s *Server }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descCases, descEscalated, descOpen, descOverdue, descOutbox,
		descOutboxBacklog, descOutboxFailed, descIMAPConnected, descIMAPReconnects, descSinceSync, descStatsUp} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	if c.s.Stats == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), statsTimeout)
	defer cancel()
	st, err := c.s.Stats(ctx)
	if err != nil {
		c.s.log().Error("metrics: read stats", "err", err)
		ch <- prometheus.MustNewConstMetric(descStatsUp, prometheus.GaugeValue, 0)
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(descStatsUp, 1)
	for _, cc := range st.Cases {
		gauge(descCases, float64(cc.N), string(cc.Kind), string(cc.State))
	}
	for _, l := range st.Escalated {
		gauge(descEscalated, float64(l.N), strconv.Itoa(l.Level))
	}
	gauge(descOpen, float64(st.Open))
	gauge(descOverdue, float64(st.OverdueCount()))
	for _, o := range st.Outbox {
		gauge(descOutbox, float64(o.N), string(o.Purpose), string(o.State))
	}
	gauge(descOutboxBacklog, float64(st.OutboxTotal(mailproc.OutboxPending)))
	gauge(descOutboxFailed, float64(st.OutboxTotal(mailproc.OutboxFailed)))
	gauge(descIMAPConnected, b2f(st.IMAPConnected))
	ch <- prometheus.MustNewConstMetric(descIMAPReconnects, prometheus.CounterValue, float64(st.IMAPReconnects))
	since := math.Inf(1)
	if !st.LastSync.IsZero() {
		since = max(st.now().Sub(st.LastSync).Seconds(), 0)
	}
	gauge(descSinceSync, since)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// ingestBuckets fit a mail's processing: milliseconds for a plain mail, some
// seconds for a 50 MB one with attachments.
var ingestBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

func newIngestHistogram() prometheus.Histogram {
	return prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    metricIngest,
		Help:    "Time to ingest one mail from the inbox: read, archive, classify and commit.",
		Buckets: ingestBuckets,
	})
}
