package smtp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	stdmime "mime"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gomessage "github.com/emersion/go-message/mail"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/archive"
	"github.com/dpk-kampar/mailproc/mailproc/mime"
)

// noise returns n reproducible bytes of every value, CR and LF included, so
// that any re-encoding of line ends shows.
func noise(n int, seed uint64) []byte {
	b := make([]byte, n)
	x := seed | 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	return b
}

func b64Lines(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	out.WriteString(s + "\r\n")
	return out.String()
}

// archiveMail stores raw in a fresh archive under a temp data dir, as
// intake does, and returns the data dir and the mail's archive path.
func archiveMail(t *testing.T, dataDir string, raw io.Reader) string {
	t.Helper()
	a, err := archive.Open(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	w, err := a.Create()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, raw); err != nil {
		t.Fatal(err)
	}
	rel, _, _, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

// staffAnswer is a staff member's answer from Thunderbird: text, a PDF whose
// name is non-ASCII (RFC 2231), and a photo inside multipart/related.
func staffAnswer(pdf, jpg []byte) string {
	return strings.ReplaceAll("From: Petugas Informasi <petugas@pustakaarsip.kamparkab.go.id>\n"+
		"To: layanan@pustakaarsip.kamparkab.go.id\n"+
		"Subject: Re: [INF-2026-00042] Mohon surat keterangan\n"+
		"Message-ID: <jawab.1@pustakaarsip.kamparkab.go.id>\n"+
		"MIME-Version: 1.0\n"+
		"Content-Type: multipart/mixed; boundary=\"------------mixB\"\n\n"+
		"--------------mixB\n"+
		"Content-Type: text/plain; charset=UTF-8; format=flowed\n\n"+
		"Yth. Ibu Siti, surat keterangan terlampir.\n\n"+
		"--------------mixB\n"+
		"Content-Type: application/pdf;\n name=\"=?UTF-8?Q?Surat_Keterangan_=E2=80=93_Ibu_Siti=2Epdf?=\"\n"+
		"Content-Disposition: attachment;\n filename*=UTF-8''Surat%20Keterangan%20%E2%80%93%20Ibu%20Siti.pdf\n"+
		"Content-Transfer-Encoding: base64\n\n", "\n", "\r\n") +
		b64Lines(pdf) +
		strings.ReplaceAll("\n--------------mixB\n"+
			"Content-Type: multipart/related; boundary=\"------------relB\"\n\n"+
			"--------------relB\n"+
			"Content-Type: text/html; charset=UTF-8\n\n<p><img src=\"cid:foto\"></p>\n"+
			"--------------relB\n"+
			"Content-Type: image/jpeg; name=\"foto jalan.jpg\"\n"+
			"Content-Disposition: inline; filename=\"foto jalan.jpg\"\n"+
			"Content-ID: <foto>\n"+
			"Content-Transfer-Encoding: base64\n\n", "\n", "\r\n") +
		b64Lines(jpg) +
		"\r\n--------------relB--\r\n\r\n--------------mixB--\r\n"
}

// outgoingAttachments lists what Parse found in the archived mail, as the
// domain passes it on.
func outgoingAttachments(t *testing.T, dataDir, rel string) []mailproc.OutgoingAttachment {
	t.Helper()
	f, err := os.Open(filepath.Join(dataDir, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := mime.Parse(f, mime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []mailproc.OutgoingAttachment
	for _, a := range m.Attachments {
		out = append(out, mailproc.OutgoingAttachment{Filename: a.Filename, ContentType: a.ContentType,
			Size: a.Size, ArchivePath: rel, Part: a.Part})
	}
	return out
}

type gotPart struct {
	name, ct string
	body     []byte
}

// attachmentsOf reads a received mail with go-message, an implementation
// independent of go-mail: the text, and each attachment's decoded name,
// media type and bytes.
func attachmentsOf(t *testing.T, raw []byte) (string, []gotPart) {
	t.Helper()
	mr, err := gomessage.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var text string
	var out []gotPart
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(p.Body)
		if err != nil {
			t.Fatal(err)
		}
		switch h := p.Header.(type) {
		case *gomessage.InlineHeader:
			if ct, _, _ := h.ContentType(); ct == "text/plain" {
				text = string(body)
			}
		case *gomessage.AttachmentHeader:
			name, err := h.Filename()
			if err != nil {
				t.Errorf("attachment file name: %v", err)
			}
			ct, _, _ := h.ContentType()
			if cte := h.Get("Content-Transfer-Encoding"); cte != "base64" {
				t.Errorf("attachment %q: Content-Transfer-Encoding %q", name, cte)
			}
			out = append(out, gotPart{name, ct, body})
		}
	}
	return text, out
}

func TestSendAttachments(t *testing.T) {
	dataDir := t.TempDir()
	pdf := append([]byte("%PDF-1.7\r\n"), noise(150_000, 1)...)
	jpg := append([]byte("\xff\xd8\xff\xe0"), noise(40_001, 2)...)
	rel := archiveMail(t, dataDir, strings.NewReader(staffAnswer(pdf, jpg)))
	// The parser lists the HTML beside the photo too (3.1); the domain
	// passes on the files.
	var atts []mailproc.OutgoingAttachment
	for _, a := range outgoingAttachments(t, dataDir, rel) {
		if a.ContentType != "text/html" {
			atts = append(atts, a)
		}
	}
	want := []struct {
		name, ct, part string
		body           []byte
	}{
		{"Surat Keterangan – Ibu Siti.pdf", "application/pdf", "2", pdf},
		{"foto jalan.jpg", "image/jpeg", "3.2", jpg},
	}
	if len(atts) != len(want) {
		t.Fatalf("the archived answer lists %+v", atts)
	}
	for i, w := range want {
		if atts[i].Filename != w.name || atts[i].Part != w.part || atts[i].Size != int64(len(w.body)) {
			t.Fatalf("attachment %d listed as %+v, want %q part %s, %d bytes", i, atts[i], w.name, w.part, len(w.body))
		}
	}

	srv := startServer(t, nil)
	s, _ := newSender(t, srv.Addr)
	s.DataDir = dataDir
	m := testMail()
	m.Purpose = mailproc.PurposeAnswer
	m.Attachments = atts
	raw, err := s.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	mails := srv.Mails()
	if len(mails) != 1 {
		t.Fatalf("server got %d mails", len(mails))
	}
	data := mails[0].Data
	if !bytes.Equal(raw, data) {
		t.Error("returned bytes differ from the DATA received")
	}
	checkPartLines(t, data)

	h, rawHeader := header(t, data)
	if ct := one(t, h, "Content-Type"); !strings.HasPrefix(ct, "multipart/mixed;") {
		t.Errorf("Content-Type = %q", ct)
	}
	for i, b := range rawHeader {
		if b >= 0x80 {
			t.Fatalf("8-bit byte in the header at %d", i)
		}
	}
	if bytes.IndexFunc(data, func(r rune) bool { return r >= 0x80 }) >= 0 {
		t.Error("8-bit bytes in the message; it must be 7-bit")
	}

	text, got := attachmentsOf(t, data)
	if strings.ReplaceAll(text, "\r\n", "\n") != m.Text {
		t.Errorf("text = %q", text)
	}
	if len(got) != len(want) {
		t.Fatalf("%d attachments arrived, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.name != w.name || g.ct != w.ct {
			t.Errorf("attachment %d: %q %s, want %q %s", i, g.name, g.ct, w.name, w.ct)
		}
		if !bytes.Equal(g.body, w.body) {
			t.Errorf("attachment %d (%q): %d bytes arrived, not the %d archived", i, w.name, len(g.body), len(w.body))
		}
	}
	// The non-ASCII name is an encoded word, never raw UTF-8.
	if !bytes.Contains(data, []byte(`filename="=?UTF-8?q?Surat_Keterangan_=E2=80=93_Ibu_Siti.pdf?="`)) {
		t.Errorf("file name not RFC 2047-encoded as expected:\n%s", data[:min(len(data), 3000)])
	}

	// Our own parser, the one the staff reply comes back through, agrees.
	back, err := mime.Parse(bytes.NewReader(data), mime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range back.Attachments {
		if i < len(want) && (a.Filename != want[i].name || a.Size != int64(len(want[i].body))) {
			t.Errorf("parsed back: attachment %d = %+v", i, a)
		}
	}
	if len(back.Attachments) != len(want) {
		t.Errorf("parsed back: %+v", back.Attachments)
	}
}

// checkPartLines: every line ends in CRLF and stays within RFC 5322's 998
// characters (go-mail does not fold part headers), base64 lines within 76.
func checkPartLines(t *testing.T, raw []byte) {
	t.Helper()
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Error("bare LF in the message")
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line of %d characters: %.80q…", len(line), line)
		}
	}
}

// Writing the same message twice reads each attachment from the archive
// twice and writes the same bytes: the Sent copy is written again after
// the server took the first.
func TestMessageWritesSameBytes(t *testing.T) {
	dataDir := t.TempDir()
	pdf := noise(10_000, 3)
	rel := archiveMail(t, dataDir, strings.NewReader(staffAnswer(pdf, noise(10, 4))))
	m := testMail()
	m.Attachments = outgoingAttachments(t, dataDir, rel)[:1]
	msg, err := newMessage(m, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	var first []byte
	for i := range 2 {
		var b bytes.Buffer
		n, err := msg.WriteTo(&b)
		if err != nil {
			t.Fatalf("write %d: %v", i+1, err)
		}
		if n != int64(b.Len()) {
			t.Errorf("write %d: WriteTo says %d bytes, wrote %d", i+1, n, b.Len())
		}
		if _, got := attachmentsOf(t, b.Bytes()); len(got) != 1 || !bytes.Equal(got[0].body, pdf) {
			t.Errorf("write %d: attachment lost or changed", i+1)
		}
		if i == 0 {
			first = b.Bytes()
		} else if !bytes.Equal(b.Bytes(), first) {
			t.Error("the second write differs from the first")
		}
	}
}

// Attachments from the parser's real fixtures: a Thunderbird PDF with a
// non-ASCII name, and a forwarded mail, which goes as an .eml file of
// application/octet-stream (RFC 2046 allows no base64 for message/rfc822).
func TestSendFixtureAttachments(t *testing.T) {
	dataDir := t.TempDir()
	var atts []mailproc.OutgoingAttachment
	var bodies [][]byte
	for _, fixture := range []string{"attachment-pdf.eml", "forwarded-rfc822.eml"} {
		raw, err := os.ReadFile(filepath.Join("..", "mime", "testdata", fixture))
		if err != nil {
			t.Fatal(err)
		}
		rel := archiveMail(t, dataDir, bytes.NewReader(raw))
		list := outgoingAttachments(t, dataDir, rel)
		if len(list) != 1 {
			t.Fatalf("%s: %+v", fixture, list)
		}
		r, err := mime.OpenPart(bytes.NewReader(raw), list[0].Part)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		atts, bodies = append(atts, list[0]), append(bodies, b)
	}
	srv := startServer(t, nil)
	s, _ := newSender(t, srv.Addr)
	s.DataDir = dataDir
	m := testMail()
	m.Purpose = mailproc.PurposeNotify
	m.Attachments = atts
	if _, err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	_, got := attachmentsOf(t, srv.Mails()[0].Data)
	wantCT := []string{"application/pdf", "application/octet-stream"}
	if len(got) != 2 {
		t.Fatalf("%d attachments arrived", len(got))
	}
	for i := range got {
		if got[i].name != atts[i].Filename || got[i].ct != wantCT[i] || !bytes.Equal(got[i].body, bodies[i]) {
			t.Errorf("attachment %d: %q %s %d bytes; want %q %s %d bytes", i, got[i].name, got[i].ct, len(got[i].body),
				atts[i].Filename, wantCT[i], len(bodies[i]))
		}
	}
	if !bytes.HasPrefix(got[1].body, []byte("From:")) && !bytes.Contains(got[1].body[:200], []byte("Subject:")) {
		t.Errorf("forwarded mail arrived as %.80q", got[1].body)
	}
}

// An attachment that cannot be found fails the mail for good, and before
// connecting: retrying would find it missing again.
func TestSendAttachmentMissing(t *testing.T) {
	dataDir := t.TempDir()
	rel := archiveMail(t, dataDir, strings.NewReader(staffAnswer(noise(1000, 5), noise(100, 6))))
	good := outgoingAttachments(t, dataDir, rel)[0]

	srv := startServer(t, nil)
	for _, tt := range []struct {
		name    string
		dataDir string
		change  func(a *mailproc.OutgoingAttachment)
		want    string // in the error
		is      error
	}{
		{"archived mail gone", dataDir, func(a *mailproc.OutgoingAttachment) { a.ArchivePath = "archive/00/hilang.eml" },
			`attachment 1 "Surat Keterangan – Ibu Siti.pdf": archived mail: `, fs.ErrNotExist},
		{"no such part", dataDir, func(a *mailproc.OutgoingAttachment) { a.Part = "7" },
			`write message: attachment "Surat Keterangan – Ibu Siti.pdf" (part 7 of ` + rel + `): mime: no such part: part 7`, mime.ErrNoPart},
		{"part is a multipart", dataDir, func(a *mailproc.OutgoingAttachment) { a.Part = "3" }, "multipart/related", mime.ErrNoPart},
		{"not a part number", dataDir, func(a *mailproc.OutgoingAttachment) { a.Part = "2;x" }, "not a part number", mime.ErrNoPart},
		{"no part number", dataDir, func(a *mailproc.OutgoingAttachment) { a.Part = "" }, "no part number", nil},
		{"wrong size", dataDir, func(a *mailproc.OutgoingAttachment) { a.Size++ }, "part has 1000 bytes, the mail listed 1001", nil},
		{"path out of the data dir", dataDir, func(a *mailproc.OutgoingAttachment) { a.ArchivePath = "../" + filepath.Base(dataDir) + "/" + rel },
			"not a path inside the data directory", nil},
		{"absolute path", dataDir, func(a *mailproc.OutgoingAttachment) { a.ArchivePath = filepath.Join(dataDir, rel) },
			"not a path inside the data directory", nil},
		{"archive path is a directory", dataDir, func(a *mailproc.OutgoingAttachment) { a.ArchivePath = "archive" }, `archive path "archive" is not a file`, nil},
		{"no data dir", "", func(*mailproc.OutgoingAttachment) {}, "no data directory configured", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, recs := newSender(t, srv.Addr)
			s.DataDir = tt.dataDir
			m := testMail()
			a := good
			tt.change(&a)
			m.Attachments = []mailproc.OutgoingAttachment{a}
			raw, err := s.Send(context.Background(), m)
			if err == nil {
				t.Fatal("sent")
			}
			t.Log(err)
			if raw != nil || mailproc.IsTemporary(err) {
				t.Errorf("raw %d bytes, IsTemporary %v; want a permanent failure", len(raw), mailproc.IsTemporary(err))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			if !hasLevel(recs(), slog.LevelError, "smtp: mail cannot be") {
				t.Error("not logged at error level")
			}
		})
	}
	if n := len(srv.Commands("EHLO")); n != 0 {
		t.Errorf("connected %d times for mails that cannot be sent", n)
	}
}

func TestAttachmentName(t *testing.T) {
	long := strings.Repeat("Surat Keterangan Tidak Mampu ", 10) + ".pdf"
	cjk := strings.Repeat("申请书", 100) + ".docx"
	for _, tt := range []struct{ in, want string }{
		{"Surat Keterangan – Ibu Siti.pdf", "Surat Keterangan – Ibu Siti.pdf"},
		{"  laporan\t\r\nBcc: x@y.pdf ", "laporan Bcc: x@y.pdf"},
		{"\u202Egnp.exe", "gnp.exe"}, // a right-to-left override would disguise the extension
		{"", "lampiran"},
		{"\x00\x01", "lampiran"},
	} {
		if got := attachmentName(tt.in); got != tt.want {
			t.Errorf("attachmentName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{long, cjk} {
		got := attachmentName(in)
		ext := filepath.Ext(in)
		if !strings.HasSuffix(got, "…"+ext) || len([]rune(got)) > maxFilenameRunes ||
			len(mimeQ(got)) > maxEncodedFilename {
			t.Errorf("attachmentName(%.20q…) = %q (%d runes, %d encoded)", in, got, len([]rune(got)), len(mimeQ(got)))
		}
	}
}

func TestAttachmentType(t *testing.T) {
	for in, want := range map[string]string{
		"application/pdf":         "application/pdf",
		"Image/JPEG":              "image/jpeg",
		"message/rfc822":          "application/octet-stream",
		"text/plain; charset=x":   "application/octet-stream",
		"application/pdf\r\nBcc:": "application/octet-stream",
		"":                        "application/octet-stream",
		"pdf":                     "application/octet-stream",
		"message/delivery-status": "message/delivery-status",
	} {
		if got := attachmentType(in); got != want {
			t.Errorf("attachmentType(%q) = %q, want %q", in, got, want)
		}
	}
}

// bigArchivedMail writes a mail with one base64 attachment of n bytes to
// the archive without holding it.
func bigArchivedMail(t *testing.T, dataDir string, n int) string {
	t.Helper()
	head := strings.ReplaceAll("From: Budi <budi@warga.test>\nTo: layanan@pustakaarsip.kamparkab.go.id\n"+
		"Subject: Pindaian\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"+
		"--b\nContent-Type: text/plain\n\nTerlampir.\n--b\n"+
		"Content-Type: application/pdf; name=\"pindaian.pdf\"\nContent-Transfer-Encoding: base64\n\n", "\n", "\r\n")
	pr, pw := io.Pipe()
	go func() {
		bw := base64.NewEncoder(base64.StdEncoding, &lineWriter{w: pw})
		chunk := noise(57*1024, 7)
		for left := n; left > 0; left -= len(chunk) {
			bw.Write(chunk[:min(left, len(chunk))])
		}
		bw.Close()
		pw.Write([]byte("\r\n--b--\r\n"))
		pw.Close()
	}()
	return archiveMail(t, dataDir, io.MultiReader(strings.NewReader(head), pr))
}

// lineWriter breaks base64 into 76-character CRLF lines.
type lineWriter struct {
	w   io.Writer
	col int
	buf []byte
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.buf = l.buf[:0]
	for _, c := range p {
		if l.col == 76 {
			l.buf = append(l.buf, '\r', '\n')
			l.col = 0
		}
		l.buf = append(l.buf, c)
		l.col++
	}
	if _, err := l.w.Write(l.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

// heapPeak samples the live heap every millisecond while f runs and returns
// the highest growth over the heap before it, and the bytes allocated.
func heapPeak(f func()) (peak, total uint64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(sample)
	base, allocs := sample[0].Value.Uint64(), sample[1].Value.Uint64()
	var max atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > max.Load() {
				max.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	})
	f()
	close(stop)
	wg.Wait()
	metrics.Read(sample)
	if v := sample[0].Value.Uint64(); v > max.Load() {
		max.Store(v)
	}
	return max.Load() - min(base, max.Load()), sample[1].Value.Uint64() - allocs
}

// A 10 MB attachment: what sending it costs in memory. The server side
// discards the data (hashing it), so only the sender is measured. The
// attachment is streamed from the archive into the DATA stream, and the
// Sent copy the sender returns writes the same bytes again from the
// archive: neither holds the mail.
func TestSendAttachmentMemory(t *testing.T) {
	const size = 10 << 20
	dataDir := t.TempDir()
	rel := bigArchivedMail(t, dataDir, size)
	atts := outgoingAttachments(t, dataDir, rel)
	if len(atts) != 1 || atts[0].Size != size {
		t.Fatalf("archived: %+v", atts)
	}

	// No transcript: it would hold the whole mail in the same heap. The
	// server reads the 10 MB body under one deadline; under -race on a busy
	// machine that takes longer than the harness's 10 s.
	srv := startServer(t, nil, func(_ *testServer, s *gosmtp.Server) {
		s.Debug = nil
		s.ReadTimeout, s.WriteTimeout = 2*time.Minute, 2*time.Minute
	})
	var received atomic.Int64
	var digest atomic.Value
	srv.onData = func(_ *gosmtp.Conn, r io.Reader) error {
		h := sha256.New()
		n, err := io.Copy(h, r)
		received.Store(n)
		digest.Store(string(h.Sum(nil)))
		return err
	}
	s, _ := newSender(t, srv.Addr)
	s.DataDir = dataDir
	m := testMail()
	m.Attachments = atts

	var sent mailproc.SentMail
	var err error
	peak, total := heapPeak(func() { sent, err = s.SendMail(context.Background(), m) })
	if err != nil {
		t.Fatal(err)
	}
	if sent.Raw != nil || received.Load() != sent.Len() {
		t.Errorf("server received %d bytes, SendMail says %d (held in memory: %d)", received.Load(), sent.Len(), len(sent.Raw))
	}
	h := sha256.New()
	copyPeak, copyTotal := heapPeak(func() { _, err = sent.WriteTo(h) })
	if err != nil {
		t.Fatal(err)
	}
	if string(h.Sum(nil)) != digest.Load() {
		t.Error("the Sent copy is not the bytes the server received")
	}
	const mb = 1 << 20
	t.Logf("10 MB attachment: mail %.1f MB; sending: peak heap growth %.1f MB, %.1f MB allocated; Sent copy: %.1f MB, %.1f MB",
		float64(sent.Len())/mb, float64(peak)/mb, float64(total)/mb, float64(copyPeak)/mb, float64(copyTotal)/mb)
	if raceEnabled {
		return
	}
	// The bytes allocated, unlike the sampled peak, do not depend on when
	// the GC runs. Before streaming: 62 MB (go-mail's buffer of the
	// encoded part, grown by doubling, then the mail copied out of it).
	if total > 4*mb || copyTotal > 4*mb {
		t.Errorf("%.1f MB allocated to send a 10 MB attachment, %.1f MB to write its Sent copy", float64(total)/mb, float64(copyTotal)/mb)
	}
}

func mimeQ(s string) string { return stdmime.QEncoding.Encode("UTF-8", s) }
