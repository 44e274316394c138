package mime

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// tnefAttr is one attribute of a TNEF stream written by tnefStream.
type tnefAttr struct {
	level byte // 1 message, 2 attachment
	id    uint32
	data  []byte
}

// tnefStream writes a TNEF stream the way Outlook does (MS-OXTNEF 2.1.3):
// signature, key, then each attribute with its length and checksum.
func tnefStream(attrs ...tnefAttr) []byte {
	le := binary.LittleEndian
	b := le.AppendUint32(nil, tnefSignature)
	b = le.AppendUint16(b, 0x4B1D)
	for _, a := range attrs {
		b = append(b, a.level)
		b = le.AppendUint32(b, a.id)
		b = le.AppendUint32(b, uint32(len(a.data)))
		b = append(b, a.data...)
		var sum uint16
		for _, c := range a.data {
			sum += uint16(c)
		}
		b = le.AppendUint16(b, sum)
	}
	return b
}

// mapiProp is one property for mapiProps; a named one (id ≥ 0x8000) gets a
// GUID and a name, as Outlook writes its own properties.
type mapiProp struct {
	typ, id uint16
	value   []byte
}

func mapiProps(props ...mapiProp) []byte {
	le := binary.LittleEndian
	pad := func(b []byte) []byte {
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
		return b
	}
	b := le.AppendUint32(nil, uint32(len(props)))
	for _, p := range props {
		b = le.AppendUint32(b, uint32(p.id)<<16|uint32(p.typ))
		if p.id >= 0x8000 {
			b = append(b, bytes.Repeat([]byte{0x29}, 16)...)
			name := utf16LE("Keywords")
			b = le.AppendUint32(b, 1)
			b = le.AppendUint32(b, uint32(len(name)))
			b = pad(append(b, name...))
		}
		base := p.typ &^ 0x1000
		variable := base == 0x001E || base == 0x001F || base == 0x0102 || base == 0x000D
		switch {
		case p.value == nil && p.typ&0x1000 != 0:
			b = le.AppendUint32(b, 0) // a multi-valued property with no values
		case variable:
			b = le.AppendUint32(b, 1)
			b = le.AppendUint32(b, uint32(len(p.value)))
			b = pad(append(b, p.value...))
		default:
			if p.typ&0x1000 != 0 {
				b = le.AppendUint32(b, 1)
			}
			b = pad(append(b, p.value...))
		}
	}
	return b
}

func utf16LE(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s + "\x00")) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

func str8(s string) []byte      { return []byte(s + "\x00") }
func u32le(v uint32) []byte     { return binary.LittleEndian.AppendUint32(nil, v) }
func fill(n int, c byte) []byte { return bytes.Repeat([]byte{c}, n) }

// tnefMessageAttrs are the message attributes Outlook writes first.
func tnefMessageAttrs(codepage uint32) []tnefAttr {
	return []tnefAttr{
		{1, 0x00089006, u32le(0x00010000)}, // attTnefVersion
		{1, attOemCodepage, append(u32le(codepage), 0, 0, 0, 0)},
		{1, 0x00078008, str8("IPM.Microsoft Mail.Note")}, // attMessageClass
		{1, attMsgProps, mapiProps(
			mapiProp{0x0003, 0x0E07, u32le(0x11)},                // PR_MESSAGE_FLAGS
			mapiProp{0x001F, 0x0037, utf16LE("Permohonan data")}, // PR_SUBJECT
			mapiProp{0x0102, 0x1009, fill(40, 0x5A)},             // PR_RTF_COMPRESSED
			mapiProp{0x101F, 0x8001, nil},                        // a named multi-valued string, empty
		)},
	}
}

// tnefFileAttrs are the attributes of one attached file: rendering data,
// 8.3 title, the bytes, then the MAPI properties with the long name.
func tnefFileAttrs(title string, data []byte, props ...mapiProp) []tnefAttr {
	rend := binary.LittleEndian.AppendUint16(nil, 1) // AttachTypeFile
	rend = append(rend, u32le(0xFFFFFFFF)...)
	rend = append(rend, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0)
	attrs := []tnefAttr{{2, attAttachRenddata, rend}}
	if title != "" {
		attrs = append(attrs, tnefAttr{2, attAttachTitle, str8(title)})
	}
	attrs = append(attrs, tnefAttr{2, attAttachData, data})
	props = append([]mapiProp{{0x0003, 0x3705, u32le(1)}}, props...) // PR_ATTACH_METHOD: by value
	return append(attrs, tnefAttr{2, attAttachment, mapiProps(props...)})
}

// sampleWinmail is a winmail.dat as Outlook sends a letter with one PDF.
func sampleWinmail() []byte {
	attrs := tnefMessageAttrs(1252)
	attrs = append(attrs, tnefFileAttrs("SURAT-~1.PDF", append([]byte("%PDF-1.4\n"), fill(3000, 0x20)...),
		mapiProp{0x001E, prAttachLongFilename, str8("surat-permohonan.pdf")},
		mapiProp{0x001E, prAttachMimeTag, str8("application/pdf")},
		mapiProp{0x0102, 0x3709, fill(200, 1)}, // PR_ATTACH_RENDERING, the icon
	)...)
	return tnefStream(attrs...)
}

// outlookMail wraps a winmail.dat in a mail as Outlook sends it, with an
// optional text part before it.
func outlookMail(text string, winmail []byte) string {
	var b strings.Builder
	b.WriteString(crlf(hdr + "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"----=_NextPart_000\"\n\n"))
	if text != "" {
		b.WriteString(crlf("------=_NextPart_000\nContent-Type: text/plain; charset=\"us-ascii\"\n\n" + text + "\n\n"))
	}
	b.WriteString(crlf("------=_NextPart_000\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\n" +
		"Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=\"winmail.dat\"\n\n"))
	enc := base64.StdEncoding.EncodeToString(winmail)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n" + crlf("\n------=_NextPart_000--\n"))
	return b.String()
}

func TestWinmail(t *testing.T) {
	type att = mailproc.Attachment
	winmailAtt := func(size int) att {
		return att{Filename: "winmail.dat", ContentType: "application/ms-tnef", Size: int64(size), Part: "2"}
	}
	many := tnefMessageAttrs(1252)
	for i := 0; i < maxTNEFFiles+5; i++ {
		many = append(many, tnefFileAttrs("F.TXT", []byte("x"))...)
	}
	sample := sampleWinmail()
	tests := []struct {
		name    string
		text    string // the mail's own text part
		winmail []byte
		want    []att // after winmail.dat itself
		text2   string
		note    string
	}{{
		name: "Outlook letter with a PDF", text: "Surat permohonan terlampir.", winmail: sample,
		want:  []att{{Filename: "surat-permohonan.pdf", ContentType: "application/pdf", Size: 3009}},
		text2: "Surat permohonan terlampir.",
	}, {
		name: "Unicode long name, 8-bit title in the code page, type from the extension", text: "foto",
		winmail: tnefStream(append(append(tnefMessageAttrs(1252),
			tnefFileAttrs("LAPORA~1.DOC", fill(10, 7), mapiProp{0x001F, prAttachLongFilename, utf16LE("laporan jalan ✓.docx")})...),
			tnefFileAttrs("Foto jalan rusak \xe9.jpg", fill(20, 8))...)...),
		want: []att{
			{Filename: "laporan jalan ✓.docx", ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Size: 10},
			{Filename: "Foto jalan rusak é.jpg", ContentType: "image/jpeg", Size: 20},
		},
		text2: "foto",
	}, {
		name: "a name in the OEM code page that is not Latin", text: "dokumen",
		winmail: tnefStream(append(tnefMessageAttrs(1251), tnefFileAttrs("\xcf\xf0\xe8\xe2\xe5\xf2.txt", []byte("a"))...)...),
		want:    []att{{Filename: "Привет.txt", ContentType: "text/plain", Size: 1}},
		text2:   "dokumen",
	}, {
		name: "path and control characters in a name, no name at all", text: "x",
		winmail: tnefStream(append(append(tnefMessageAttrs(1252),
			tnefFileAttrs("", fill(5, 1), mapiProp{0x001E, prAttachLongFilename, str8("C:\\Users\\Budi\\surat\r\nBcc: x.pdf")})...),
			tnefFileAttrs("", fill(6, 1))...)...),
		want: []att{
			{Filename: "surat Bcc: x.pdf", ContentType: "application/pdf", Size: 5},
			{Filename: "lampiran-3", ContentType: "application/octet-stream", Size: 6},
		},
		text2: "x",
	}, {
		name: "embedded Outlook item: the object's size", text: "x",
		winmail: tnefStream(append(tnefMessageAttrs(1252), []tnefAttr{
			{2, attAttachRenddata, make([]byte, 14)},
			{2, attAttachment, mapiProps(mapiProp{0x001F, prDisplayName, utf16LE("Undangan rapat.msg")},
				mapiProp{0x000D, prAttachDataObj, fill(16+700, 3)})},
		}...)...),
		want:  []att{{Filename: "Undangan rapat.msg", ContentType: "application/octet-stream", Size: 700}},
		text2: "x",
	}, {
		name: "the body only in winmail.dat (attBody)", text: "",
		winmail: tnefStream(append(tnefMessageAttrs(1252), tnefAttr{1, attBody, str8("Dengan hormat,\r\nmohon data arsip tahun 1990. Caf\xe9.")})...),
		text2:   "Dengan hormat,\nmohon data arsip tahun 1990. Café.",
		note:    "text taken from winmail.dat",
	}, {
		name: "the body only in winmail.dat (PR_BODY, Unicode)", text: "",
		winmail: tnefStream(tnefAttr{1, attMsgProps, mapiProps(mapiProp{0x001F, prBody, utf16LE("Mohon informasi — terima kasih")})}),
		text2:   "Mohon informasi — terima kasih",
		note:    "text taken from winmail.dat",
	}, {
		name: "the mail's own text wins over winmail.dat's", text: "teks MIME",
		winmail: tnefStream(tnefAttr{1, attBody, str8("teks TNEF")}),
		text2:   "teks MIME",
	}, {
		name: "cut short inside the attachment data: what is there is counted", text: "x",
		winmail: sample[:bytes.Index(sample, []byte("%PDF"))+1000],
		want:    []att{{Filename: "SURAT-~1.PDF", ContentType: "application/pdf", Size: 1000}},
		text2:   "x", note: `part 2 ("winmail.dat") is cut short: 1 file(s) listed from it`,
	}, {
		name: "checksum wrong", text: "x",
		winmail: func() []byte { b := bytes.Clone(sample); b[len(b)-1] ^= 0xFF; return b }(),
		want:    []att{{Filename: "surat-permohonan.pdf", ContentType: "application/pdf", Size: 3009}},
		text2:   "x", note: "is damaged (checksum mismatch)",
	}, {
		name: "not TNEF at all", text: "x", winmail: []byte("PK\x03\x04 sebenarnya zip"),
		text2: "x", note: `part 2 ("winmail.dat") is not a TNEF stream: listed as it is`,
	}, {
		name: "unknown property type stops the property list, not the stream", text: "x",
		winmail: tnefStream(append(tnefFileAttrs("A.TXT", []byte("abc"), mapiProp{0x0001, 0x0001, nil}),
			tnefFileAttrs("B.TXT", []byte("de"))...)...),
		want:  []att{{Filename: "A.TXT", ContentType: "text/plain", Size: 3}, {Filename: "B.TXT", ContentType: "text/plain", Size: 2}},
		text2: "x", note: "is damaged (an attribute could not be read)",
	}, {
		name: "hostile counts and lengths", text: "x",
		winmail: tnefStream(tnefAttr{2, attAttachRenddata, nil},
			tnefAttr{2, attAttachment, append(u32le(0xFFFFFFFF), append(u32le(0x0102<<0|0x3707<<16), u32le(0xFFFFFFF0)...)...)},
			tnefAttr{1, attMsgProps, append(u32le(1), append(u32le(0x101E|prBody<<16), u32le(0xFFFFFFFF)...)...)}),
		want:  []att{{Filename: "lampiran-2", ContentType: "application/octet-stream", Size: 0}},
		text2: "x", note: "is damaged",
	}, {
		name: "more files than listed", text: "x", winmail: tnefStream(many...),
		want:  fillAtts(maxTNEFFiles, att{Filename: "F.TXT", ContentType: "text/plain", Size: 1}),
		text2: "x", note: "holds more than 100 files: 5 not listed",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := outlookMail(tt.text, tt.winmail)
			m := parseString(t, raw)
			part := "1"
			if tt.text != "" {
				part = "2"
			}
			w := winmailAtt(len(tt.winmail))
			w.Part = part
			want := append([]att{w}, tt.want...)
			if len(m.Attachments) != len(want) {
				t.Fatalf("Attachments = %+v\nwant %+v", m.Attachments, want)
			}
			for i := range want {
				if m.Attachments[i] != want[i] {
					t.Errorf("Attachments[%d] = %+v, want %+v", i, m.Attachments[i], want[i])
				}
			}
			if m.Text != tt.text2 {
				t.Errorf("Text = %q, want %q", m.Text, tt.text2)
			}
			checkNote(t, m, tt.note)
		})
	}
}

func fillAtts(n int, a mailproc.Attachment) []mailproc.Attachment {
	out := make([]mailproc.Attachment, n)
	for i := range out {
		out[i] = a
	}
	return out
}

// A winmail.dat carrying a large file streams through: its size counted,
// the file inside listed, the memory independent of the size.
func TestWinmailLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("20 MB")
	}
	const size = 20 << 20
	small := func() []byte {
		return tnefStream(append(tnefMessageAttrs(1252), tnefFileAttrs("SCAN.PDF", fill(1000, 0x41))...)...)
	}
	big := tnefStream(append(tnefMessageAttrs(1252), tnefFileAttrs("SCAN.PDF", fill(size, 0x41))...)...)
	var m *mailproc.Message
	allocSmall := allocDuring(func() { m = parseString(t, outlookMail("pindaian", small())) })
	raw := outlookMail("pindaian", big)
	allocBig := allocDuring(func() {
		var err error
		m, err = Parse(strings.NewReader(raw), Options{})
		if err != nil {
			t.Fatal(err)
		}
	})
	if len(m.Attachments) != 2 || m.Attachments[1].Size != size || m.Attachments[1].Filename != "SCAN.PDF" {
		t.Errorf("Attachments = %+v", m.Attachments)
	}
	t.Logf("allocated %d bytes (small), %d bytes (20 MB)", allocSmall, allocBig)
	if allocBig > allocSmall+(1<<20) && !raceEnabled {
		t.Errorf("allocation grows with the file in winmail.dat: %d → %d bytes", allocSmall, allocBig)
	}
}

// FuzzTNEF feeds the TNEF reader arbitrary streams, seeded with the ones
// above: it must never panic, never keep more than its bounds, never claim
// a file bigger than its input, and, inside a mail, keep every invariant
// of Parse.
func FuzzTNEF(f *testing.F) {
	f.Add(sampleWinmail())
	f.Add(tnefStream(append(tnefMessageAttrs(1251), tnefFileAttrs("\xcf.txt", []byte("a"), mapiProp{0x001F, prAttachLongFilename, utf16LE("ä.txt")})...)...))
	f.Add(tnefStream(tnefAttr{1, attBody, str8("isi")}, tnefAttr{1, attMsgProps, mapiProps(mapiProp{0x001F, prBody, utf16LE("isi")})}))
	f.Add(tnefStream(tnefAttr{2, attAttachment, mapiProps(mapiProp{0x000D, prAttachDataObj, fill(40, 3)}, mapiProp{0x1003, 0x8005, u32le(1)})}))
	for _, raw := range readFixtures(f) {
		if i := strings.Index(raw, "eJ8+Ig"); i >= 0 { // the base64 of a TNEF signature
			b, _ := decodeBase64Lines(raw[i:])
			f.Add(b)
		}
	}
	const maxBody = 300
	f.Fuzz(func(t *testing.T, b []byte) {
		c := readTNEF(bufio.NewReaderSize(bytes.NewReader(b), tnefBufSize), maxBody)
		if len(c.files) > maxTNEFFiles {
			t.Errorf("%d files", len(c.files))
		}
		for _, fl := range c.files {
			for _, s := range []tnefString{fl.title, fl.longName, fl.shortName, fl.displayName, fl.mimeTag} {
				if len(s.b) > maxTNEFString {
					t.Errorf("kept %d bytes of a string", len(s.b))
				}
			}
			if fl.size < 0 || fl.size > int64(len(b)) || fl.objSize < 0 || fl.objSize > int64(len(b)) {
				t.Errorf("file of %d/%d bytes in %d bytes of input", fl.size, fl.objSize, len(b))
			}
		}
		if len(c.body.b) > 2*maxBody {
			t.Errorf("kept %d bytes of body", len(c.body.b))
		}
		raw := outlookMail("teks", b)
		m, err := Parse(strings.NewReader(raw), Options{MaxText: maxBody})
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, m, maxBody)
		checkParts(t, raw, m)
		if len(m.Attachments) == 0 || m.Attachments[0].Size != int64(len(b)) {
			t.Errorf("winmail.dat listed as %+v, want %d bytes", m.Attachments, len(b))
		}
	})
}

// decodeBase64Lines decodes the base64 lines at the start of s, up to the
// first blank line.
func decodeBase64Lines(s string) ([]byte, error) {
	var enc strings.Builder
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		enc.WriteString(line)
	}
	return base64.StdEncoding.DecodeString(enc.String())
}
