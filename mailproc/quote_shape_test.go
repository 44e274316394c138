package mailproc_test

import (
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestStripQuoteShapes: quote starts told by their shape, in any language,
// and answers that share their line with the quote (issue 12, item 4). The
// texts are written here, in the shapes the clients use.
func TestStripQuoteShapes(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"German Outlook block", "Ja.\n\nVon: Layanan <layanan@example.go.id>\nGesendet: Freitag, 27. November 2026 10:15\nAn: Andi\nBetreff: Tanya\n\nisi", "Ja."},
		{"French block, space before colon", "Oui.\n\nDe : Layanan [mailto:layanan@example.go.id]\nEnvoyé : vendredi 27 novembre 2026 10:15\nÀ : Andi\nObjet : Tanya\n\nisi", "Oui."},
		{"Chinese block", "好的。\n\n发件人: Layanan <layanan@example.go.id>\n发送时间: 2026年11月27日 10:15\n收件人: Andi\n主题: Tanya\n\nisi", "好的。"},
		{"unknown labels, four fields", "Ya.\n\nAbc: Layanan <layanan@example.go.id>\nDef: 27.11.2026 10:15\nGhi: Andi\nJkl: Tanya\n\nisi", "Ya."},
		{"block after dashes", "Ya.\n\n ------------------------------\n\n*From:* Layanan <layanan@example.go.id>\n*Sent:* Friday, November 27, 2026 10:15 AM\n*To:* Andi\n*Subject:* Tanya\n\nisi", "Ya."},
		{"two known fields", "Ya.\n\nDate: Fri, 27 Nov 2026 10:15:02 +0700\nTo: andi@example.go.id\n\nisi", "Ya."},
		{"French attribution, unquoted original", "Oui.\n\nLe 27 nov. 2026 à 10:15, Layanan <layanan@example.go.id> a écrit :\n\nisi", "Oui."},
		{"Polish attribution wrapped", "Tak.\n\nW dniu 27 listopada 2026 10:15 użytkownik Layanan <layanan@example.go.id>\nnapisał:\n\nisi", "Tak."},
		{"date-first attribution wrapped", "Ya.\n\n2026-11-27 10:15 GMT+07:00 Layanan <\nlayanan@example.go.id>:\n\n> isi", "Ya."},
		{"date-first without a colon", "Ya.\n2026/11/27 Layanan <layanan@example.go.id>\n\n> isi", "Ya."},
		{"attribution over lines with blank ones", "Ya.\n\nOn Fri, Nov 27, 2026 at 10:15 AM Layanan\n\n<\nmailto:layanan@example.go.id\n> wrote:\nisi", "Ya."},
		{"dashes around wrote", "Ya.\n\n---- Layanan wrote ----\n\nisi", "Ya."},
		{"dashes around an attribution", "Ya.\n\n------On 11/27/2026 10:15 AM, Layanan wrote-----\n\nisi", "Ya."},
		{"Reply Message separator", "Ya.\n\n-----Reply Message-----\n\nisi", "Ya."},
		{"answer shares the attribution's line", "Ya, buka. On Fri, Nov 27, 2026 at 10:15 AM, layanan@example.go.id wrote:\n> isi", "Ya, buka."},
		{"answer shares the separator's line", "Hari Minggu tutup.-------- Pesan asli --------Dari: Layanan <layanan@example.go.id> Tanggal: 27/11/26 10.15", "Hari Minggu tutup."},
		{"link piece inside a quote", "Ya.\n\nOn Fri, Nov 27, 2026 at 10:15 AM, Layanan wrote:\n\n> Lihat (http://example.com/a\n_nonce=3dd518)\n>\n", "Ya."},
		{"attribution right under the answer", "Ya.\nOn 11/27/2026 10:15 AM, Layanan wrote:\n\n> isi\n\nSalam, Dewi", "Ya.\nSalam, Dewi"},
		{"arrows are not a quote", "Kunjungi:\n>>> http://perpustakaan.example.go.id <<<\nTerima kasih.", "Kunjungi:\n>>> http://perpustakaan.example.go.id <<<\nTerima kasih."},

		// What must stay.
		{"typed address with a time and a colon", "Hubungi loket@example.go.id pukul 08.00 untuk:\n- kartu anggota\n- denda", "Hubungi loket@example.go.id pukul 08.00 untuk:\n- kartu anggota\n- denda"},
		{"typed list of labels without an address", "Jadwal:\nSenin: 08.00\nSelasa: 08.00\nRabu: 08.00", "Jadwal:\nSenin: 08.00\nSelasa: 08.00\nRabu: 08.00"},
		{"typed sign-off above an attribution", "Ya.\n\nTerima kasih,\nRudi\nOn Fri, Nov 27, 2026 at 10:15 AM Siti <siti@example.org> wrote:\n\n> isi", "Ya.\n\nTerima kasih,\nRudi"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := mailproc.StripQuote(tt.in); got != tt.want {
				t.Errorf("StripQuote(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}
