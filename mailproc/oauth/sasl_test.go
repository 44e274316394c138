package oauth

import (
	"errors"
	"testing"

	"github.com/emersion/go-sasl"
)

func TestXOAUTH2(t *testing.T) {
	c := XOAUTH2("layanan@example.go.id", "ya29.tok")
	mech, ir, err := c.Start()
	if err != nil || mech != "XOAUTH2" {
		t.Fatalf("Start = %q, %v", mech, err)
	}
	if want := "user=layanan@example.go.id\x01auth=Bearer ya29.tok\x01\x01"; string(ir) != want {
		t.Fatalf("initial response %q, want %q", ir, want)
	}
	if err := c.(Refused).Refused(); err != nil {
		t.Fatalf("Refused before any challenge = %v", err)
	}
	resp, err := c.Next([]byte(`{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}`))
	if err != nil || resp == nil || len(resp) != 0 {
		t.Fatalf("answer to the error challenge = %q, %v; want an empty response", resp, err)
	}
	var se *ServerError
	if err := c.(Refused).Refused(); !errors.As(err, &se) || se.Mechanism != "XOAUTH2" {
		t.Fatalf("Refused = %v", err)
	}
	if _, err := c.Next([]byte("again")); !errors.Is(err, ErrUnexpectedChallenge) {
		t.Fatalf("second challenge: %v", err)
	}
}

func TestOAuthBearer(t *testing.T) {
	c := OAuthBearer("layanan@example.go.id", "ya29.tok", "imap.gmail.com", 993)
	mech, ir, err := c.Start()
	if err != nil || mech != sasl.OAuthBearer {
		t.Fatalf("Start = %q, %v", mech, err)
	}
	if want := "n,a=layanan@example.go.id,\x01host=imap.gmail.com\x01port=993\x01auth=Bearer ya29.tok\x01\x01"; string(ir) != want {
		t.Fatalf("initial response %q, want %q", ir, want)
	}
	resp, err := c.Next([]byte(`{"status":"invalid_token","scope":"mail"}`))
	if err != nil || string(resp) != "\x01" {
		t.Fatalf("answer to the error challenge = %q, %v; want ^A", resp, err)
	}
	if err := c.(Refused).Refused(); err == nil || err.Error() != "OAUTHBEARER: server refused the access token: status invalid_token, scope mail" {
		t.Fatalf("Refused = %v", err)
	}
}
