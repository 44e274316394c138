package mime

import (
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
