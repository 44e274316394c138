package mailproc

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// Tokens signs the Message-IDs of the mails mailproc sends to staff and
// heads. A reply to such a mail carries the id in In-Reply-To or References,
// so the token proves which case the reply answers, that it answers a mail
// we sent, to whom we sent it and when: a forger who knows a case number
// cannot make one without the secret, a token sent to one person does not
// work for another, and an old one expires.
//
// The id reads
//
//	mailproc.<purpose>.<number>.<yyyymmdd>.<kid>.<nonce>.<mac>@<desk domain>
//
// where kid names the key (four hex digits of its SHA-256), nonce is 32
// random bits (two mails of one day get distinct ids) and mac is the first
// 96 bits of HMAC-SHA256(key, kid|purpose|number|recipient|yyyymmdd|nonce).
// The recipient is not written in the id: it is the address the mail went
// to, or a group (TokenGroupStaff, TokenGroupHeads) for a mail to many, and
// Check recomputes the mac with the sender of the reply in its place. The id
// is about 30 characters shorter than the first format's.
//
// New ids have the compact form (token_compact.go) that fits one header
// line; this second format is what a case number the compact form cannot
// hold gets, and ids of it already sent keep verifying.
//
// Ids of the first format (mailproc.<purpose>.<number>.<nonce>.<mac>, no
// key id, no recipient, no date) still verify with any key of the ring; the
// caller gives the time the mail was sent and its recipient (both from the
// outbox), so they too are bound to a person and expire.
type Tokens struct {
	// Secret signs new tokens (desk.hmac_secret).
	Secret []byte
	// Previous keys still verify (desk.hmac_previous_secrets), so the secret
	// can be rotated without breaking the tokens in mail already sent.
	Previous [][]byte
	// MaxAge is how long a token is accepted after it was issued; 0 means
	// DefaultTokenMaxAge.
	MaxAge time.Duration
}

// DefaultTokenMaxAge is desk.token_max_age unless configured.
const DefaultTokenMaxAge = 90 * 24 * time.Hour

// Token groups: the recipient of a mail sent to a group of people at once.
// mailproc cannot see who is behind an address (a mailing list's members
// are on the list server), so a group's members are the addresses the
// config names: every desk.staff address, every head in the chain.
const (
	TokenGroupStaff = "*petugas"
	TokenGroupHeads = "*pimpinan"
)

// signedPurposes are the mails whose replies may act on a case.
var signedPurposes = map[Purpose]bool{
	PurposeNotify:     true,
	PurposeEscalation: true,
	PurposeConfirm:    true,
	PurposeHelp:       true,
}

// TokenRecipient is who a token in a mail of purpose p to the addresses to
// is issued to: the group for a notification, reminder or escalation, the
// one address for a confirmation or a help mail.
func TokenRecipient(p Purpose, to []Address) string {
	switch {
	case p == PurposeNotify:
		return TokenGroupStaff
	case p == PurposeEscalation:
		return TokenGroupHeads
	case len(to) == 1:
		return strings.ToLower(strings.TrimSpace(to[0].Addr))
	}
	return TokenGroupStaff
}

// MessageID makes a signed Message-ID for a mail about case number, issued
// to recipient (an address or a group) at issued.
func (t Tokens) MessageID(p Purpose, number, recipient, deskAddr string, issued time.Time) string {
	if local, ok := t.compactToken(p, number, recipient); ok {
		return local + "@" + domainOf(deskAddr)
	}
	return t.secondFormatID(p, number, recipient, deskAddr, issued)
}

// secondFormatID is the id of the second format, for a number the compact
// form cannot hold.
func (t Tokens) secondFormatID(p Purpose, number, recipient, deskAddr string, issued time.Time) string {
	var b [4]byte
	rand.Read(b[:])
	nonce := hex.EncodeToString(b[:])
	number = strings.ToLower(number)
	date := issued.UTC().Format("20060102")
	kid := keyID(t.Secret)
	mac := tokenMAC(t.Secret, kid+"|"+string(p)+"|"+number+"|"+strings.ToLower(recipient)+"|"+date+"|"+nonce, 12)
	return "mailproc." + string(p) + "." + number + "." + date + "." + kid + "." + nonce + "." + mac + "@" + domainOf(deskAddr)
}

// Token is a signed Message-ID of ours, read but not yet checked.
type Token struct {
	ID      string // the normalised Message-ID
	Purpose Purpose
	Number  string // upper case, as on the case
	Issued  time.Time
	Legacy  bool // the first format: no key id, recipient or date
	// Compact: the third format (token_compact.go), with no date; Issued
	// is zero until the caller sets it from the outbox.
	Compact bool
	kid     string
	date    string
	nonce   string
	mac     string
}

// ParseToken reads id as a token of ours for a purpose whose replies may
// act; ok is false for anything else (another domain, an ack, garbage).
// Nothing is verified yet.
func ParseToken(id, deskAddr string) (tok Token, ok bool) {
	local, domain, found := strings.Cut(NormalizeMessageID(id), "@")
	if !found || !strings.EqualFold(domain, domainOf(deskAddr)) {
		return tok, false
	}
	if isCompactLocal(local) {
		tok, ok = parseCompact(local)
		tok.ID = NormalizeMessageID(id)
		return tok, ok
	}
	parts := strings.Split(local, ".")
	if parts[0] != "mailproc" || (len(parts) != 5 && len(parts) != 7) {
		return tok, false
	}
	tok = Token{ID: NormalizeMessageID(id), Purpose: Purpose(parts[1]), Number: strings.ToUpper(parts[2])}
	if !signedPurposes[tok.Purpose] {
		return tok, false
	}
	if len(parts) == 5 {
		tok.Legacy, tok.nonce, tok.mac = true, parts[3], parts[4]
		return tok, true
	}
	issued, err := time.Parse("20060102", parts[3])
	if err != nil {
		return tok, false
	}
	tok.Issued, tok.date, tok.kid, tok.nonce, tok.mac = issued, parts[3], parts[4], parts[5], parts[6]
	return tok, true
}

// TokenStatus is what Check found.
type TokenStatus string

const (
	TokenValid          TokenStatus = "sah"
	TokenBadMAC         TokenStatus = "tanda tangan tidak cocok"
	TokenUnknownKey     TokenStatus = "kunci tidak dikenal (sudah dihapus?)"
	TokenWrongRecipient TokenStatus = "token diterbitkan untuk orang lain"
	TokenExpired        TokenStatus = "token kedaluwarsa"
	TokenNotSent        TokenStatus = "token lama tanpa catatan pengiriman"
)

// Check verifies tok for a reply from the address from, who belongs to the
// groups given (TokenGroupStaff, TokenGroupHeads; none for an outsider), at
// now. A legacy token needs sent (when its mail left) and sentTo (who it
// went to, as TokenRecipient says) from the outbox; a compact one needs
// sent; second-format tokens carry both.
//
// The mac is tried first with from itself, then with each group: a token
// the mac does not match for any of them either names another recipient
// (when some key of the ring made it for someone) or is forged; the two
// cannot be told apart without the recipient, so both read
// TokenWrongRecipient when the key id is ours.
func (t Tokens) Check(tok Token, from string, groups []string, now, sent time.Time, sentTo string) TokenStatus {
	from = strings.ToLower(strings.TrimSpace(from))
	candidates := append([]string{from}, groups...)
	if tok.Legacy {
		matched := false
		for _, key := range t.ring() {
			if hmac.Equal([]byte(tok.mac), []byte(tokenMAC(key, string(tok.Purpose)+"|"+strings.ToLower(tok.Number)+"|"+tok.nonce, 16))) {
				matched = true
				break
			}
		}
		switch {
		case !matched:
			return TokenBadMAC
		case sent.IsZero():
			return TokenNotSent
		case !slices.Contains(candidates, strings.ToLower(sentTo)):
			return TokenWrongRecipient
		}
		return t.age(sent, now)
	}
	if tok.Compact {
		return t.checkCompact(tok, candidates, now, sent)
	}
	var key []byte
	for _, k := range t.ring() {
		if keyID(k) == tok.kid {
			key = k
			break
		}
	}
	if key == nil {
		return TokenUnknownKey
	}
	for _, r := range candidates {
		msg := tok.kid + "|" + string(tok.Purpose) + "|" + strings.ToLower(tok.Number) + "|" + r + "|" + tok.date + "|" + tok.nonce
		if hmac.Equal([]byte(tok.mac), []byte(tokenMAC(key, msg, 12))) {
			return t.age(tok.Issued, now)
		}
	}
	return TokenWrongRecipient
}

// checkCompact is Check for a compact token: every key of the ring whose
// id begins with the token's key byte is tried (two keys may share it).
func (t Tokens) checkCompact(tok Token, candidates []string, now, sent time.Time) TokenStatus {
	known := false
	for _, key := range t.ring() {
		if !strings.HasPrefix(keyID(key), tok.kid) {
			continue
		}
		known = true
		for _, r := range candidates {
			if hmac.Equal([]byte(tok.mac), []byte(compactMAC(key, tok.kid, tok.Purpose, tok.Number, r, tok.nonce))) {
				if sent.IsZero() {
					return TokenNotSent
				}
				return t.age(sent, now)
			}
		}
	}
	if !known {
		return TokenUnknownKey
	}
	return TokenWrongRecipient
}

// age says whether a token issued at issued is still good at now. The date
// in a token is a day: it is good until MaxAge after that day ends, and a
// day ahead of now (clocks, time zones) is allowed.
func (t Tokens) age(issued, now time.Time) TokenStatus {
	maxAge := t.MaxAge
	if maxAge <= 0 {
		maxAge = DefaultTokenMaxAge
	}
	if now.Sub(issued) > maxAge+24*time.Hour || issued.Sub(now) > 48*time.Hour {
		return TokenExpired
	}
	return TokenValid
}

// ring is the signing key followed by the previous ones.
func (t Tokens) ring() [][]byte {
	var out [][]byte
	for _, k := range append([][]byte{t.Secret}, t.Previous...) {
		if len(k) > 0 {
			out = append(out, k)
		}
	}
	return out
}

// keyID names a key in a token without giving anything of it away.
func keyID(key []byte) string {
	sum := sha256.Sum256(append([]byte("mailproc-key-id|"), key...))
	return hex.EncodeToString(sum[:2])
}

// tokenMAC is the first n bytes of HMAC-SHA256(key, msg), in hex.
func tokenMAC(key []byte, msg string, n int) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return hex.EncodeToString(h.Sum(nil)[:n])
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i < len(addr)-1 {
		return strings.ToLower(addr[i+1:])
	}
	return "mailproc.invalid"
}
