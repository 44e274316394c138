package mailproc

import (
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// A registration (pendaftaran kanal) is a new mail from staff to the desk
// whose first line is "#kanal KANAL": a contact that came by telephone,
// WhatsApp, social media, the suggestion box or at the desk becomes a case
// like a mail would. The syntax:
//
//	#kanal telepon
//	Nama: Ibu Sari
//	Kontak: 0812-7654-3210
//	Email: sari@example.id        (optional: she gets the acknowledgement)
//	Waktu: 09.40                  (optional: contacted earlier the same day)
//	#aduan                        (optional: else the classifier decides)
//
//	Ruang baca lantai 2 tutup pada jam layanan ...
//
// The subject is the perihal; the text after the fields is the question or
// complaint.

// Registration is a parsed #kanal mail.
type Registration struct {
	Channel Channel
	Name    string
	Contact string
	Email   string
	Kind    Kind // KindAduan or KindInformasi when staff said so; "" for the classifier
	// Hour and Minute are the Waktu: line; Timed is false without one.
	Hour, Minute int
	Timed        bool
	Text         string
}

// RegistrationSyntax is the help text of a malformed registration.
const RegistrationSyntax = `Baris pertama: #kanal KANAL (tatapmuka, telepon, whatsapp, instagram, facebook, twitter, kotaksaran)
Lalu: Nama: ...  dan/atau  Kontak: ... (telepon atau akun)
Boleh: Email: ... (warga menerima tanda terima), Waktu: JJ.MM (hari yang sama), #aduan atau #informasi
Sesudah baris kosong: isi pertanyaan atau aduan warga. Subjek email menjadi perihal.`

// IsRegistration reports whether text's first non-blank line starts with
// #kanal.
func IsRegistration(text string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			f := strings.Fields(strings.ToLower(l))
			return f[0] == "#kanal"
		}
	}
	return false
}

// ParseRegistration reads a #kanal mail's text; problem says what is wrong
// with a malformed one ("" when it is well formed).
func ParseRegistration(text string) (r Registration, problem string) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i == len(lines) {
		return r, "email kosong"
	}
	first := strings.Fields(strings.TrimSpace(lines[i]))
	if strings.ToLower(first[0]) != "#kanal" {
		return r, "baris pertama bukan #kanal"
	}
	if len(first) < 2 {
		return r, "kanal tidak disebut sesudah #kanal"
	}
	ch, ok := ParseChannel(first[1])
	if !ok || ch == ChannelEmail {
		return r, "kanal tidak dikenal: " + first[1]
	}
	r.Channel = ch
	for _, w := range first[2:] {
		if p := r.setKind(w); p != "" {
			return r, p
		}
	}
	for i++; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "#") {
			if p := r.setKind(l); p != "" {
				return r, p
			}
			continue
		}
		key, val, found := strings.Cut(l, ":")
		if !found {
			break
		}
		val = strings.TrimSpace(val)
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "nama":
			r.Name = val
		case "kontak":
			r.Contact = val
		case "email":
			a, err := mail.ParseAddress(val)
			if err != nil {
				return r, "alamat email tidak dapat dibaca: " + val
			}
			r.Email = a.Address
		case "waktu":
			h, m, ok := parseClock(val)
			if !ok {
				return r, "waktu tidak dapat dibaca (tulis JJ.MM, misalnya 09.40): " + val
			}
			r.Hour, r.Minute, r.Timed = h, m, true
		default:
			// Not a field: the complaint itself starts here.
			goto body
		}
	}
body:
	r.Text = strings.TrimSpace(strings.Join(lines[min(i, len(lines)):], "\n"))
	switch {
	case r.Name == "" && r.Contact == "":
		return r, "nama dan kontak warga tidak ada (tulis Nama: dan/atau Kontak:)"
	case r.Text == "":
		return r, "isi pertanyaan atau aduan warga tidak ada"
	}
	return r, ""
}

func (r *Registration) setKind(w string) string {
	switch strings.ToLower(w) {
	case "#aduan":
		r.Kind = KindAduan
	case "#informasi":
		r.Kind = KindInformasi
	default:
		return "perintah tidak dikenal dalam pendaftaran: " + w
	}
	return ""
}

// parseClock reads HH.MM or HH:MM.
func parseClock(s string) (h, m int, ok bool) {
	hs, ms, found := strings.Cut(strings.ReplaceAll(s, ":", "."), ".")
	if !found {
		return 0, 0, false
	}
	h, err1 := strconv.Atoi(strings.TrimSpace(hs))
	m, err2 := strconv.Atoi(strings.TrimSpace(ms))
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}

// ContactTime is when the citizen contacted the desk: the Waktu: of r on
// the day the mail was sent (in loc), else the time it was sent; never
// after now, and sent is now when the mail has no usable date.
func (r Registration) ContactTime(sent, now time.Time, loc *time.Location) time.Time {
	if sent.IsZero() || sent.After(now) {
		sent = now
	}
	if !r.Timed {
		return sent
	}
	d := sent.In(loc)
	t := time.Date(d.Year(), d.Month(), d.Day(), r.Hour, r.Minute, 0, 0, loc)
	if t.After(sent) {
		return sent
	}
	return t
}
