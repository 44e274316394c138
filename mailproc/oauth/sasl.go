package oauth

import (
	"errors"
	"fmt"

	"github.com/emersion/go-sasl"
)

// XOAUTH2Mechanism is the SASL name of Google's and Microsoft's mechanism.
const XOAUTH2Mechanism = "XOAUTH2"

// ErrUnexpectedChallenge is a server that keeps challenging after the
// client has answered its error report.
var ErrUnexpectedChallenge = errors.New("oauth: unexpected second SASL challenge")

// ServerError is what the server said about a refused token: the JSON of
// an XOAUTH2 or OAUTHBEARER error challenge ({"status":"401",...}). It
// never holds the token.
type ServerError struct {
	Mechanism string
	Detail    string // the challenge as sent, cut to 300 bytes
}

func (e *ServerError) Error() string {
	return fmt.Sprintf("%s: server refused the access token: %s", e.Mechanism, e.Detail)
}

// Refused is implemented by the clients of this package: after a failed
// exchange it returns the server's reason for refusing the token, if the
// server gave one in a challenge, else nil. The protocol's own failure
// reply (IMAP NO, SMTP 535) is what the exchange returns.
type Refused interface {
	Refused() error
}

// XOAUTH2 is a SASL client for XOAUTH2
// (https://developers.google.com/gmail/imap/xoauth2-protocol). Its initial
// response is "user=" user ^A "auth=Bearer " token ^A ^A. A server that
// refuses the token sends a challenge with a JSON error; the client answers
// it with an empty response, as the protocol asks, and the server then
// fails the exchange. The returned client also implements Refused.
func XOAUTH2(user, token string) sasl.Client {
	return &xoauth2Client{user: user, token: token}
}

type xoauth2Client struct {
	user, token string
	refused     *ServerError
}

func (c *xoauth2Client) Start() (string, []byte, error) {
	return XOAUTH2Mechanism, []byte("user=" + c.user + "\x01auth=Bearer " + c.token + "\x01\x01"), nil
}

func (c *xoauth2Client) Next(challenge []byte) ([]byte, error) {
	if c.refused != nil {
		return nil, ErrUnexpectedChallenge
	}
	c.refused = &ServerError{Mechanism: XOAUTH2Mechanism, Detail: detail(challenge)}
	return []byte{}, nil
}

func (c *xoauth2Client) Refused() error {
	if c.refused == nil {
		return nil
	}
	return c.refused
}

// OAuthBearer is go-sasl's OAUTHBEARER client (RFC 7628) for user at
// host:port (host and port may be left empty and 0), answering an error
// challenge with the ^A response RFC 7628 section 3.2.3 requires, so that
// the server ends the exchange with a failure reply rather than waiting.
// The returned client also implements Refused.
func OAuthBearer(user, token, host string, port int) sasl.Client {
	return &oauthBearerClient{c: sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{
		Username: user, Token: token, Host: host, Port: port,
	})}
}

type oauthBearerClient struct {
	c       sasl.Client
	refused *ServerError
}

func (c *oauthBearerClient) Start() (string, []byte, error) { return c.c.Start() }

func (c *oauthBearerClient) Next(challenge []byte) ([]byte, error) {
	if c.refused != nil {
		return nil, ErrUnexpectedChallenge
	}
	_, err := c.c.Next(challenge)
	detail := detail(challenge)
	var be *sasl.OAuthBearerError
	if errors.As(err, &be) && be.Status != "" {
		detail = "status " + be.Status
		if be.Scope != "" {
			detail += ", scope " + be.Scope
		}
	}
	c.refused = &ServerError{Mechanism: sasl.OAuthBearer, Detail: detail}
	return []byte{0x01}, nil
}

func (c *oauthBearerClient) Refused() error {
	if c.refused == nil {
		return nil
	}
	return c.refused
}

func detail(challenge []byte) string {
	s := string(challenge)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
