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
	notify := ring.secondFormatID(PurposeNotify, "ADU-2026-00007", TokenGroupStaff, tokenDesk, now)
	confirmSiti := ring.secondFormatID(PurposeConfirm, "ADU-2026-00007", siti, tokenDesk, now)
	escalation := ring.secondFormatID(PurposeEscalation, "ADU-2026-00007", TokenGroupHeads, tokenDesk, now)
	byOldKey := Tokens{Secret: oldKey}.secondFormatID(PurposeNotify, "ADU-2026-00007", TokenGroupStaff, tokenDesk, now)
	byRemovedKey := Tokens{Secret: removed}.secondFormatID(PurposeNotify, "ADU-2026-00007", TokenGroupStaff, tokenDesk, now)
	old := ring.secondFormatID(PurposeNotify, "ADU-2026-00007", TokenGroupStaff, tokenDesk, now.AddDate(0, 0, -92))
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
		{"second format: notification, staff member", notify, siti, staff, time.Time{}, "", TokenValid},
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

// TestCompactTokenCheck: the compact ids every mail gets now verify like
// the second format's, with the day the mail was sent from the outbox.
func TestCompactTokenCheck(t *testing.T) {
	now := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)
	oldKey, key, removed := []byte("kunci-lama-yang-panjang-sekali-0123456789"), []byte("rahasia-yang-panjang-sekali-0123456789"), []byte("kunci-yang-sudah-dihapus-0123456789abcdef")
	ring := Tokens{Secret: key, Previous: [][]byte{oldKey}}
	siti, budi, kasi := "siti@pustakaarsip.kamparkab.go.id", "budi@pustakaarsip.kamparkab.go.id", "kasi@pustakaarsip.kamparkab.go.id"
	staff, heads := []string{TokenGroupStaff}, []string{TokenGroupHeads}
	notify := ring.MessageID(PurposeNotify, "ADU-2026-00007", TokenGroupStaff, tokenDesk, now)
	confirmSiti := ring.MessageID(PurposeConfirm, "INF-2026-04321", siti, tokenDesk, now)
	escalation := ring.MessageID(PurposeEscalation, "ADU-2027-4194303", TokenGroupHeads, tokenDesk, now)
	byOldKey := Tokens{Secret: oldKey}.MessageID(PurposeNotify, "ADU-2026-00007", TokenGroupStaff, tokenDesk, now)
	byRemovedKey := Tokens{Secret: removed}.MessageID(PurposeNotify, "ADU-2026-00007", TokenGroupStaff, tokenDesk, now)
	otherCase := ring.MessageID(PurposeNotify, "ADU-2026-00008", TokenGroupStaff, tokenDesk, now)
	// The number is bits 3 to 32 (the key byte begins at 33): put the other case's number into this
	// notification's id, keeping its key, nonce and mac.
	spliced := otherCase[:7] + notify[7:]
	lastMonth, longAgo := now.AddDate(0, -1, 0), now.AddDate(0, 0, -100)
	tests := []struct {
		name, id, from string
		groups         []string
		sent           time.Time
		want           TokenStatus
		number         string
	}{
		{"notification, staff member", notify, siti, staff, lastMonth, TokenValid, "ADU-2026-00007"},
		{"notification, a head", notify, kasi, heads, lastMonth, TokenWrongRecipient, "ADU-2026-00007"},
		{"notification, an outsider", notify, "warga@gmail.com", nil, lastMonth, TokenWrongRecipient, "ADU-2026-00007"},
		{"confirmation, its recipient in capitals", confirmSiti, strings.ToUpper(siti), staff, now, TokenValid, "INF-2026-04321"},
		{"confirmation, another staff member", confirmSiti, budi, staff, now, TokenWrongRecipient, "INF-2026-04321"},
		{"escalation, a head, the largest number", escalation, kasi, heads, now, TokenValid, "ADU-2027-4194303"},
		{"escalation, staff", escalation, siti, staff, now, TokenWrongRecipient, "ADU-2027-4194303"},
		{"previous key", byOldKey, siti, staff, now, TokenValid, "ADU-2026-00007"},
		{"removed key", byRemovedKey, siti, staff, now, TokenUnknownKey, "ADU-2026-00007"},
		{"number changed", spliced, siti, staff, now, TokenWrongRecipient, "ADU-2026-00008"},
		{"sent 100 days ago", notify, siti, staff, longAgo, TokenExpired, "ADU-2026-00007"},
		{"not in the outbox", notify, siti, staff, time.Time{}, TokenNotSent, "ADU-2026-00007"},
	}
	for _, tt := range tests {
		if len(tt.id) > 58 {
			t.Errorf("%s: id is %d characters: %s", tt.name, len(tt.id), tt.id)
		}
		tok, ok := ParseToken("<"+tt.id+">", tokenDesk)
		if !ok || !tok.Compact || tok.Number != tt.number || tok.ID != tt.id {
			t.Errorf("%s: ParseToken(%s) = %+v, %v; want compact %s", tt.name, tt.id, tok, ok, tt.number)
			continue
		}
		if got := ring.Check(tok, tt.from, tt.groups, now, tt.sent, ""); got != tt.want {
			t.Errorf("%s: Check = %q, want %q", tt.name, got, tt.want)
		}
	}
	// A number the compact form cannot hold gets a second-format id.
	if id := ring.MessageID(PurposeNotify, "ADU-2026-4194304", TokenGroupStaff, tokenDesk, now); !strings.HasPrefix(id, "mailproc.notify.adu-2026-4194304.20261205.") {
		t.Errorf("a sequence past 22 bits got %s", id)
	}
}

func TestTokenParse(t *testing.T) {
	now := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)
	tok := Tokens{Secret: []byte("rahasia-yang-panjang-sekali-0123456789")}
	id := tok.MessageID(PurposeNotify, "ADU-2026-00007", TokenGroupStaff, tokenDesk, now)
	second := tok.secondFormatID(PurposeNotify, "ADU-2026-00007", TokenGroupStaff, tokenDesk, now)
	if !strings.HasSuffix(id, "@pustakaarsip.kamparkab.go.id") || len(id) != 29+1+28 {
		t.Fatalf("id %s", id)
	}
	for _, tt := range []struct {
		name, id string
		ok       bool
	}{
		{"valid", id, true},
		{"second format", second, true},
		{"second format, bad date", strings.Replace(second, ".20261205.", ".2026120x.", 1), false},
		{"compact, one character short", id[1:], false},
		{"compact, upper case", strings.ToUpper(id[:29]) + id[29:], false},
		{"compact, not base32", "1" + id[1:], false},
		{"an unsigned notification id (the digest)", NewMessageID(PurposeNotify, "", tokenDesk), false},
		{"valid with brackets", "<" + id + ">", true},
		{"other domain", strings.Replace(id, "kamparkab.go.id", "evil.test", 1), false},
		{"an unsigned ack id", NewMessageID(PurposeAck, "ADU-2026-00007", tokenDesk), false},
		{"a signed ack", tok.MessageID(PurposeAck, "ADU-2026-00007", "x@y", tokenDesk, now), false},
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
		// What staff's clients write on the desk's domain (Roundcube, Thunderbird).
		{"4f2a0c9e1b7d3a5c8e0f2b4d6a8c0e1f@pustakaarsip.kamparkab.go.id", false},
		{"0b7c5d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e@pustakaarsip.kamparkab.go.id", false},
		{"", false},
	} {
		if got := IsOwnMessageID(tt.id, desk); got != tt.want {
			t.Errorf("IsOwnMessageID(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

// Every Message-ID mailproc gives a mail, for every purpose and in every
// format, has the form intake looks up in the outbox (an own mail coming
// back); what other clients write has not.
func TestMayBeOwnMessageID(t *testing.T) {
	tok := Tokens{Secret: []byte("rahasia-yang-panjang-sekali-0123456789")}
	issued := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	for _, p := range idPurposes {
		for _, id := range []string{
			NewMessageID(p, "INF-2026-00001", tokenDesk),
			NewMessageID(p, "", "layanan@desa-lain.go.id"),
			tok.MessageID(p, "ADU-2026-00007", TokenGroupStaff, tokenDesk, issued),
			tok.MessageID(p, "INF-2026-1234567890", "budi@warga.test", tokenDesk, issued), // past the compact form
			"<" + tok.MessageID(p, "ADU-2026-00007", "budi@warga.test", tokenDesk, issued) + ">",
		} {
			if !mayBeOwnMessageID(id) {
				t.Errorf("%s: %q not taken for one of ours", p, id)
			}
		}
	}
	for _, id := range []string{"CAJ7x=abc@mail.gmail.com", "balasan-petugas@pustakaarsip.kamparkab.go.id",
		"0b7c5d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e@pustakaarsip.kamparkab.go.id", "tanpa-at", ""} {
		if mayBeOwnMessageID(id) {
			t.Errorf("%q taken for one of ours", id)
		}
	}
}
