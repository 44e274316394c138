package template

import (
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// funcs is the whole function map the templates get, on top of text/template's
// built-ins (and, or, eq, len, printf …). It is kept small on purpose: a site
// editing a template should be able to read it in one go, and the data types
// already carry most values formatted the Indonesian way.
//
//	waktu T       a time.Time as an Indonesian letter writes it, in the desk's
//	              time zone: "Jumat, 27 November 2026 pukul 14.05 WIB"
//	durasi D      a time.Duration in words: "5 menit", "1 jam 30 menit"
//	upper S       S in capitals
//	join SEP LIST the strings of LIST separated by SEP; {{.Recipients | join ", "}}
//	indent P S    every line of S prefixed with P; {{indent "> " .Text}} quotes
//	tel S         a tel: link for a phone number: "(0761) 123-456" → "tel:+62761123456"
//	wa S          a WhatsApp link: "0812-3456-7890" → "https://wa.me/6281234567890"
//
// loc is the desk's time zone for waktu; nil prints UTC (see deskLocation).
func funcs(loc *time.Location) map[string]any {
	return map[string]any{
		"waktu":  func(t time.Time) string { return mailproc.FormatWaktu(t, loc) },
		"durasi": mailproc.FormatDurasi,
		"upper":  strings.ToUpper,
		"join":   func(sep string, elems []string) string { return strings.Join(elems, sep) },
		"indent": indent,
		"tel":    func(s string) htmltemplate.URL { return htmltemplate.URL("tel:+" + intlDigits(s)) },
		"wa":     func(s string) htmltemplate.URL { return htmltemplate.URL("https://wa.me/" + intlDigits(s)) },
	}
}

// intlDigits is a phone number in international form without "+": its
// digits, a leading trunk 0 replaced by Indonesia's 62.
func intlDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "0") {
		d = "62" + strings.TrimLeft(d, "0")
	}
	return d
}

func textFuncs(loc *time.Location) texttemplate.FuncMap { return funcs(loc) }
func htmlFuncs(loc *time.Location) htmltemplate.FuncMap { return funcs(loc) }

// indent prefixes every line of s with prefix.
func indent(prefix, s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
