package mime

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestRobotDecisions parses real-shaped mail and asks the domain's decision
// functions what `mailproc inspect` reports: where an acknowledgement would
// go, whether it is refused, whether the mail may open a case, what robot
// wrote it and what the bounce says.
// (TestParseFixtures counts these fixtures as tested.)
var robotCases = []struct {
	file       string
	ackTo      string // "" when no acknowledgement would be sent
	robot      mailproc.Robot
	automatic  string // a part of AutomaticReason; "" for a person
	bounce     bool
	origID     string
	recipients []string
	status     string
}{
	{file: "arf-yahoo.eml", robot: mailproc.RobotSpamReport, automatic: "laporan spam (ARF, Feedback-Type: abuse)",
		origID: "ack.ADU-2026-00031.Hq7s@pustakaarsip.kamparkab.go.id", recipients: []string{"warga.kampar@yahoo.co.id"}},
	{file: "mdn-read-receipt.eml", robot: mailproc.RobotReadReceipt, automatic: "tanda sudah dibaca (MDN",
		origID: "ack.INF-2026-00012.Zk2p@pustakaarsip.kamparkab.go.id", recipients: []string{"rina.sari@kampar.go.id"}},
	{file: "icloud-vacation.eml", robot: mailproc.RobotAutoReply, automatic: "X-Apple-Action: VACATION"},
	{file: "out-of-office.eml", robot: mailproc.RobotAutoReply, automatic: "Auto-Submitted: auto-replied"},
	{file: "bounce-mail-delivery-system.eml", robot: mailproc.RobotBounce, automatic: "laporan gagal kirim", bounce: true,
		origID: "ack.ADU-2026-00044.Tt5w@pustakaarsip.kamparkab.go.id", recipients: []string{"budi.hartono@kampar-net.co.id"}, status: "5.1.1"},
	{file: "bounce-post-master.eml", robot: mailproc.RobotBounce, automatic: "laporan gagal kirim", bounce: true,
		origID: "ack.INF-2026-00051.Pq8r@pustakaarsip.kamparkab.go.id", recipients: []string{"kades@desa-kampar.id"}, status: "5.1.1"},
	{file: "bounce-bare-daemon.eml", robot: mailproc.RobotBounce, automatic: "multipart/report tanpa report-type", bounce: true,
		origID: "ack.INF-2026-00060.Vv1x@pustakaarsip.kamparkab.go.id", recipients: []string{"pak.lurah@kampar.net.id"}, status: "5.2.2"},
	{file: "report-without-type.eml", robot: mailproc.RobotBounce, automatic: "multipart/report tanpa report-type", bounce: true,
		origID: "ack.INF-2026-00070.Nn2b@pustakaarsip.kamparkab.go.id", recipients: []string{"ani@lintasriau.net"}, status: "5.1.1"},
	{file: "bounce-exim-text.eml", robot: mailproc.RobotBounce, automatic: "laporan gagal kirim", bounce: true,
		origID: "ack.INF-2026-00080.Ee4r@pustakaarsip.kamparkab.go.id", recipients: []string{"rudi.hartono@riaunet.example"}, status: "5.1.1"},
	{file: "bounce-dsn.eml", robot: mailproc.RobotBounce, automatic: "DSN", bounce: true},
	// Issue 13: shapes of the reference bounce corpus, in fixtures of our own.
	{file: "bounce-v5-transcript.eml", robot: mailproc.RobotBounce, automatic: "laporan gagal kirim", bounce: true, // "554 <a@b>... Host unknown"
		origID: "ack.INF-2026-00090.Vv5s@pustakaarsip.kamparkab.go.id", recipients: []string{"kades@sungaipagar.example", "sekdes@kualukampar.example"}},
	{file: "bounce-recipient-list.eml", robot: mailproc.RobotBounce, automatic: "laporan gagal kirim", bounce: true, // one address a line below the heading
		origID: "ack.INF-2026-00091.Ll7t@pustakaarsip.kamparkab.go.id", recipients: []string{"andi.saputra@lintasriau.example", "budi.santoso@lintasriau.example"}, status: "5.2.2"},
	{file: "bounce-returned-to-only.eml", robot: mailproc.RobotBounce, automatic: "DSN", bounce: true, // no per-recipient block: the returned copy's one addressee
		origID: "ack.INF-2026-00092.Oo1a@pustakaarsip.kamparkab.go.id", recipients: []string{"sri.wahyuni@odesa.example"}},
	{file: "bounce-returned-to-several.eml", robot: mailproc.RobotBounce, automatic: "DSN", bounce: true, // two addressees: which one failed is unknown
		origID: "ack.INF-2026-00093.Oo2b@pustakaarsip.kamparkab.go.id"},
	{file: "bounce-returned-to-desk.eml", robot: mailproc.RobotBounce, automatic: "DSN", bounce: true, // the returned copy's own sender is never the failed recipient
		origID: "staff.INF-2026-00094.Oo3c@pustakaarsip.kamparkab.go.id"},
	{file: "bounce-header-file.eml", robot: mailproc.RobotBounce, automatic: "laporan gagal kirim", bounce: true, // the returned header as a text attachment
		origID: "ack.INF-2026-00095.Hh9f@pustakaarsip.kamparkab.go.id", recipients: []string{"rektorat@kampusriau.example"}, status: "5.4.6"},
	{file: "bounce-message-partial.eml", robot: mailproc.RobotBounce, automatic: "DSN", bounce: true, // the returned header as message/partial
		origID: "ack.INF-2026-00096.Pp4q@pustakaarsip.kamparkab.go.id", recipients: []string{"camat@bangkinang.example"}, status: "5.7.1"},
	{file: "list-mail.eml", robot: mailproc.RobotBulk, automatic: "Precedence: list"},
	{file: "human-out-of-office-subject.eml", ackTo: "yusuf.hakim@gmail.com"},
	{file: "reply-to-letter.eml", ackTo: "sekretariat@sman1bangkinang.sch.id"},
}

func TestRobotDecisions(t *testing.T) {
	policy := mailproc.AckPolicy{DeskAddr: "layanan@pustakaarsip.kamparkab.go.id", PerSenderPerDay: 5}
	for _, tt := range robotCases {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			m, err := Parse(f, Options{})
			if err != nil {
				t.Fatal(err)
			}
			ackTo := ""
			if policy.Refuse(m, 0) == "" {
				ackTo = mailproc.AckAddress(m).Addr
			}
			if ackTo != tt.ackTo {
				t.Errorf("ack to %q (refused: %q), want %q", ackTo, policy.Refuse(m, 0), tt.ackTo)
			}
			if got := mailproc.OpensCase(m); got != (tt.robot == mailproc.RobotNone) {
				t.Errorf("OpensCase = %v", got)
			}
			if got := mailproc.RobotOf(m); got != tt.robot {
				t.Errorf("RobotOf = %q, want %q", got, tt.robot)
			}
			why := mailproc.AutomaticReason(m)
			if (tt.automatic == "") != (why == "") || !strings.Contains(why, tt.automatic) {
				t.Errorf("AutomaticReason = %q, want it to say %q", why, tt.automatic)
			}
			if got := mailproc.IsBounce(m); got != tt.bounce {
				t.Errorf("IsBounce = %v", got)
			}
			if tt.origID == "" && tt.recipients == nil {
				return
			}
			r := m.Report
			if r == nil {
				t.Fatal("no report read")
			}
			if !slices.Contains(r.OriginalIDs, tt.origID) {
				t.Errorf("original ids %q, want %q", r.OriginalIDs, tt.origID)
			}
			if !slices.Equal(r.Recipients, tt.recipients) {
				t.Errorf("recipients %q, want %q", r.Recipients, tt.recipients)
			}
			if r.Status != tt.status {
				t.Errorf("status %q, want %q", r.Status, tt.status)
			}
		})
	}
}

// TestLineEnds: a mail with CR-only line ends (old Mac mailers) and one with
// mixed ends read like the CRLF original, whatever the read sizes.
func TestLineEnds(t *testing.T) {
	orig := "From: Siti <siti@gmail.com>\r\nTo: layanan@pustakaarsip.kamparkab.go.id\r\nSubject: Jam buka\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nApakah buka Sabtu?\r\nTerima kasih.\r\n--b--\r\n"
	variants := map[string]string{
		"CRLF":    orig,
		"CR only": strings.ReplaceAll(orig, "\r\n", "\r"),
		"LF only": strings.ReplaceAll(orig, "\r\n", "\n"),
		"mixed":   strings.Replace(strings.Replace(orig, "\r\n", "\r", 3), "Sabtu?\r\n", "Sabtu?\r", 1),
	}
	for name, raw := range variants {
		for _, chunk := range []int{1, 2, 7, 4096} {
			m, err := Parse(&chunkReader{s: raw, n: chunk}, Options{})
			if err != nil {
				t.Fatalf("%s, reads of %d: %v", name, chunk, err)
			}
			if m.From.Addr != "siti@gmail.com" || m.Subject != "Jam buka" || m.Text != "Apakah buka Sabtu?\nTerima kasih." {
				t.Errorf("%s, reads of %d: from %q subject %q text %q", name, chunk, m.From.Addr, m.Subject, m.Text)
			}
		}
	}
}

// chunkReader returns s n bytes at a time.
type chunkReader struct {
	s string
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	k := min(c.n, len(p), len(c.s))
	copy(p, c.s[:k])
	c.s = c.s[k:]
	return k, nil
}

// TestHeaderRepairs: encoded words with wrong padding are decoded; a header
// that is UTF-8 but for one stray byte keeps its UTF-8; an address with
// comments still gives the sender; a bare MAILER-DAEMON is a sender.
func TestHeaderRepairs(t *testing.T) {
	tests := []struct {
		name, header, subject, from string
	}{
		{"base64 word with too much padding", "Subject: =?gb18030?B?suLK1A===?=\r\n", "测试", "siti@gmail.com"},
		{"base64 word without padding", "Subject: =?UTF-8?B?SmFtIGJ1a2E?=\r\n", "Jam buka", "siti@gmail.com"},
		{"one stray byte in UTF-8", "Subject: Perpustakaan — jam buka caf\xe9\r\n", "Perpustakaan — jam buka café", "siti@gmail.com"},
		{"address with comments", "Subject: x\r\nFrom: siti(kantor)@gmail.com (Siti Rahma, Bangkinang)\r\n", "x", "siti@gmail.com"},
		{"comment before the address", "Subject: x\r\nFrom: (warga) Siti <siti@gmail.com>\r\n", "x", "siti@gmail.com"},
		{"bare MAILER-DAEMON", "Subject: x\r\nFrom: MAILER-DAEMON (Mail Delivery System)\r\n", "x", "MAILER-DAEMON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.header
			if !strings.Contains(raw, "From:") {
				raw += "From: siti@gmail.com\r\n"
			}
			m, err := Parse(strings.NewReader(raw+"\r\nIsi.\r\n"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tt.subject || m.From.Addr != tt.from {
				t.Errorf("subject %q from %q, want %q and %q", m.Subject, m.From.Addr, tt.subject, tt.from)
			}
		})
	}
}
