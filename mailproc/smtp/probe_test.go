package smtp

import (
	"context"
	"errors"
	"net/textproto"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCheckRecipients probes addresses against the in-process server: each
// refusal comes back with the server's own reply, a repeated address is
// asked once, and the session never reaches DATA, so nothing is delivered.
func TestCheckRecipients(t *testing.T) {
	const (
		kasi  = "kasi.pelayanan@pustakaarsip.kamparkab.go.id"
		kadis = "kepala.dinas@pustakaarsip.kamparkab.go.id"
		ops   = "operator.tik@pustakaarsip.kamparkab.go.id"
	)
	tests := []struct {
		name   string
		refuse map[string]int // address → 450 or 550
		rcpts  []string
		want   []string // refused addresses, in order, with a piece of their reply
	}{
		{"all accepted", nil, []string{kasi, kadis, ops}, nil},
		{"typo refused with 550", map[string]int{"kepala.dinass@pustakaarsip.kamparkab.go.id": 550},
			[]string{kasi, "kepala.dinass@pustakaarsip.kamparkab.go.id", ops},
			[]string{"kepala.dinass@pustakaarsip.kamparkab.go.id: RCPT TO <kepala.dinass@pustakaarsip.kamparkab.go.id>: 550 5.1.1 <kepala.dinass@pustakaarsip.kamparkab.go.id>: User unknown"}},
		{"450 and 550 both reported", map[string]int{kasi: 450, ops: 550}, []string{kasi, kadis, ops},
			[]string{kasi + ": RCPT TO <" + kasi + ">: 450 4.2.0 Mailbox busy", ops + ": RCPT TO <" + ops + ">: 550 5.1.1"}},
		{"repeat asked once", map[string]int{kadis: 550}, []string{kadis, kasi, strings.ToUpper(kadis)},
			[]string{kadis + ": RCPT TO <" + kadis + ">: 550"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, nil)
			srv.refuseCodes(tt.refuse)
			cfg := Config{Addr: srv.Addr, TLS: TLSNone, Auth: AuthNone, HELO: "desk.test", Timeout: 5 * time.Second}
			refused, err := CheckRecipients(context.Background(), cfg, deskAddr, tt.rcpts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range refused {
				got = append(got, r.Addr+": "+r.Reply.Error())
				if r.Reply.Permanent() != (r.Reply.Code == 550) {
					t.Errorf("%s: Permanent() = %v for %d", r.Addr, r.Reply.Permanent(), r.Reply.Code)
				}
				var tp *textproto.Error
				if !errors.As(r.Reply, &tp) {
					t.Errorf("%s: no *textproto.Error in the chain", r.Addr)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("refused %q, want %d like %q", got, len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("refusal %d = %q, want it to start %q", i, got[i], tt.want[i])
				}
			}
			if from := srv.Commands("MAIL FROM:"); len(from) != 1 || !strings.Contains(from[0], "<"+deskAddr+">") {
				t.Errorf("MAIL FROM commands %q, want one from the desk", from)
			}
			if n, want := len(srv.Commands("RCPT TO:")), len(uniqueAddrs(tt.rcpts)); n != want {
				t.Errorf("%d RCPT TO, want %d (each address once)", n, want)
			}
			if len(srv.Commands("DATA")) != 0 || len(srv.Mails()) != 0 {
				t.Errorf("the probe sent mail:\n%s", srv.Transcript())
			}
			if !slices.Equal(lastCommands(srv, 2), []string{"RSET", "QUIT"}) {
				t.Errorf("the session does not end with RSET, QUIT:\n%s", srv.Transcript())
			}
		})
	}
}

// TestCheckRecipientsSession: a failure of the session itself is the error,
// not a list of refusals: no login, a wrong password, MAIL FROM refused, no
// server at all.
func TestCheckRecipientsSession(t *testing.T) {
	srv := startServer(t, nil, withUsers(map[string]string{deskAddr: "rahasia"}))
	good := Config{Addr: srv.Addr, TLS: TLSNone, Auth: AuthPlain, Username: deskAddr, Password: "rahasia", Timeout: 5 * time.Second}
	if refused, err := CheckRecipients(context.Background(), good, deskAddr, []string{"kasi@x.test"}); err != nil || len(refused) != 0 {
		t.Fatalf("logged in: refused %v, err %v", refused, err)
	}
	tests := []struct {
		name   string
		change func(c *Config)
		want   string
	}{
		{"wrong password", func(c *Config) { c.Password = "salah" }, "535"},
		{"no login, MAIL FROM refused", func(c *Config) { c.Auth, c.Username, c.Password = AuthNone, "", "" },
			"MAIL FROM <" + deskAddr + ">: 530 5.7.0 Authentication required"},
		{"no server", func(c *Config) { c.Addr = closedAddr(t) }, "connect and log in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			refused, err := CheckRecipients(context.Background(), cfg, deskAddr, []string{"kasi@x.test"})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
			if refused != nil {
				t.Errorf("refused %v alongside a session error", refused)
			}
		})
	}
}

// lastCommands returns the last n command lines the client sent, verbs
// only.
func lastCommands(srv *testServer, n int) []string {
	var verbs []string
	for _, line := range strings.Split(srv.Transcript(), "\r\n") {
		// The server's replies start with a digit; the client's commands with
		// a letter.
		if line == "" || line[0] >= '0' && line[0] <= '9' {
			continue
		}
		verb, _, _ := strings.Cut(line, " ")
		verbs = append(verbs, strings.ToUpper(verb))
	}
	return verbs[max(0, len(verbs)-n):]
}
