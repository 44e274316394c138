package mailproc

import (
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	desk := "layanan@pustakaarsip.kamparkab.go.id"
	tok := Tokens{Secret: []byte("rahasia-yang-panjang-sekali-0123456789")}
	id := tok.MessageID(PurposeNotify, "ADU-2026-00007", desk)
	if !strings.HasSuffix(id, "@pustakaarsip.kamparkab.go.id") {
		t.Fatalf("id %s", id)
	}
	other := tok.MessageID(PurposeNotify, "INF-2026-00001", desk)
	tamperedNumber := strings.Replace(id, "adu-2026-00007", "adu-2026-00008", 1)
	tamperedMac := id[:strings.IndexByte(id, '@')-1] + "0" + id[strings.IndexByte(id, '@'):]
	if tamperedMac == id {
		tamperedMac = id[:strings.IndexByte(id, '@')-1] + "1" + id[strings.IndexByte(id, '@'):]
	}
	ack := NewMessageID(PurposeAck, "ADU-2026-00007", desk)
	tests := []struct {
		name, id, want string
		tok            Tokens
	}{
		{"valid", id, "ADU-2026-00007", tok},
		{"valid with brackets", "<" + id + ">", "ADU-2026-00007", tok},
		{"another case's token", other, "INF-2026-00001", tok},
		{"number changed", tamperedNumber, "", tok},
		{"mac changed", tamperedMac, "", tok},
		{"other secret", id, "", Tokens{Secret: []byte("lain")}},
		{"no secret", id, "", Tokens{}},
		{"other domain", strings.Replace(id, "kamparkab.go.id", "evil.test", 1), "", tok},
		{"an unsigned ack id", ack, "", tok},
		{"garbage", "CAJ7@mail.gmail.com", "", tok},
	}
	for _, tt := range tests {
		if got := tt.tok.Verify(tt.id, desk); got != tt.want {
			t.Errorf("%s: Verify = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := tok.VerifyAny([]string{"x@y", other, id}, desk); got != "INF-2026-00001" {
		t.Errorf("VerifyAny = %q", got)
	}
	// A signed ack is not a thing: replies to acks come from citizens.
	ackSigned := tok.MessageID(PurposeAck, "ADU-2026-00007", desk)
	if got := tok.Verify(ackSigned, desk); got != "" {
		t.Errorf("ack purpose verified as %q", got)
	}
}

func TestIsOwnMessageID(t *testing.T) {
	desk := "layanan@pustakaarsip.kamparkab.go.id"
	tok := Tokens{Secret: []byte("rahasia-yang-panjang-sekali-0123456789")}
	for _, tt := range []struct {
		id   string
		want bool
	}{
		{NewMessageID(PurposeAck, "INF-2026-00001", desk), true},
		{"<" + tok.MessageID(PurposeNotify, "ADU-2026-00007", desk) + ">", true},
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
