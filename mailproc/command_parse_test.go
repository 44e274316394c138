package mailproc

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
)

func TestParseCommands(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		cmds    []Command
		unknown []string
		rest    string
	}{
		{"no command", "Ya, buka hari Sabtu.", nil, nil, "Ya, buka hari Sabtu."},
		{"empty", "", nil, nil, ""},
		{"command then answer", "#selesai\n\nYa, buka hari Sabtu.\n\nSalam,\nDewi",
			[]Command{{CmdSelesai, ""}}, nil, "Ya, buka hari Sabtu.\n\nSalam,\nDewi"},
		{"leading blank lines skipped", "\n\n  \n#aduan\nMohon maaf.", []Command{{CmdAduan, ""}}, nil, "Mohon maaf."},
		{"command alone, no answer", "#eskalasi", []Command{{CmdEskalasi, ""}}, nil, ""},
		{"arg is the rest of the line", "#tindaklanjut menunggu teknisi\nBaik Bu.",
			[]Command{{CmdTindaklanjut, "menunggu teknisi"}}, nil, "Baik Bu."},
		{"several commands", "#aduan\n#eskalasi perlu keputusan Kabag\n#tindaklanjut\n\nBu Siti, sedang kami proses.",
			[]Command{{CmdAduan, ""}, {CmdEskalasi, "perlu keputusan Kabag"}, {CmdTindaklanjut, ""}}, nil, "Bu Siti, sedang kami proses."},
		{"case-insensitive", "#SELESAI\n#Informasi", []Command{{CmdSelesai, ""}, {CmdInformasi, ""}}, nil, ""},
		{"english aliases", "#close\n#complaint\n#info\n#escalate\n#followup\n#note x",
			[]Command{{CmdSelesai, ""}, {CmdAduan, ""}, {CmdInformasi, ""}, {CmdEskalasi, ""}, {CmdTindaklanjut, ""}, {CmdCatatan, "x"}}, nil, ""},
		{"tindak-lanjut and tindak_lanjut", "#tindak-lanjut\n#Tindak_Lanjut\n#follow-up", []Command{{CmdTindaklanjut, ""}, {CmdTindaklanjut, ""}, {CmdTindaklanjut, ""}}, nil, ""},
		{"colon after the name", "#catatan: warga sudah ditelepon", []Command{{CmdCatatan, "warga sudah ditelepon"}}, nil, ""},
		{"white space before # (Yahoo indents)", " #selesai\n Terima kasih.", []Command{{CmdSelesai, ""}}, nil, "Terima kasih."},
		{"non-breaking space after the name", "#selesai\u00a0terima kasih", []Command{{CmdSelesai, "terima kasih"}}, nil, ""},
		{"CRLF", "#selesai\r\nYa.\r\n", []Command{{CmdSelesai, ""}}, nil, "Ya."},

		// #catatan makes the whole reply internal.
		{"note with text below", "#catatan\nWarga sudah ditelepon pukul 10.30.\nTidak perlu jawaban email.",
			[]Command{{CmdCatatan, "Warga sudah ditelepon pukul 10.30.\nTidak perlu jawaban email."}}, nil, ""},
		{"note arg and text below", "#catatan ditelepon\n\nJawaban lisan sudah diberikan.",
			[]Command{{CmdCatatan, "ditelepon\nJawaban lisan sudah diberikan."}}, nil, ""},
		{"note with other commands", "#selesai\n#catatan sudah beres\nBu Siti puas.",
			[]Command{{CmdSelesai, ""}, {CmdCatatan, "sudah beres\nBu Siti puas."}}, nil, ""},
		{"text goes to the last note", "#catatan satu\n#catatan dua\nisi",
			[]Command{{CmdCatatan, "satu"}, {CmdCatatan, "dua\nisi"}}, nil, ""},

		// Unknown words.
		{"unknown command", "#catatn sudah ditelepon\nIsi catatan", nil, []string{"#catatn"}, "Isi catatan"},
		{"unknown does not end the block", "#halo\n#selesai\nYa.", []Command{{CmdSelesai, ""}}, []string{"#halo"}, "Ya."},
		{"name longer than a command", "#selesaikan\nYa.", nil, []string{"#selesaikan"}, "Ya."},
		{"hyphenated unknown kept whole", "#catatan-penting x", nil, []string{"#catatan-penting"}, ""},
		{"digits", "#123 lihat nomor", nil, []string{"#123"}, ""},

		// Not commands.
		{"hashtag later in the text", "Ya.\nlihat #perpustakaan di Instagram\n#selesai",
			nil, nil, "Ya.\nlihat #perpustakaan di Instagram\n#selesai"},
		{"command after an answer line is text", "Baik Bu.\n#selesai", nil, nil, "Baik Bu.\n#selesai"},
		{"markdown heading", "# Jadwal\nSenin–Jumat", nil, nil, "# Jadwal\nSenin–Jumat"},
		{"hash alone", "#\nYa.", nil, nil, "#\nYa."},
		{"heading ends the block", "#selesai\n# Jadwal\nSenin", []Command{{CmdSelesai, ""}}, nil, "# Jadwal\nSenin"},
		{"blank lines between commands", "#selesai\n\n#catatan sudah ditelepon\n\nisi", []Command{{CmdSelesai, ""}, {CmdCatatan, "sudah ditelepon\nisi"}}, nil, ""},
		{"## is no command", "## Jadwal", nil, nil, "## Jadwal"},
		{"hash then punctuation", "#!selesai", nil, nil, "#!selesai"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds, unknown, rest := ParseCommands(tt.in)
			if !reflect.DeepEqual(cmds, tt.cmds) {
				t.Errorf("cmds = %q, want %q", cmds, tt.cmds)
			}
			if !reflect.DeepEqual(unknown, tt.unknown) {
				t.Errorf("unknown = %q, want %q", unknown, tt.unknown)
			}
			if rest != tt.rest {
				t.Errorf("rest = %q, want %q", rest, tt.rest)
			}
		})
	}
}

// TestCommandsTableParses keeps Commands (what staff are shown) and the
// parser in step: every listed name and alias must parse to its command.
func TestCommandsTableParses(t *testing.T) {
	for _, c := range Commands {
		for _, word := range []string{c.Command, c.Alias} {
			cmds, unknown, _ := ParseCommands(word)
			if len(cmds) != 1 || "#"+string(cmds[0].Name) != c.Command || len(unknown) != 0 {
				t.Errorf("ParseCommands(%q) = %v, %v; want %s", word, cmds, unknown, c.Command)
			}
		}
	}
}

func FuzzParseCommands(f *testing.F) {
	for _, s := range []string{
		"#selesai\n\nYa.", "#catatan x\ny", "#tindak-lanjut\n#note a\nb", " #Close\r\nok", "# judul\n#selesai",
		"#\n", "#catatn\n#aduan:x\n\nlihat #info", "\n\n#eskalasi\u00a0z", "#a-b-c-\n#-x", "#\xff\n#selesai",
	} {
		f.Add(s)
	}
	known := map[CommandName]bool{}
	for _, c := range Commands {
		known[CommandName(strings.TrimPrefix(c.Command, "#"))] = true
	}
	f.Fuzz(func(t *testing.T, in string) {
		cmds, unknown, rest := ParseCommands(in)
		for _, c := range cmds {
			if !known[c.Name] {
				t.Fatalf("unknown command name %q", c.Name)
			}
		}
		for _, u := range unknown {
			if !strings.HasPrefix(u, "#") || len(u) < 2 {
				t.Fatalf("unknown word %q", u)
			}
		}
		// rest is the end of the text (line ends made LF, trailing white
		// space trimmed), or empty when a note took it.
		norm := strings.TrimRightFunc(strings.ReplaceAll(strings.ReplaceAll(in, "\r\n", "\n"), "\r", "\n"), unicode.IsSpace)
		if !strings.HasSuffix(norm, rest) {
			t.Fatalf("rest %q is not a suffix of %q", rest, norm)
		}
		if rest != strings.TrimSpace(rest) {
			t.Fatalf("rest not trimmed: %q", rest)
		}
		for _, c := range cmds {
			if c.Name == CmdCatatan && rest != "" {
				t.Fatalf("#catatan with rest %q: a note must not reach the citizen", rest)
			}
		}
		// Parsing the rest again finds no command at its top: the block
		// ended where the rest begins.
		if again, unk, _ := ParseCommands(rest); len(again)+len(unk) != 0 && len(cmds)+len(unknown) != 0 {
			t.Fatalf("rest %q still starts with a command", rest)
		}
	})
}
