package mailproc

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// The compact Message-ID (the third format) fits one header line.
//
// go-mail folds a header before a word that would end past column 74, so
// "Message-ID: <id>" stays one line only while the id is at most 58
// characters; the second format gave a notification 107. A compact id is
// 29 characters of base32 (RFC 4648 alphabet, lower case) before the desk's
// domain, so a domain of up to 28 characters (pustakaarsip.kamparkab.go.id
// is 28) keeps every Message-ID of ours on one line.
//
// The 145 bits are
//
//	purpose 3 | kind 1 | year-2000 7 | sequence 22 | key 8 | nonce 24 | mac 80
//
// where kind, year and sequence are the case number (INF-2026-00042), key
// is the first byte of the signing key's id, the nonce is random and mac is
// the first 80 bits of HMAC-SHA256(key, "v3"|key|purpose|number|recipient|
// nonce). The day is not in the id: like the first format's, a compact
// token is good for token_max_age after the mail that carried it was sent,
// as the outbox says, so it needs its outbox row to verify (Check's sent).
//
// An id of ours that carries no token (a tanda terima, a digest) has the
// purpose and then zeros where the number would be (no case is number 0)
// and 112 random bits.
const compactIDLen = 29

// compactAlphabet is base32 of RFC 4648 in lower case.
const compactAlphabet = "abcdefghijklmnopqrstuvwxyz234567"

// idPurposes gives each purpose its 3-bit code in a compact id.
var idPurposes = [8]Purpose{PurposeOps, PurposeNotify, PurposeEscalation, PurposeConfirm, PurposeHelp, PurposeAck, PurposeAnswer, PurposeClosing}

// Bit widths of the compact id's fields.
const (
	bitsPurpose = 3
	bitsYear    = 7
	bitsSeq     = 22
	bitsKid     = 8
	bitsNonce   = 24
	macBytes    = 10 // 80 bits
)

func purposeCode(p Purpose) uint64 {
	for i, q := range idPurposes {
		if q == p {
			return uint64(i)
		}
	}
	return 0
}

// compactNumber splits a case number into the compact id's fields; ok is
// false for a number they cannot hold (a year before 2000 or after 2127,
// a sequence from 4,194,304 on), which gets a second-format id instead.
func compactNumber(number string) (kind, year, seq uint64, ok bool) {
	k, y, s, err := ParseNumber(strings.ToUpper(number))
	if err != nil || y < 2000 || y >= 2000+1<<bitsYear || s < 1 || s >= 1<<bitsSeq {
		return 0, 0, 0, false
	}
	if k == KindAduan {
		kind = 1
	}
	return kind, uint64(y - 2000), uint64(s), true
}

// compactToken makes the compact signed id's local part; ok is false when
// the number does not fit (see compactNumber).
func (t Tokens) compactToken(p Purpose, number, recipient string) (string, bool) {
	kind, year, seq, ok := compactNumber(number)
	if !ok {
		return "", false
	}
	var nonce [bitsNonce / 8]byte
	rand.Read(nonce[:])
	kid := keyID(t.Secret)[:2]
	mac, _ := hex.DecodeString(compactMAC(t.Secret, kid, p, number, recipient, hex.EncodeToString(nonce[:])))
	var w bitWriter
	w.put(purposeCode(p), bitsPurpose)
	w.put(kind, 1)
	w.put(year, bitsYear)
	w.put(seq, bitsSeq)
	kidByte, _ := hex.DecodeString(kid)
	w.putBytes(kidByte)
	w.putBytes(nonce[:])
	w.putBytes(mac)
	return w.String(), true
}

// compactMAC is the hex mac of a compact token.
func compactMAC(key []byte, kid string, p Purpose, number, recipient, nonce string) string {
	return tokenMAC(key, "v3|"+kid+"|"+string(p)+"|"+strings.ToLower(number)+"|"+strings.ToLower(recipient)+"|"+nonce, macBytes)
}

// unsignedCompactID is the local part of an id of ours that is no token.
func unsignedCompactID(p Purpose) string {
	var random [14]byte // 112 bits
	rand.Read(random[:])
	var w bitWriter
	w.put(purposeCode(p), bitsPurpose)
	w.put(0, 1+bitsYear+bitsSeq)
	w.putBytes(random[:])
	return w.String()
}

// parseCompact reads a compact local part as a token; ok is false for
// anything else, an unsigned id of ours included.
func parseCompact(local string) (tok Token, ok bool) {
	r, ok := readBits(local)
	if !ok {
		return tok, false
	}
	p := idPurposes[r.get(bitsPurpose)]
	kind, year, seq := r.get(1), r.get(bitsYear), r.get(bitsSeq)
	if seq == 0 {
		return tok, false // no case: an unsigned id
	}
	k := KindInformasi
	if kind == 1 {
		k = KindAduan
	}
	tok = Token{Purpose: p, Number: FormatNumber(k, 2000+int(year), int(seq)), Compact: true}
	tok.kid = hex.EncodeToString(r.bytes(bitsKid / 8))
	tok.nonce = hex.EncodeToString(r.bytes(bitsNonce / 8))
	tok.mac = hex.EncodeToString(r.bytes(macBytes))
	return tok, signedPurposes[p]
}

// isCompactLocal says whether local has the compact id's shape.
func isCompactLocal(local string) bool {
	_, ok := readBits(local)
	return ok
}

// bitWriter packs fields of any width, most significant bit first, and
// writes them five bits to a character.
type bitWriter struct{ bits []byte }

func (w *bitWriter) put(v uint64, n int) {
	for i := n - 1; i >= 0; i-- {
		w.bits = append(w.bits, byte(v>>uint(i)&1))
	}
}

func (w *bitWriter) putBytes(b []byte) {
	for _, c := range b {
		w.put(uint64(c), 8)
	}
}

func (w *bitWriter) String() string {
	var s strings.Builder
	for i := 0; i+5 <= len(w.bits); i += 5 {
		v := 0
		for _, b := range w.bits[i : i+5] {
			v = v<<1 | int(b)
		}
		s.WriteByte(compactAlphabet[v])
	}
	return s.String()
}

// bitReader reads back what a bitWriter wrote.
type bitReader struct {
	bits []byte
	pos  int
}

// readBits decodes a compact local part; ok is false unless it is exactly
// compactIDLen characters of the alphabet.
func readBits(local string) (*bitReader, bool) {
	if len(local) != compactIDLen {
		return nil, false
	}
	var w bitWriter
	for i := 0; i < len(local); i++ {
		v := strings.IndexByte(compactAlphabet, local[i])
		if v < 0 {
			return nil, false
		}
		w.put(uint64(v), 5)
	}
	return &bitReader{bits: w.bits}, true
}

func (r *bitReader) get(n int) uint64 {
	var v uint64
	for _, b := range r.bits[r.pos : r.pos+n] {
		v = v<<1 | uint64(b)
	}
	r.pos += n
	return v
}

func (r *bitReader) bytes(n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(r.get(8))
	}
	return out
}
