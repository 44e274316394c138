package mailproc

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Tokens signs the Message-IDs of the mails mailproc sends to staff and
// heads. A reply to such a mail carries the id in In-Reply-To or References,
// so the token proves which case the reply answers and that it answers a
// mail we sent: a forger who knows a case number cannot make one without
// the secret.
//
// The id reads mailproc.<purpose>.<number>.<nonce>.<mac>@<desk domain>,
// where mac is the first 128 bits of HMAC-SHA256(secret, purpose|number|nonce).
type Tokens struct {
	Secret []byte
}

// signedPurposes are the mails whose replies may act on a case.
var signedPurposes = map[Purpose]bool{
	PurposeNotify:     true,
	PurposeEscalation: true,
	PurposeConfirm:    true,
	PurposeHelp:       true,
}

// MessageID makes a signed Message-ID for a mail about case number.
func (t Tokens) MessageID(p Purpose, number, deskAddr string) string {
	var b [12]byte
	rand.Read(b[:])
	nonce := hex.EncodeToString(b[:])
	number = strings.ToLower(number)
	return "mailproc." + string(p) + "." + number + "." + nonce + "." + t.mac(p, number, nonce) + "@" + domainOf(deskAddr)
}

// Verify returns the case number a signed Message-ID is for, or "" if id
// is not one of ours, is for a purpose whose replies cannot act, or its
// mac does not match.
func (t Tokens) Verify(id, deskAddr string) string {
	if len(t.Secret) == 0 {
		return ""
	}
	local, domain, ok := strings.Cut(NormalizeMessageID(id), "@")
	if !ok || !strings.EqualFold(domain, domainOf(deskAddr)) {
		return ""
	}
	parts := strings.Split(local, ".")
	if len(parts) != 5 || parts[0] != "mailproc" {
		return ""
	}
	p, number, nonce, mac := Purpose(parts[1]), parts[2], parts[3], parts[4]
	if !signedPurposes[p] {
		return ""
	}
	want := t.mac(p, number, nonce)
	if !hmac.Equal([]byte(mac), []byte(want)) {
		return ""
	}
	return strings.ToUpper(number)
}

// VerifyAny returns the case number of the first validly signed id.
func (t Tokens) VerifyAny(ids []string, deskAddr string) string {
	for _, id := range ids {
		if n := t.Verify(id, deskAddr); n != "" {
			return n
		}
	}
	return ""
}

func (t Tokens) mac(p Purpose, number, nonce string) string {
	h := hmac.New(sha256.New, t.Secret)
	h.Write([]byte(string(p) + "|" + number + "|" + nonce))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i < len(addr)-1 {
		return strings.ToLower(addr[i+1:])
	}
	return "mailproc.invalid"
}
