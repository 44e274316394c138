package mime

import (
	"encoding/base64"
	"io"
	"strings"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// bigMail streams a Gmail-shaped mail with one large base64 PDF attachment,
// generated on the fly so that neither the test nor the benchmark holds it:
// what they measure is the parser's memory alone.
type bigMail struct {
	head, tail string
	attSize    int   // decoded size of the attachment
	total      int64 // size of the whole raw mail

	stage   int // 0 head, 1 attachment, 2 tail, 3 done
	off     int
	left    int // attachment bytes still to encode
	rng     uint64
	raw     [57]byte
	line    [78]byte
	pending []byte
}

const bigText = "Selamat siang, bersama ini saya kirimkan hasil pindaian dokumen pengaduan (30 MB).\r\nMohon diperiksa.\r\n\r\nBudi\r\n"

func newBigMail(attSize int) *bigMail {
	b := "000000000000b1c2d3e4f5a6b7c8d9"
	m := &bigMail{
		head: crlf("From: Budi Santoso <budi.santoso1987@gmail.com>\n"+
			"To: layanan@pustakaarsip.kamparkab.go.id\n"+
			"Subject: Dokumen pindaian pengaduan\n"+
			"Message-ID: <CAbig30MB@mail.gmail.com>\n"+
			"Date: Mon, 12 Jan 2026 09:14:01 +0700\n"+
			"MIME-Version: 1.0\n"+
			"Content-Type: multipart/mixed; boundary=\""+b+"\"\n\n"+
			"--"+b+"\n"+
			"Content-Type: multipart/alternative; boundary=\"alt"+b+"\"\n\n"+
			"--alt"+b+"\n"+
			"Content-Type: text/plain; charset=\"UTF-8\"\n\n") + bigText + crlf("\n"+
			"--alt"+b+"\n"+
			"Content-Type: text/html; charset=\"UTF-8\"\n\n"+
			"<div dir=\"ltr\">Selamat siang</div>\n\n"+
			"--alt"+b+"--\n"+
			"--"+b+"\n"+
			"Content-Type: application/pdf; name=\"pindaian-pengaduan.pdf\"\n"+
			"Content-Disposition: attachment; filename=\"pindaian-pengaduan.pdf\"\n"+
			"Content-Transfer-Encoding: base64\n"+
			"Content-ID: <f_m5x1y2z30>\n"+
			"X-Attachment-Id: f_m5x1y2z30\n\n"),
		tail:    crlf("--" + b + "--\n"),
		attSize: attSize,
	}
	full, rest := attSize/57, attSize%57
	encoded := int64(full) * 78
	if rest > 0 {
		encoded += int64(base64.StdEncoding.EncodedLen(rest)) + 2
	}
	m.total = int64(len(m.head)) + encoded + int64(len(m.tail))
	m.left, m.rng = attSize, 0x9E3779B97F4A7C15
	return m
}

func (m *bigMail) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && m.stage < 3 {
		switch m.stage {
		case 0, 2:
			s := m.head
			if m.stage == 2 {
				s = m.tail
			}
			c := copy(p[n:], s[m.off:])
			n += c
			m.off += c
			if m.off == len(s) {
				m.stage++
				m.off = 0
			}
		case 1:
			if len(m.pending) == 0 {
				if m.left == 0 {
					m.stage = 2
					continue
				}
				k := min(57, m.left)
				for i := 0; i < k; i++ { // xorshift: incompressible, reproducible
					m.rng ^= m.rng << 13
					m.rng ^= m.rng >> 7
					m.rng ^= m.rng << 17
					m.raw[i] = byte(m.rng)
				}
				m.left -= k
				e := base64.StdEncoding.EncodedLen(k)
				base64.StdEncoding.Encode(m.line[:e], m.raw[:k])
				m.line[e], m.line[e+1] = '\r', '\n'
				m.pending = m.line[:e+2]
			}
			c := copy(p[n:], m.pending)
			n += c
			m.pending = m.pending[c:]
		}
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

const size30MB = 30 << 20

// A 30 MB attachment is streamed through: read to the end, counted to the
// byte, the text found, and memory bounded independently of the size.
func TestParse30MB(t *testing.T) {
	if testing.Short() {
		t.Skip("30 MB")
	}
	mail := newBigMail(size30MB)
	src := &countingSource{r: mail}
	var m *mailproc.Message
	var err error
	alloc := allocDuring(func() { m, err = Parse(src, Options{Logger: testLogger(t)}) })
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, m, DefaultMaxText)
	if src.n != mail.total || !src.eof {
		t.Errorf("read %d of %d bytes (EOF %v)", src.n, mail.total, src.eof)
	}
	if len(m.Attachments) != 1 || m.Attachments[0] != (mailproc.Attachment{Filename: "pindaian-pengaduan.pdf", ContentType: "application/pdf", Size: size30MB, Part: "2"}) {
		t.Errorf("Attachments = %+v", m.Attachments)
	}
	if want := strings.TrimSpace(strings.ReplaceAll(bigText, "\r\n", "\n")); m.Text != want || m.FromHTML || m.TextTruncated {
		t.Errorf("Text = %q (FromHTML %v, truncated %v), want %q", m.Text, m.FromHTML, m.TextTruncated, want)
	}
	if len(m.Notes) > 0 {
		t.Errorf("Notes = %q", m.Notes)
	}
	// Holding the mail would take 40 MB; the parser's buffers are well under 1 MB.
	t.Logf("%d bytes parsed, %.2f MB allocated", mail.total, float64(alloc)/(1<<20))
	if alloc > 8<<20 && !raceEnabled {
		t.Errorf("allocated %.1f MB for a %d MB mail: it is being buffered", float64(alloc)/(1<<20), mail.total>>20)
	}
}

// The allocation does not grow with the attachment: 3 MB and 30 MB cost the
// same, within a margin.
func TestParseAllocIndependentOfSize(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("30 MB; allocation is not meaningful under the race detector")
	}
	var small, big uint64
	small = allocDuring(func() { _, _ = Parse(newBigMail(3<<20), Options{}) })
	big = allocDuring(func() { _, _ = Parse(newBigMail(size30MB), Options{}) })
	t.Logf("3 MB: %d bytes allocated, 30 MB: %d bytes", small, big)
	if big > small+(1<<20) {
		t.Errorf("allocation grows with the mail: %d → %d bytes", small, big)
	}
}

func BenchmarkParse30MB(b *testing.B) {
	mail := newBigMail(size30MB)
	b.SetBytes(mail.total)
	b.ReportAllocs()
	for b.Loop() {
		m, err := Parse(newBigMail(size30MB), Options{})
		if err != nil || m.Attachments[0].Size != size30MB {
			b.Fatal(err, m)
		}
	}
}

func BenchmarkParseFixtures(b *testing.B) {
	raw := readFixtures(b)
	var total int64
	for _, r := range raw {
		total += int64(len(r))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range raw {
			_, _ = Parse(strings.NewReader(r), Options{})
		}
	}
}
