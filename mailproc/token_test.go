package mailproc

import (
	"strings"
	"testing"
	"time"
)

const tokenDesk = "layanan@pustakaarsip.kamparkab.go.id"

// legacyID makes a token of the first format (before key ids, recipients
// and dates), as databases from before the change hold them.
func legacyID(key []byte, p Purpose, number, nonce string) string {
	number = strings.ToLower(number)
	return "mailproc." + string(p) + "." + number + "." + nonce + "." + tokenMAC(key, string(p)+"|"+number+"|"+nonce, 16) + "@pustakaarsip.kamparkab.go.id"
}

func TestTokenCheck(t *testing.T) {
	now := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)
	oldKey, key, removed := []byte("kunci-lama-yang-panjang-sekali-0123456789"), []byte("rahasia-yang-panjang-sekali-0123456789"), []byte("kunci-yang-sudah-dihapus-0123456789abcdef")
	ring := Tokens{Secret: key, Previous: [][]byte{oldKey}}
	siti, budi := "siti@pustakaarsip.kamparkab.go.id", "budi@pustakaarsip.kamparkab.go.id"
	staff := []string{TokenGroupStaff}
	notify := ring.MessageID(PurposeNotify, "ADU-2026-00007", TokenGroupStaff, tokenDesk, now)
	confirmSiti := ring.MessageID(PurposeConfirm, "ADU-2026-00007", siti, tokenDesk, now)
	escalation := ring.MessageID(PurposeEscalation, "ADU-2026-00007", TokenGroupHeads, tokenDesk, now)
	byOldKey := Tokens{Secret: oldKey}.MessageID(PurposeNotify, "ADU-2026-00007", TokenGroupStaff, tokenDesk, now)
	byRemovedKey := Tokens{Secret: removed}.MessageID(PurposeNotify, "ADU-2026-00007", TokenGroupStaff, tokenDesk, now)
	old := ring.MessageID(PurposeNotify, "ADU-2026-00007", TokenGroupStaff, tokenDesk, now.AddDate(0, 0, -92))
	legacy := legacyID(oldKey, PurposeNotify, "ADU-2026-00007", "0123456789abcdef01234567")
	legacyRemoved := legacyID(removed, PurposeNotify, "ADU-2026-00007", "0123456789abcdef01234567")
	tamperedNumber := strings.Replace(notify, "adu-2026-00007", "adu-2026-00008", 1)
	tests := []struct {
		name, id, from string
		groups         []string
		sent           time.Time
		sentTo         string
		want           TokenStatus
	}{
		{"notification, staff member", notify, siti, staff, time.Time{}, "", TokenValid},
		{"notification, a head", notify, "kasi@pustakaarsip.kamparkab.go.id", []string{TokenGroupHeads}, time.Time{}, "", TokenWrongRecipient},
		{"notification, an outsider", notify, "warga@gmail.com", nil, time.Time{}, "", TokenWrongRecipient},
		{"confirmation, its recipient", confirmSiti, siti, staff, time.Time{}, "", TokenValid},
		{"confirmation, its recipient in capitals", confirmSiti, strings.ToUpper(siti), staff, time.Time{}, "", TokenValid},
		{"confirmation, another staff member", confirmSiti, budi, staff, time.Time{}, "", TokenWrongRecipient},
		{"escalation, a head", escalation, "kasi@pustakaarsip.kamparkab.go.id", []string{TokenGroupHeads}, time.Time{}, "", TokenValid},
		{"escalation, staff", escalation, siti, staff, time.Time{}, "", TokenWrongRecipient},
		{"previous key", byOldKey, siti, staff, time.Time{}, "", TokenValid},
		{"removed key", byRemovedKey, siti, staff, time.Time{}, "", TokenUnknownKey},
		{"number changed", tamperedNumber, siti, staff, time.Time{}, "", TokenWrongRecipient},
		{"92 days old", old, siti, staff, time.Time{}, "", TokenExpired},
		{"legacy, sent to the staff group last month", legacy, siti, staff, now.AddDate(0, -1, 0), TokenGroupStaff, TokenValid},
		{"legacy, sent 100 days ago", legacy, siti, staff, now.AddDate(0, 0, -100), TokenGroupStaff, TokenExpired},
		{"legacy, not in the outbox", legacy, siti, staff, time.Time{}, "", TokenNotSent},
		{"legacy confirmation, another person", legacy, budi, staff, now, siti, TokenWrongRecipient},
		{"legacy, removed key", legacyRemoved, siti, staff, now, TokenGroupStaff, TokenBadMAC},
	}
	for _, tt := range tests {
		tok, ok := ParseToken(tt.id, tokenDesk)
		if !ok {
			t.Errorf("%s: ParseToken(%s) failed", tt.name, tt.id)
			continue
		}
		if got := ring.Check(tok, tt.from, tt.groups, now, tt.sent, tt.sentTo); got != tt.want {
			t.Errorf("%s: Check = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestTokenParse(t *testing.T) {
	now := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)
	tok := Tokens{Secret: []byte("rahasia-yang-panjang-sekali-0123456789")}
	id := tok.MessageID(PurposeNotify, "ADU-2026-00007", TokenGroupStaff, tokenDesk, now)
	if !strings.HasSuffix(id, "@pustakaarsip.kamparkab.go.id") || !strings.Contains(id, ".20261205.") {
		t.Fatalf("id %s", id)
	}
	// The first format gave this notification 117 characters (an
	// escalation 121); this one gives 107 (111): a Message-ID must not grow.
	if n := len(id); n > 108 {
		t.Errorf("id is %d characters: %s", n, id)
	}
	for _, tt := range []struct {
		name, id string
		ok       bool
	}{
		{"valid", id, true},
		{"valid with brackets", "<" + id + ">", true},
		{"other domain", strings.Replace(id, "kamparkab.go.id", "evil.test", 1), false},
		{"an unsigned ack id", NewMessageID(PurposeAck, "ADU-2026-00007", tokenDesk), false},
		{"a signed ack", tok.MessageID(PurposeAck, "ADU-2026-00007", "x@y", tokenDesk, now), false},
		{"bad date", strings.Replace(id, ".20261205.", ".2026120x.", 1), false},
		{"garbage", "CAJ7@mail.gmail.com", false},
	} {
		if _, ok := ParseToken(tt.id, tokenDesk); ok != tt.ok {
			t.Errorf("%s: ParseToken ok = %v, want %v", tt.name, ok, tt.ok)
		}
	}
}

func TestTokenRecipient(t *testing.T) {
	one := []Address{{Addr: "Siti@Pustakaarsip.kamparkab.go.id"}}
	for _, tt := range []struct {
		p    Purpose
		to   []Address
		want string
	}{
		{PurposeNotify, one, TokenGroupStaff},
		{PurposeEscalation, one, TokenGroupHeads},
		{PurposeConfirm, one, "siti@pustakaarsip.kamparkab.go.id"},
		{PurposeHelp, one, "siti@pustakaarsip.kamparkab.go.id"},
	} {
		if got := TokenRecipient(tt.p, tt.to); got != tt.want {
			t.Errorf("TokenRecipient(%s) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestIsOwnMessageID(t *testing.T) {
	desk := tokenDesk
	tok := Tokens{Secret: []byte("rahasia-yang-panjang-sekali-0123456789")}
	for _, tt := range []struct {
		id   string
		want bool
	}{
		{NewMessageID(PurposeAck, "INF-2026-00001", desk), true},
		{"<" + tok.MessageID(PurposeNotify, "ADU-2026-00007", TokenGroupStaff, desk, time.Now()) + ">", true},
		{NewMessageID(PurposeOps, "", desk), true},
		{NewMessageID(PurposeAck, "INF-2026-00001", "layanan@desa-lain.go.id"), false},
		{"CAJ7x=abc@mail.gmail.com", false},
		{"mailproc.ack@evil.test", false},
		{"balasan-petugas@pustakaarsip.kamparkab.go.id", false},
		{"", false},
	} {
		if got := IsOwnMessageID(tt.id, desk); got != tt.want {
			t.Errorf("IsOwnMessageID(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}
