package imap

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"

	"github.com/dpk-kampar/mailproc/mailproc/oauth"
)

const goodToken = "ya29.a0AfH6SMB-good_token"

// oauthServer is an in-process IMAP server that, like Gmail, accepts no
// password and logs in only with AUTHENTICATE XOAUTH2 or OAUTHBEARER
// carrying goodToken, checking the exact bytes of the initial response.
type oauthServer struct {
	t     *testing.T
	addr  string
	mechs []string
	user  *imapmemserver.User

	mu      sync.Mutex
	got     []saslExchange
	logins  int // LOGIN attempts (must stay 0)
	refusal string
}

// saslExchange is one AUTHENTICATE as the server saw it.
type saslExchange struct {
	mech    string
	initial string // the initial response
	answer  *string
	ok      bool
}

func newOAuthServer(t *testing.T, mechs ...string) *oauthServer {
	t.Helper()
	s := &oauthServer{t: t, mechs: mechs, user: imapmemserver.NewUser(testUser, "")}
	if err := s.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &oauthSession{UserSession: imapmemserver.NewUserSession(s.user), srv: s}, nil, nil
		},
		Caps:         capsBare,
		InsecureAuth: true,
		Logger:       newLogSink(t),
	})
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *oauthServer) exchanges() []saslExchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]saslExchange(nil), s.got...)
}

func (s *oauthServer) config(auth string, token func(context.Context) (string, error)) Config {
	return Config{
		Addr: s.addr, TLS: TLSNone, Username: testUser, Auth: auth, Token: token,
		Timeout: 10 * time.Second,
	}
}

type oauthSession struct {
	*imapmemserver.UserSession
	srv *oauthServer
}

var _ imapserver.SessionSASL = (*oauthSession)(nil)

func (s *oauthSession) Login(username, password string) error {
	s.srv.mu.Lock()
	s.srv.logins++
	s.srv.mu.Unlock()
	return &goimap.Error{Type: goimap.StatusResponseTypeNo, Text: "Web login required"}
}

func (s *oauthSession) AuthenticateMechanisms() []string { return s.srv.mechs }

func (s *oauthSession) Authenticate(mech string) (sasl.Server, error) {
	for _, m := range s.srv.mechs {
		if m == mech {
			return &tokenServer{srv: s.srv, mech: mech}, nil
		}
	}
	return nil, &goimap.Error{Type: goimap.StatusResponseTypeNo, Text: "SASL mechanism not supported"}
}

// tokenServer is the server side of XOAUTH2 and OAUTHBEARER: it wants the
// initial response byte for byte; anything else gets the mechanism's JSON
// error challenge, and the client must answer that with an empty response
// (XOAUTH2) or ^A (OAUTHBEARER, RFC 7628 section 3.2.3) before it fails.
type tokenServer struct {
	srv   *oauthServer
	mech  string
	index int // into srv.got; -1 before the initial response
	step  int
}

func (ts *tokenServer) want() string {
	if ts.mech == sasl.OAuthBearer {
		_, port, _ := net.SplitHostPort(ts.srv.addr)
		return "n,a=" + testUser + ",\x01host=127.0.0.1\x01port=" + port + "\x01auth=Bearer " + goodToken + "\x01\x01"
	}
	return "user=" + testUser + "\x01auth=Bearer " + goodToken + "\x01\x01"
}

func (ts *tokenServer) Next(resp []byte) ([]byte, bool, error) {
	s := ts.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ts.step {
	case 0:
		if resp == nil {
			return nil, false, nil // no SASL-IR: ask for the initial response
		}
		ts.step = 1
		ex := saslExchange{mech: ts.mech, initial: string(resp), ok: string(resp) == ts.want()}
		s.got = append(s.got, ex)
		ts.index = len(s.got) - 1
		if ex.ok {
			return nil, true, nil
		}
		if ts.mech == sasl.OAuthBearer {
			return []byte(`{"status":"invalid_token","scope":"https://mail.google.com/"}`), false, nil
		}
		return []byte(`{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}`), false, nil
	default:
		a := string(resp)
		s.got[ts.index].answer = &a
		return nil, false, &goimap.Error{Type: goimap.StatusResponseTypeNo, Code: goimap.ResponseCodeAuthenticationFailed,
			Text: "Invalid credentials (Failure)"}
	}
}

func fixedToken(tok string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return tok, nil }
}

func TestLoginXOAUTH2(t *testing.T) {
	s := newOAuthServer(t, "XOAUTH2", "OAUTHBEARER")
	caps, problems, _, err := CheckLogin(context.Background(), s.config(AuthXOAUTH2, fixedToken(goodToken)))
	if err != nil {
		t.Fatalf("CheckLogin: %v", err)
	}
	if len(problems) != 0 || len(caps) == 0 {
		t.Errorf("caps %q, problems %q", caps, problems)
	}
	got := s.exchanges()
	if len(got) != 1 || got[0].mech != "XOAUTH2" || !got[0].ok {
		t.Fatalf("server saw %+v", got)
	}
}

func TestLoginOAuthBearer(t *testing.T) {
	s := newOAuthServer(t, "XOAUTH2", "OAUTHBEARER")
	if _, _, _, err := CheckLogin(context.Background(), s.config(AuthOAuthBearer, fixedToken(goodToken))); err != nil {
		t.Fatalf("CheckLogin: %v", err)
	}
	got := s.exchanges()
	if len(got) != 1 || got[0].mech != "OAUTHBEARER" || !got[0].ok {
		t.Fatalf("server saw %+v", got)
	}
}

// Microsoft 365 offers only XOAUTH2: "oauthbearer" falls back to it.
func TestLoginOAuthBearerFallsBackToXOAUTH2(t *testing.T) {
	s := newOAuthServer(t, "XOAUTH2")
	if _, _, _, err := CheckLogin(context.Background(), s.config(AuthOAuthBearer, fixedToken(goodToken))); err != nil {
		t.Fatalf("CheckLogin: %v", err)
	}
	if got := s.exchanges(); len(got) != 1 || got[0].mech != "XOAUTH2" || !got[0].ok {
		t.Fatalf("server saw %+v", got)
	}
}

// A refused token: the client answers the error challenge as each
// mechanism requires, the login fails without quoting the token, the token
// is invalidated, and the next login reads the fresh one from the file at
// once (not after MaxAge).
func TestLoginRefusedTokenIsInvalidated(t *testing.T) {
	for _, tc := range []struct{ auth, mech, answer string }{
		{AuthXOAUTH2, "XOAUTH2", ""},
		{AuthOAuthBearer, "OAUTHBEARER", "\x01"},
	} {
		t.Run(tc.auth, func(t *testing.T) {
			s := newOAuthServer(t, "XOAUTH2", "OAUTHBEARER")
			path := filepath.Join(t.TempDir(), "token")
			if err := os.WriteFile(path, []byte("ya29.expired_token\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			src := &oauth.TokenSource{File: path, MaxAge: time.Hour}
			cfg := s.config(tc.auth, src.Token)
			invalidated := 0
			cfg.InvalidateToken = func() { invalidated++; src.Invalidate() }

			_, _, _, err := CheckLogin(context.Background(), cfg)
			if err == nil {
				t.Fatal("login with a refused token succeeded")
			}
			msg := err.Error()
			if strings.Contains(msg, "expired_token") {
				t.Errorf("error quotes the token: %s", msg)
			}
			for _, want := range []string{tc.mech, "Invalid credentials", "refused the access token"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not say %q", msg, want)
				}
			}
			var ierr *goimap.Error
			if !errors.As(err, &ierr) {
				t.Errorf("error %v does not wrap the server's NO", err)
			}
			got := s.exchanges()
			if len(got) != 1 || got[0].mech != tc.mech || got[0].ok {
				t.Fatalf("server saw %+v", got)
			}
			if got[0].answer == nil || *got[0].answer != tc.answer {
				t.Errorf("answer to the error challenge %v, want %q", got[0].answer, tc.answer)
			}
			if invalidated != 1 {
				t.Errorf("InvalidateToken called %d times, want 1", invalidated)
			}

			if err := os.WriteFile(path, []byte(goodToken+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, _, _, err := CheckLogin(context.Background(), cfg); err != nil {
				t.Fatalf("login after the helper refreshed the token: %v", err)
			}
			if got := s.exchanges(); len(got) != 2 || !got[1].ok {
				t.Fatalf("server saw %+v", got)
			}
			if invalidated != 1 {
				t.Errorf("InvalidateToken called %d times after a good login", invalidated)
			}
		})
	}
}

func TestLoginTokenUnavailable(t *testing.T) {
	s := newOAuthServer(t, "XOAUTH2")
	cfg := s.config(AuthXOAUTH2, func(context.Context) (string, error) {
		return "", errors.New("oauth: token command /usr/local/bin/oauth2-token: exit status 1")
	})
	_, _, _, err := CheckLogin(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "access token: oauth: token command") {
		t.Fatalf("err = %v", err)
	}
	if got := s.exchanges(); len(got) != 0 {
		t.Errorf("server saw %+v without a token", got)
	}
}

// The intake itself logs in with the token and keeps working.
func TestIntakeXOAUTH2(t *testing.T) {
	s := newOAuthServer(t, "XOAUTH2")
	cfg := s.config(AuthXOAUTH2, fixedToken(goodToken))
	cfg.PollInterval = 50 * time.Millisecond
	h := newTestHandler()
	in := &Intake{Config: cfg, Handler: h, Bookmarks: newBookmarks(), Logger: nil}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	waitFor(t, 5*time.Second, "connected", func() bool { return in.Status().Connected })
	s.mu.Lock()
	logins := s.logins
	s.mu.Unlock()
	if logins != 0 {
		t.Errorf("%d LOGIN commands sent to a server that wants OAuth", logins)
	}
}

func TestValidateAuth(t *testing.T) {
	base := Config{Addr: "imap.gmail.com:993", Username: "layanan@example.go.id"}
	for _, tc := range []struct {
		auth  string
		token bool
		want  string
	}{
		{"", false, ""},
		{AuthPassword, false, ""},
		{AuthXOAUTH2, true, ""},
		{AuthOAuthBearer, true, ""},
		{AuthXOAUTH2, false, "needs Token"},
		{"cram-md5", false, `Auth "cram-md5"`},
	} {
		c := base
		c.Auth = tc.auth
		if tc.token {
			c.Token = fixedToken("t")
		}
		err := c.Validate()
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Auth %q token %v: err = %v, want %q", tc.auth, tc.token, err, tc.want)
		}
	}
}
