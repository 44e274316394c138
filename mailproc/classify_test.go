package mailproc

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"
)

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

// BenchmarkClassify is a citizen's mail of the intake bench's size (3 kB):
// intake classifies every new case's first mail.
//
//	go test -run '^$' -bench Classify -benchmem ./mailproc
func BenchmarkClassify(b *testing.B) {
	text := "Selamat siang Bapak/Ibu,\n\nSaya ingin bertanya tentang layanan perpustakaan dan arsip.\n" +
		strings.Repeat("Apakah ada persyaratan khusus untuk meminjam koleksi arsip daerah? Mohon penjelasannya, terima kasih. "+
			"Kemarin pelayanan di loket sangat lambat dan petugasnya tidak ramah, saya kecewa.\n", 12)
	for b.Loop() {
		Classify("Pertanyaan tentang peminjaman arsip", text)
	}
}

// Phrases count as whole words, each occurrence once, in one pass over the
// words; a hyphen is a space in the normalized text.
func TestTallyPhrases(t *testing.T) {
	for _, tt := range []struct {
		text                  string
		complaints, questions map[string]int
	}{
		{"", nil, nil},
		{"Mohon info jam buka, mohon info jam layanan!", nil, map[string]int{"mohon info": 2, "jam buka": 1, "jam layanan": 1}},
		{"lama sekali lama sekali lama sekali sekali", map[string]int{"lama sekali": 3}, nil},
		{"Bolak-balik ke loket, bolak balik tanpa kejelasan; tidak masuk akal (gak masuk akal).",
			map[string]int{"bolak balik": 2, "tanpa kejelasan": 1, "tidak masuk akal": 1, "gak masuk akal": 1}, nil},
		{"no response no response. Back and forth, back and forth and forth", map[string]int{"no response": 2, "back and forth": 2}, nil},
		{"mohon mohon info info jam jam buka", nil, map[string]int{"mohon info": 1, "jam buka": 1}},
		{"kami kelamaan menunggu", map[string]int{"kelamaan": 1}, nil},
	} {
		words := strings.Fields(normalizeWords(tt.text))
		for _, k := range []struct {
			set  phraseSet
			want map[string]int
		}{{complaintPhraseSet, tt.complaints}, {infoPhraseSet, tt.questions}} {
			var tl tally
			tl.phrases(words, k.set, 1)
			total := 0
			for _, n := range k.want {
				total += n
			}
			hits := slices.Clone(tl.hits)
			sort.Strings(hits)
			want := slices.Sorted(maps.Keys(k.want))
			if tl.score != total || !slices.Equal(hits, want) {
				t.Errorf("%q: score %d, hits %q; want %d, %q", tt.text, tl.score, hits, total, want)
			}
		}
	}
}

// rootsOf says the same of a word the first time and from its cache.
func TestRootsOfCachedAsComputed(t *testing.T) {
	for _, w := range []string{"kecewa", "mengecewakan", "ramah", "bertanya", "informasinya", "perpustakaan", "dateng2", "x"} {
		first, again := rootsOf(w), rootsOf(w)
		var want uint8
		if hasAny(stems(w), complaintRoots) {
			want |= complaintRoot
		}
		if hasAny(stems(w), positiveRoots) {
			want |= positiveRoot
		}
		if hasAny(stems(w), infoRoots) {
			want |= infoRoot
		}
		if first != want || again != want {
			t.Errorf("rootsOf(%q) = %03b then %03b, want %03b", w, first, again, want)
		}
	}
}
