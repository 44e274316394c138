package mailproc

import (
	"slices"
	"testing"
)

func TestStems(t *testing.T) {
	tests := []struct{ word, root string }{
		{"dilayani", "layan"}, {"pelayanan", "layan"}, {"melayani", "layan"}, {"dilayanin", "layan"},
		{"mengecewakan", "kecewa"}, {"dikecewakan", "kecewa"}, {"kekecewaan", "kecewa"},
		{"dipersulit", "sulit"}, {"menyulitkan", "sulit"}, {"keluhan", "keluh"}, {"mengeluhkan", "keluh"},
		{"dibales2", "bales"}, {"dateng2", "dateng"}, {"ditanggapi", "tanggap"}, {"tanggapannya", "tanggap"},
		{"pungutan", "pungut"}, {"dipungut", "pungut"}, {"berbelit", "belit"}, {"pengaduan", "adu"},
		{"memukul", "pukul"}, {"menulis", "tulis"}, {"mengirim", "kirim"}, {"nyari", "cari"},
		{"ngurus", "urus"}, {"diperbaiki", "baik"}, {"diabaikan", "abai"}, {"ketus", "ketus"},
	}
	for _, tt := range tests {
		if got := stems(tt.word); !slices.Contains(got, tt.root) {
			t.Errorf("stems(%q) = %q, want it to hold %q", tt.word, got, tt.root)
		}
	}
	if got := stems("2"); got != nil {
		t.Errorf("stems of a number = %q", got)
	}
}
