package mime

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	stdmime "mime"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/emersion/go-message/textproto"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// openPart reads the part of raw that a listed attachment names.
func openPart(t testing.TB, raw string, part string) ([]byte, error) {
	t.Helper()
	r, err := OpenPart(strings.NewReader(raw), part)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// checkParts asserts that every attachment Parse listed opens again by its
// Part and yields exactly its Size in bytes. parseString runs it on every
// mail the edge tests build, so the numbering is checked on broken
// multiparts, digests, reports and the rest.
func checkParts(t testing.TB, raw string, m *mailproc.Message) {
	t.Helper()
	inWinmail := false
	for i, a := range m.Attachments {
		if a.Part == "" {
			// A file listed from inside a winmail.dat, after it: staff
			// open it from there.
			if !inWinmail {
				t.Errorf("attachment %d (%q) has no Part and follows no winmail.dat", i, a.Filename)
			}
			continue
		}
		inWinmail = isTNEF(a.ContentType, a.Filename)
		if !validSection(a.Part) {
			t.Errorf("attachment %d (%q): Part %q is not a part number", i, a.Filename, a.Part)
			continue
		}
		b, err := openPart(t, raw, a.Part)
		if err != nil {
			t.Errorf("attachment %d (%q): OpenPart(%q): %v", i, a.Filename, a.Part, err)
			continue
		}
		if int64(len(b)) != a.Size {
			t.Errorf("attachment %d (%q): part %s has %d bytes, Size %d", i, a.Filename, a.Part, len(b), a.Size)
		}
	}
}

// imapParts walks a mail with go-message's multipart reader and the
// standard library's decoders — an implementation independent of the
// parser — and returns the decoded body of every leaf by its IMAP section
// number. It is strict: a mail it cannot walk returns an error.
func imapParts(raw string) (map[string][]byte, error) {
	br := bufio.NewReader(strings.NewReader(raw))
	h, err := textproto.ReadHeader(br)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte)
	var walk func(h textproto.Header, body io.Reader, path string) error
	walk = func(h textproto.Header, body io.Reader, path string) error {
		mt, params, _ := stdmime.ParseMediaType(h.Get("Content-Type"))
		if strings.HasPrefix(mt, "multipart/") {
			mr := textproto.NewMultipartReader(body, params["boundary"])
			for i := 1; ; i++ {
				p, err := mr.NextPart()
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return err
				}
				child := fmt.Sprint(i)
				if path != "" {
					child = path + "." + child
				}
				if err := walk(p.Header, p, child); err != nil {
					return err
				}
			}
		}
		switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
		case "base64":
			body = base64.NewDecoder(base64.StdEncoding, body)
		case "quoted-printable":
			body = quotedprintable.NewReader(body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			return fmt.Errorf("part %s: %w", section(path), err)
		}
		out[section(path)] = b
		return nil
	}
	if err := walk(h, br, ""); err != nil {
		return nil, err
	}
	return out, nil
}

// notMail are the fixtures that are not mail at all: Parse must refuse them.
var notMail = map[string]bool{"empty.eml": true, "garbage-no-header.eml": true}

// Every attachment of every fixture opens by its Part, yields its Size, and
// — where go-message can walk the mail — the same bytes that an independent
// walk finds under the same IMAP section number.
func TestOpenPartFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.eml")
	withAttachments := 0
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			raw := string(b)
			m, err := Parse(strings.NewReader(raw), Options{})
			if notMail[filepath.Base(file)] {
				if err == nil {
					t.Fatal("parsed a fixture that is not a mail")
				}
				return // nothing to open: the parser refuses it, as it must
			}
			if err != nil {
				t.Fatalf("a mail fixture does not parse: %v", err)
			}
			if len(m.Attachments) == 0 {
				return
			}
			withAttachments++
			checkParts(t, raw, m)
			want, werr := imapParts(raw)
			for _, a := range m.Attachments {
				got, err := openPart(t, raw, a.Part)
				if err != nil {
					continue // reported by checkParts
				}
				if werr != nil {
					t.Logf("go-message cannot walk it (%v): part %s %q checked by size only", werr, a.Part, a.Filename)
					continue
				}
				w, ok := want[a.Part]
				switch {
				case !ok:
					t.Errorf("part %s (%q): no such leaf in go-message's walk (%d leaves)", a.Part, a.Filename, len(want))
				case !bytes.Equal(got, w):
					t.Errorf("part %s (%q): OpenPart gives %d bytes %.40q, go-message %d bytes %.40q", a.Part, a.Filename, len(got), got, len(w), w)
				}
			}
		})
	}
	if withAttachments < 5 {
		t.Errorf("only %d fixtures with attachments: the test proves little", withAttachments)
	}
}

func TestOpenPartContent(t *testing.T) {
	raw, err := os.ReadFile("testdata/attachment-pdf.eml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := openPart(t, string(raw), "2")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("%%EOF")) {
		t.Errorf("part 2 is not the PDF: %.60q", b)
	}

	// The forwarded mail is the raw inner message, header and all.
	raw, err = os.ReadFile("testdata/forwarded-rfc822.eml")
	if err != nil {
		t.Fatal(err)
	}
	b, err = openPart(t, string(raw), "2")
	if err != nil {
		t.Fatal(err)
	}
	inner, err := Parse(bytes.NewReader(b), Options{})
	if err != nil || inner.Subject != "Re: Keluhan pelayanan perpustakaan" {
		t.Errorf("forwarded part does not parse as the inner mail: %v, %+v", err, inner)
	}
}

// numberedMail has every shape of numbering: a nested multipart, a
// forwarded mail with parts of its own (not descended into), each transfer
// encoding, and an empty part.
var numberedMail = crlf(hdr + "MIME-Version: 1.0\n" +
	"Content-Type: multipart/mixed; boundary=outer\n\n" +
	"preamble\n" +
	"--outer\n" +
	"Content-Type: multipart/alternative; boundary=alt\n\n" +
	"--alt\nContent-Type: text/plain; charset=utf-8\n\nSalam.\n" +
	"--alt\nContent-Type: text/html; charset=utf-8\n\n<p>Salam.</p>\n" +
	"--alt--\n" +
	"--outer\n" +
	"Content-Type: application/pdf; name=\"surat.pdf\"\n" +
	"Content-Transfer-Encoding: base64\n\n" +
	"JVBERi0xLjQKc3VyYXQK\n" +
	"--outer\n" +
	"Content-Type: multipart/mixed; boundary=inner\n\n" +
	"--inner\nContent-Type: text/csv; name=\"data.csv\"\nContent-Disposition: attachment\n" +
	"Content-Transfer-Encoding: quoted-printable\n\n" +
	"nama;kota=0D=0ASiti;Bangkinang=\n" +
	"=0D=0A\n" +
	"--inner\nContent-Type: message/rfc822\n\n" +
	"From: x@example.id\nSubject: Terusan\nContent-Type: multipart/mixed; boundary=fwd\n\n" +
	"--fwd\n\nisi terusan\n--fwd\nContent-Type: image/png; name=\"a.png\"\n\nPNG\n--fwd--\n" +
	"--inner--\n" +
	"--outer\n" +
	"Content-Type: application/octet-stream; name=\"kosong.bin\"\n\n" +
	"--outer\n" +
	"Content-Type: text/plain; name=\"catatan.txt\"\nContent-Transfer-Encoding: 8bit\n\n" +
	"Catatan — selesai.\n" +
	"--outer--\n" +
	"epilogue\n")

func TestOpenPartNumbering(t *testing.T) {
	m := parseString(t, numberedMail)
	want := []struct {
		name, part, content string
	}{
		{"surat.pdf", "2", "%PDF-1.4\nsurat\n"},
		{"data.csv", "3.1", "nama;kota\r\nSiti;Bangkinang\r\n"},
		{"Terusan.eml", "3.2", crlf("From: x@example.id\nSubject: Terusan\nContent-Type: multipart/mixed; boundary=fwd\n\n" +
			"--fwd\n\nisi terusan\n--fwd\nContent-Type: image/png; name=\"a.png\"\n\nPNG\n--fwd--")},
		{"kosong.bin", "4", ""},
		{"catatan.txt", "5", "Catatan — selesai."},
	}
	if len(m.Attachments) != len(want) {
		t.Fatalf("Attachments = %+v", m.Attachments)
	}
	for i, w := range want {
		a := m.Attachments[i]
		if a.Filename != w.name || a.Part != w.part {
			t.Errorf("attachment %d = %q part %q, want %q part %q", i, a.Filename, a.Part, w.name, w.part)
		}
		got, err := openPart(t, numberedMail, a.Part)
		if err != nil || string(got) != w.content {
			t.Errorf("part %s = %q (%v), want %q", a.Part, got, err, w.content)
		}
	}
	// The text parts open too, though they are not listed.
	if got, err := openPart(t, numberedMail, "1.2"); err != nil || string(got) != "<p>Salam.</p>" {
		t.Errorf("part 1.2 = %q, %v", got, err)
	}

	// The body of a mail that is not multipart is part 1.
	single := crlf(hdr + "Content-Type: application/pdf; name=\"scan.pdf\"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n")
	m = parseString(t, single)
	if len(m.Attachments) != 1 || m.Attachments[0].Part != "1" {
		t.Fatalf("Attachments = %+v", m.Attachments)
	}
	if got, err := openPart(t, single, "1"); err != nil || string(got) != "%PDF-1.4\n" {
		t.Errorf("part 1 = %q, %v", got, err)
	}
}

func TestOpenPartErrors(t *testing.T) {
	for _, part := range []string{"6", "2.1", "3.2.1", "3.3", "1", "3", "", "0", "01", "2.", ".2", "1..2", "a", "-1", " 2", strings.Repeat("1.", 100) + "1"} {
		_, err := openPart(t, numberedMail, part)
		if !errors.Is(err, ErrNoPart) {
			t.Errorf("part %q: err = %v, want ErrNoPart", part, err)
			continue
		}
		if part != "" && !strings.Contains(err.Error(), part) && len(part) < 20 {
			t.Errorf("part %q: error %q does not name it", part, err)
		}
	}
	if _, err := openPart(t, numberedMail, "3"); err == nil || !strings.Contains(err.Error(), "multipart/mixed") {
		t.Errorf("part 3: %v, want it called a multipart", err)
	}
	if _, err := openPart(t, "", "1"); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty mail: %v", err)
	}
	if _, err := openPart(t, "not a mail at all\n", "1"); !errors.Is(err, ErrNoHeader) {
		t.Errorf("no header: %v", err)
	}

	// The reader's own error, before or while the part is read, is passed on.
	boom := errors.New("disk gone")
	big := crlf(hdr+"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nisi\n--b\n"+
		"Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n") +
		strings.Repeat(strings.Repeat("A", 76)+"\r\n", 4000) + "--b--\r\n"
	cut := func(n int) io.Reader {
		return io.MultiReader(strings.NewReader(big[:n]), iotest.ErrReader(boom))
	}
	if _, err := OpenPart(cut(100), "2"); !errors.Is(err, boom) {
		t.Errorf("error before the part: %v", err)
	}
	r, err := OpenPart(cut(len(big)/2), "2")
	if err != nil {
		t.Fatalf("OpenPart: %v", err)
	}
	if _, err := io.ReadAll(r); !errors.Is(err, boom) || !strings.Contains(err.Error(), "part 2") {
		t.Errorf("error inside the part: %v", err)
	}
}

// bigPayload is the attachment bigMail encodes: the same xorshift stream.
type bigPayload struct {
	rng  uint64
	left int
}

func newBigPayload(n int) *bigPayload { return &bigPayload{rng: 0x9E3779B97F4A7C15, left: n} }

func (p *bigPayload) Read(b []byte) (int, error) {
	if p.left == 0 {
		return 0, io.EOF
	}
	n := min(len(b), p.left)
	for i := range n {
		p.rng ^= p.rng << 13
		p.rng ^= p.rng >> 7
		p.rng ^= p.rng << 17
		b[i] = byte(p.rng)
	}
	p.left -= n
	return n, nil
}

func sha(t testing.TB, r io.Reader) ([32]byte, int64) {
	t.Helper()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		t.Fatal(err)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum, n
}

// The 30 MB attachment streams out of the 40 MB mail byte for byte, in
// memory that does not grow with it.
func TestOpenPart30MB(t *testing.T) {
	if testing.Short() {
		t.Skip("30 MB")
	}
	want, _ := sha(t, newBigPayload(size30MB))
	var got [32]byte
	var n int64
	var err error
	open := func(size int) func() {
		return func() {
			var r io.Reader
			r, err = OpenPart(newBigMail(size), "2")
			if err == nil {
				got, n = sha(t, r)
			}
		}
	}
	alloc := allocDuring(open(size30MB))
	if err != nil {
		t.Fatal(err)
	}
	if n != size30MB || got != want {
		t.Errorf("part 2: %d bytes, sha256 %x; want %d bytes, %x", n, got, size30MB, want)
	}
	t.Logf("30 MB part opened and read: %.2f MB allocated", float64(alloc)/(1<<20))
	if raceEnabled {
		return
	}
	if alloc > 2<<20 {
		t.Errorf("allocated %.1f MB to stream a 30 MB part: it is being buffered", float64(alloc)/(1<<20))
	}
	small := allocDuring(open(3 << 20))
	if alloc > small+(256<<10) {
		t.Errorf("allocation grows with the part: 3 MB %d bytes, 30 MB %d bytes", small, alloc)
	}
}

func BenchmarkOpenPart30MB(b *testing.B) {
	b.SetBytes(size30MB)
	b.ReportAllocs()
	for b.Loop() {
		r, err := OpenPart(newBigMail(size30MB), "2")
		if err != nil {
			b.Fatal(err)
		}
		if n, _ := io.Copy(io.Discard, r); n != size30MB {
			b.Fatal(n)
		}
	}
}
