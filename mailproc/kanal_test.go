package mailproc

import (
	"strings"
	"testing"
	"time"
)

func TestParseRegistration(t *testing.T) {
	tests := []struct {
		name, text string
		want       Registration
		problem    string // a part of the problem; "" for a good one
	}{
		{"telepon", "#kanal telepon\nNama: Ibu Sari\nKontak: 0812-7654-3210\n\nRuang baca tutup pada jam layanan.",
			Registration{Channel: ChannelTelepon, Name: "Ibu Sari", Contact: "0812-7654-3210", Text: "Ruang baca tutup pada jam layanan."}, ""},
		{"alias, kind on first line, email, time", "#kanal WA #aduan\nKontak: 0813\nEmail: Budi <budi@example.id>\nWaktu: 09.40\nBuku hilang.",
			Registration{Channel: ChannelWhatsApp, Contact: "0813", Email: "budi@example.id", Kind: KindAduan, Hour: 9, Minute: 40, Timed: true, Text: "Buku hilang."}, ""},
		{"kind line, walk-in", "\n#kanal walkin\nNama: Pak Ali\n#informasi\n\nJam buka hari Sabtu?",
			Registration{Channel: ChannelTatapMuka, Name: "Pak Ali", Kind: KindInformasi, Text: "Jam buka hari Sabtu?"}, ""},
		{"unknown channel", "#kanal surat\nNama: A\nIsi.", Registration{}, "kanal tidak dikenal"},
		{"email is no channel to register", "#kanal email\nNama: A\nIsi.", Registration{}, "kanal tidak dikenal"},
		{"no channel", "#kanal\nNama: A\nIsi.", Registration{}, "tidak disebut"},
		{"no name, no contact", "#kanal ig\n\nIsi aduan.", Registration{}, "nama dan kontak"},
		{"no text", "#kanal fb\nNama: A\n", Registration{}, "isi pertanyaan"},
		{"bad time", "#kanal x\nNama: A\nWaktu: 25.00\nIsi.", Registration{}, "waktu"},
		{"bad email", "#kanal kotaksaran\nNama: A\nEmail: bukan alamat\nIsi.", Registration{}, "alamat email"},
		{"unknown command", "#kanal telepon\nNama: A\n#selesai\nIsi.", Registration{}, "tidak dikenal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problem := ParseRegistration(tt.text)
			if tt.problem != "" {
				if !strings.Contains(problem, tt.problem) {
					t.Errorf("problem = %q, want it to say %q", problem, tt.problem)
				}
				return
			}
			if problem != "" || got != tt.want {
				t.Errorf("got %+v, %q\nwant %+v", got, problem, tt.want)
			}
		})
	}
}

func TestIsRegistration(t *testing.T) {
	for text, want := range map[string]bool{"#kanal telepon\nx": true, "\n  #KANAL wa": true, "Halo\n#kanal telepon": false, "": false, "#kanalx": false} {
		if got := IsRegistration(text); got != want {
			t.Errorf("IsRegistration(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestContactTime(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	sent := time.Date(2026, 12, 3, 10, 15, 0, 0, wib)
	now := sent.Add(time.Minute)
	for _, tt := range []struct {
		name string
		r    Registration
		sent time.Time
		want time.Time
	}{
		{"sent time", Registration{}, sent, sent},
		{"earlier the same day", Registration{Hour: 9, Minute: 40, Timed: true}, sent, time.Date(2026, 12, 3, 9, 40, 0, 0, wib)},
		{"a time after sending is the sending time", Registration{Hour: 11, Timed: true}, sent, sent},
		{"a date in the future is now", Registration{}, now.Add(time.Hour), now},
		{"no date is now", Registration{}, time.Time{}, now},
	} {
		if got := tt.r.ContactTime(tt.sent, now, wib); !got.Equal(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestVerifyRegistration: a #kanal mail is a new mail without a token, so
// only the desk server's verdict on its sender proves it.
func TestVerifyRegistration(t *testing.T) {
	staff := Person{Addr: "petugas@desk.example", Role: RoleStaff}
	base := StaffEvidence{From: staff.Addr, Who: staff, Known: true, Register: true}
	for _, tt := range []struct {
		name    string
		auth    func(*StaffEvidence)
		trusted bool
	}{
		{"require_auth off (auto not learnt): refused", func(*StaffEvidence) {}, false},
		{"auth fails: refused", func(e *StaffEvidence) { e.AuthRequired, e.AuthWhy = true, "dkim=fail" }, false},
		{"auth passes: registered", func(e *StaffEvidence) { e.AuthRequired, e.AuthOK = true, true }, true},
	} {
		ev := base
		tt.auth(&ev)
		v := VerifyStaff(ev)
		if v.Trusted() != tt.trusted || (tt.trusted && v.Proof != ProofAuth) {
			t.Errorf("%s: verdict %+v", tt.name, v)
		}
		p := DecideStaff(v, staffReply{Text: "#kanal telepon\nNama: A\nIsi."})
		want := StaffRefuse
		if tt.trusted {
			want = StaffRegister
		}
		if p.Action != want {
			t.Errorf("%s: action %v, want %v", tt.name, p.Action, want)
		}
	}
	ev := base
	ev.AuthRequired, ev.AuthOK = true, true
	if p := DecideStaff(VerifyStaff(ev), staffReply{Text: "#kanal surat\nNama: A\nIsi."}); p.Action != StaffRegisterHelp {
		t.Errorf("malformed: action %v, want help", p.Action)
	}
}
