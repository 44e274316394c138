package mailproc

import "testing"

func TestClassify(t *testing.T) {
	tests := []struct {
		name, subject, text string
		want                Kind
	}{
		{"tag aduan wins over info words", "[ADUAN] Mohon info jam buka", "", KindAduan},
		{"tag info wins over complaint words", "[INFO] buku rusak", "saya kecewa", KindInformasi},
		{"tag lower case with spaces", "[ pengaduan ] AC", "", KindAduan},
		{"opening hours question", "Jam buka perpustakaan", "Selamat pagi, apakah perpustakaan buka hari Sabtu?", KindInformasi},
		{"complaint about broken books", "Buku rusak", "Saya kecewa, buku yang saya pinjam rusak dan kotor.", KindAduan},
		{"complaint in body only", "Halo", "Saya ingin menyampaikan keluhan: petugas tidak ramah dan pelayanan lambat.", KindAduan},
		{"english complaint", "Complaint", "I am disappointed, the toilet is dirty.", KindAduan},
		{"english question", "Question", "How can I become a member?", KindInformasi},
		{"no keywords is informasi", "Halo", "Terima kasih.", KindInformasi},
		{"empty mail is informasi", "", "", KindInformasi},
		{"tie goes to informasi", "Tanya", "rusak", KindInformasi},
		{"word inside another word does not count", "Pembaruan data", "Harimau di kotamadya Matias", KindInformasi},
		{"slang complaint", "parah", "parah banget, udah 3x dateng gak dilayanin", KindAduan},
		{"negation: no answer yet", "Surat saya", "Surat saya belum dibalas dan tidak ada tanggapan.", KindAduan},
		{"negated complaint word is not one", "Jam buka", "Bukunya tidak rusak, saya hanya ingin tahu jam buka.", KindInformasi},
		{"a worry is not a complaint", "Loker", "Ada loker ga? takut ilang barangnya", KindInformasi},
		{"pungli is a complaint", "Pungutan liar", "Saya dimintai uang saat mendaftar kartu anggota, bukankah tidak dipungut biaya? pungli", KindAduan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(tt.subject, tt.text)
			if got.Kind != tt.want {
				t.Errorf("Classify(%q, %q) = %s (%s), want %s", tt.subject, tt.text, got.Kind, got.Reason, tt.want)
			}
			if got.Reason == "" {
				t.Error("no reason given")
			}
		})
	}
}

func TestClassifyReadsOnlyTheStart(t *testing.T) {
	long := make([]byte, 0, 10000)
	for len(long) < 9000 {
		long = append(long, "terima kasih "...)
	}
	// Complaint words far below (e.g. in quoted history) must not decide.
	got := Classify("Pertanyaan", string(long)+" rusak rusak rusak kecewa kecewa")
	if got.Kind != KindInformasi {
		t.Fatalf("got %s: %s", got.Kind, got.Reason)
	}
}
