package mailproc

import "strings"

// Indonesian builds words from a root with prefixes and suffixes: layan →
// dilayani, pelayanan, melayani, dilayanin (colloquial). The classifier
// matches roots, so it strips affixes first. stems lists every root a word
// may have, the word itself first; a lexicon lookup decides which is
// meant, so an over-eager strip (tani → tan) costs nothing unless the
// wrong root is itself a keyword.

// particles are enclitics and colloquial endings that hang on any word.
var particles = []string{"nya", "lah", "kah", "pun", "ku", "mu"}

// suffixes are the derivational suffixes, colloquial -in included.
var suffixes = []string{"kan", "an", "in", "i"}

// stems returns the candidate roots of the lower-case word w.
func stems(w string) []string {
	w = strings.TrimRight(w, "0123456789") // reduplication written dateng2
	if w == "" {
		return nil
	}
	out := []string{w}
	add := func(s string) {
		if len(s) < 3 {
			return
		}
		for _, have := range out {
			if have == s {
				return
			}
		}
		out = append(out, s)
	}
	bases := []string{w}
	for _, p := range particles {
		if b, ok := strings.CutSuffix(w, p); ok && len(b) >= 3 {
			bases = append(bases, b)
			add(b)
		}
	}
	for _, b := range bases {
		for _, pre := range unprefix(b) {
			add(pre)
			for _, s := range suffixes {
				if r, ok := strings.CutSuffix(pre, s); ok {
					add(r)
					if s == "an" || s == "i" { // pe-…-an over a -kan verb: pelaporan
						if r2, ok := strings.CutSuffix(r, "k"); ok {
							add(r2)
						}
					}
				}
			}
		}
	}
	return out
}

// unprefix returns w and w without each prefix it may carry, with the
// initial consonant the nasal prefixes swallow restored (menulis → tulis,
// memukul → pukul, mengirim → kirim, menyapu → sapu, nyari → cari).
func unprefix(w string) []string {
	out := []string{w}
	vowel := func(s string) bool { return s != "" && strings.IndexByte("aeiou", s[0]) >= 0 }
	for _, p := range []string{"di", "ke", "se", "ter", "ber", "be", "per", "te"} {
		if r, ok := strings.CutPrefix(w, p); ok && len(r) >= 3 {
			out = append(out, r)
			for _, p2 := range []string{"per", "ber", "ter", "ke"} { // dipersulit, diperbaiki, keterlaluan
				if r2, ok := strings.CutPrefix(r, p2); ok && len(r2) >= 3 {
					out = append(out, r2)
				}
			}
			out = append(out, unprefixNasal(r, vowel)...) // dimengerti
		}
	}
	out = append(out, unprefixNasal(w, vowel)...)
	return out
}

func unprefixNasal(w string, vowel func(string) bool) []string {
	var out []string
	for _, p := range []string{"meng", "peng", "meny", "peny", "mem", "pem", "men", "pen", "me", "pe", "nge", "ng", "ny"} {
		r, ok := strings.CutPrefix(w, p)
		if !ok || len(r) < 2 {
			continue
		}
		out = append(out, r)
		if vowel(r) {
			switch p {
			case "meng", "peng", "ng":
				out = append(out, "k"+r)
			case "meny", "peny", "ny":
				out = append(out, "s"+r, "c"+r)
			case "mem", "pem":
				out = append(out, "p"+r)
			case "men", "pen":
				out = append(out, "t"+r)
			}
		}
		break // the longest prefix that fits
	}
	return out
}
