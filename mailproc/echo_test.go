package mailproc

import "testing"

func TestEchoSubject(t *testing.T) {
	long := "Mohon informasi jam buka perpustakaan keliling di Kecamatan Bangkinang Seberang dan Kecamatan Salo untuk bulan Desember dan Januari tahun depan"
	for _, tc := range []struct{ in, want string }{
		{"Tanya jam buka", "Tanya jam buka"},
		{"Re: [INF-2026-00001] Tanya", "Re: [INF-2026-00001] Tanya"},
		{"Menang hadiah di https://evil.example/klaim sekarang", "Menang hadiah di sekarang"},
		{"Kunjungi www.judi-online.test", "Kunjungi"},
		{"WWW.JUDI.TEST promo", "promo"},
		{"Promo murah judi.com!", "Promo murah"},
		{"lihat bit.ly/abc123", "lihat"},
		{"lihat evil[.]com dan evil(dot)net", "lihat dan"},
		{"fullwidth evil．com", "fullwidth"},
		{"hubungi promo@spam.test", "hubungi"},
		{"(contoh.co.id)", ""},
		{"xn--80ak6aa92e.xn--p1ai tautan", "tautan"},
		{"Denda Rp50.000 dan 1.5 jam", "Denda Rp50.000 dan 1.5 jam"},
		{"Buku rusak.", "Buku rusak."},
		{"tunggu... lama", "tunggu... lama"},
		{"a\r\nBcc: x@y.z", "a Bcc:"},
		{long, "Mohon informasi jam buka perpustakaan keliling di Kecamatan Bangkinang Seberang dan Kecamatan Salo untuk bulan Desember…"},
	} {
		if got := EchoSubject(tc.in); got != tc.want {
			t.Errorf("EchoSubject(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEchoName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Budi Santoso", "Budi Santoso"},
		{"Hendra Saputra, S.Sos.", "Hendra Saputra, S.Sos."},
		{"Dra. Yusnimar, M.Si.", "Dra. Yusnimar, M.Si."},
		{"Klik pinjol-cepat.test sekarang", "Klik sekarang"},
		{"http://x.test", ""},
		{"Nama yang sangat panjang sekali sampai melewati batas enam puluh huruf di sini", "Nama yang sangat panjang sekali sampai melewati batas enam…"},
	} {
		if got := EchoName(tc.in); got != tc.want {
			t.Errorf("EchoName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
