package smtp

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/oauth"
)

const goodToken = "ya29.a0AfH6SMB-good_token"

// xoauth2Exchange is one AUTH XOAUTH2 as the server saw it.
type xoauth2Exchange struct {
	initial string
	answer  *string // the client's answer to the error challenge
	ok      bool
}

// xoauth2Server is the server side of XOAUTH2 as Gmail speaks it: the
// initial response must be exactly user=<address>^Aauth=Bearer <token>^A^A;
// otherwise it sends a JSON error challenge, which the client must answer
// with an empty line, and then fails with 535 5.7.8.
type xoauth2Server struct {
	s     *testSession
	index int
	step  int
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	ts := x.s.ts
	ts.mu.Lock()
	defer ts.mu.Unlock()
	switch x.step {
	case 0:
		if resp == nil {
			return []byte{}, false, nil // ask for the initial response
		}
		x.step = 1
		ex := xoauth2Exchange{initial: string(resp)}
		for user, tok := range ts.tokens {
			if string(resp) == "user="+user+"\x01auth=Bearer "+tok+"\x01\x01" {
				ex.ok = true
			}
		}
		ts.xoauth2 = append(ts.xoauth2, ex)
		x.index = len(ts.xoauth2) - 1
		if ex.ok {
			x.s.authed = true
			return nil, true, nil
		}
		return []byte(`{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}`), false, nil
	default:
		a := string(resp)
		ts.xoauth2[x.index].answer = &a
		return nil, false, &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 8},
			Message: "Username and Password not accepted"}
	}
}

func (ts *testServer) XOAUTH2() []xoauth2Exchange {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]xoauth2Exchange(nil), ts.xoauth2...)
}

func oauthConfig(addr string, token func(context.Context) (string, error)) Config {
	return Config{Addr: addr, TLS: TLSNone, Auth: AuthXOAUTH2, Username: deskAddr, Token: token, Timeout: 5 * time.Second}
}

func TestCheckLoginXOAUTH2(t *testing.T) {
	srv := startServer(t, nil, withXOAUTH2(map[string]string{deskAddr: goodToken}))
	cfg := oauthConfig(srv.Addr, func(context.Context) (string, error) { return goodToken, nil })
	if err := CheckLogin(context.Background(), cfg); err != nil {
		t.Fatalf("CheckLogin: %v", err)
	}
	got := srv.XOAUTH2()
	if len(got) != 1 || !got[0].ok {
		t.Fatalf("server saw %+v", got)
	}
	if want := "user=" + deskAddr + "\x01auth=Bearer " + goodToken + "\x01\x01"; got[0].initial != want {
		t.Errorf("initial response %q, want %q", got[0].initial, want)
	}
}

// A refused token: the login fails (temporary, for the outbox), the token
// is not in the error, the error challenge was answered with an empty line,
// and the token is invalidated so that the next connection reads the fresh
// one the helper wrote.
func TestXOAUTH2RefusedTokenIsInvalidated(t *testing.T) {
	srv := startServer(t, nil, withXOAUTH2(map[string]string{deskAddr: goodToken}))
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("ya29.expired_token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := &oauth.TokenSource{File: path, MaxAge: time.Hour}
	cfg := oauthConfig(srv.Addr, src.Token)
	invalidated := 0
	cfg.InvalidateToken = func() { invalidated++; src.Invalidate() }

	err := CheckLogin(context.Background(), cfg)
	if err == nil {
		t.Fatal("login with a refused token succeeded")
	}
	if !mailproc.IsTemporary(err) {
		t.Errorf("a refused login is not temporary: %v", err)
	}
	if strings.Contains(err.Error(), "expired_token") {
		t.Errorf("error quotes the token: %v", err)
	}
	if !strings.Contains(err.Error(), "535") {
		t.Errorf("error %v does not carry the server's 535", err)
	}
	got := srv.XOAUTH2()
	if len(got) != 1 || got[0].ok || got[0].answer == nil || *got[0].answer != "" {
		t.Fatalf("server saw %+v; want one refused exchange answered with an empty line", got)
	}
	if invalidated != 1 {
		t.Errorf("InvalidateToken called %d times, want 1", invalidated)
	}

	if err := os.WriteFile(path, []byte(goodToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := CheckLogin(context.Background(), cfg); err != nil {
		t.Fatalf("login after the helper refreshed the token: %v", err)
	}
	if invalidated != 1 {
		t.Errorf("InvalidateToken called %d times after a good login", invalidated)
	}
}

func TestSendXOAUTH2(t *testing.T) {
	srv := startServer(t, nil, withXOAUTH2(map[string]string{deskAddr: goodToken}))
	s, _ := newSender(t, srv.Addr)
	s.Config = oauthConfig(srv.Addr, func(context.Context) (string, error) { return goodToken, nil })
	if _, err := s.Send(context.Background(), testMail()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if n := len(srv.Mails()); n != 1 {
		t.Fatalf("server got %d mails", n)
	}
}

func TestXOAUTH2TokenUnavailable(t *testing.T) {
	srv := startServer(t, nil, withXOAUTH2(map[string]string{deskAddr: goodToken}))
	cfg := oauthConfig(srv.Addr, func(context.Context) (string, error) {
		return "", errors.New("oauth: token command /usr/local/bin/oauth2-token: exit status 1")
	})
	err := CheckLogin(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "access token: oauth: token command") || !mailproc.IsTemporary(err) {
		t.Fatalf("err = %v", err)
	}
	if got := srv.XOAUTH2(); len(got) != 0 {
		t.Errorf("server saw %+v", got)
	}
}

func TestValidateXOAUTH2(t *testing.T) {
	c := Config{Addr: "smtp.gmail.com:465", TLS: TLSImplicit, Auth: AuthXOAUTH2}
	err := c.Validate()
	for _, want := range []string{"smtp username: required", "smtp token: required"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
	c.Username, c.Token = deskAddr, func(context.Context) (string, error) { return "", nil }
	if err := c.Validate(); err != nil {
		t.Errorf("complete config: %v", err)
	}
}
