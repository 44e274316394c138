package mailproc

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseCommands reads the staff commands at the top of a reply (already
// through StripQuote) and returns them, the "#words" at the top that are not
// commands, and the rest: the answer for the citizen, trimmed, possibly
// empty.
//
// The rules:
//   - Blank lines at the top are skipped. Then each line that starts with
//     "#" and a word ("#selesai", "#Close terima kasih", white space before the
//     "#" allowed) is a command; the first other non-blank line ends the
//     command block, and the rest starts there. Blank lines between commands
//     do not end the block: "#selesai", a blank line, "#catatan …" must not
//     send the note to the citizen. A hashtag further down ("lihat
//     #perpustakaan di Instagram") is text, not a command.
//   - Names are case-insensitive, Indonesian or the English alias of
//     Commands ("#catatan" or "#note" …); "-" and "_" inside a name are
//     ignored, so "#tindak-lanjut" and "#tindak_lanjut" are #tindaklanjut.
//   - A command's Arg is the rest of its line, trimmed (a leading ":" too:
//     "#catatan: warga sudah ditelepon").
//   - A "#word" that is no command is returned in unknown, as written with
//     its "#", and ends nothing: the lines after it are still read as
//     commands. A caller should then relay nothing and send staff the command
//     help: a mistyped "#catatn" must not send an internal note to the
//     citizen.
//   - "#" alone and "# judul" (a Markdown heading: a space after the "#")
//     are not commands; they end the block.
//   - #catatan makes the whole reply internal: the text after the command
//     block is added to the (last) #catatan's Arg, after a line break, and
//     rest is empty. An internal note must never reach the citizen, and staff
//     naturally write "#catatan" on the first line and the note below it.
func ParseCommands(text string) (cmds []Command, unknown []string, rest string) {
	lines := splitLines(text)
	note := -1 // index in cmds of the last #catatan
	i := 0
	for ; i < len(lines); i++ {
		if isBlank(lines[i]) {
			continue
		}
		word, arg, ok := commandLine(lines[i])
		if !ok {
			break
		}
		name, known := lookupCommand(word)
		if !known {
			unknown = append(unknown, "#"+word)
			continue
		}
		if name == CmdCatatan {
			note = len(cmds)
		}
		cmds = append(cmds, Command{Name: name, Arg: arg})
	}
	rest = strings.TrimSpace(strings.Join(lines[i:], "\n"))
	if note >= 0 && rest != "" {
		if cmds[note].Arg == "" {
			cmds[note].Arg = rest
		} else {
			cmds[note].Arg += "\n" + rest
		}
		rest = ""
	}
	return cmds, unknown, rest
}

// commandLine splits a line "#word arg" into the word and the argument. The
// word is letters, digits and "_", with single "-" joining parts
// ("tindak-lanjut"); it must follow the "#" directly.
func commandLine(l string) (word, arg string, ok bool) {
	s := strings.TrimLeftFunc(l, unicode.IsSpace)
	if !strings.HasPrefix(s, "#") {
		return "", "", false
	}
	s = s[1:]
	end := 0
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if isWordRune(r) {
			end += size
			continue
		}
		if r == '-' && end > 0 && end+size < len(s) {
			if next, _ := utf8.DecodeRuneInString(s[end+size:]); isWordRune(next) {
				end += size
				continue
			}
		}
		break
	}
	if end == 0 {
		return "", "", false
	}
	arg = strings.TrimSpace(s[end:])
	arg = strings.TrimSpace(strings.TrimPrefix(arg, ":"))
	return s[:end], arg, true
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// lookupCommand finds a command by the name staff typed, without the "#":
// Indonesian or English, any case, "-" and "_" ignored.
func lookupCommand(word string) (CommandName, bool) {
	key := strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(word))
	for _, c := range Commands {
		if key == strings.TrimPrefix(c.Command, "#") || key == strings.TrimPrefix(c.Alias, "#") {
			return CommandName(strings.TrimPrefix(c.Command, "#")), true
		}
	}
	return "", false
}
