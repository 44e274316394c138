package smtp

import (
	"context"
	"time"
)

// DefaultIdle is how long a kept session may sit unused before it is closed
// rather than reused: well under the 300 s Postfix (smtpd_timeout) and most
// providers wait before they hang up on a silent client.
const DefaultIdle = 20 * time.Second

// kept is an idle session in the pool.
type kept struct {
	sess *session
	sent int       // mails accepted over it so far
	used time.Time // when it last finished a mail
}

// take returns a session ready for MAIL FROM: a kept one that answers RSET,
// or a new one. A kept session that fails RSET (the server timed it out,
// the connection broke) is closed and the next is tried: nothing of the
// mail has been sent on it, so no mail can go out twice this way.
func (s *Sender) take(ctx context.Context) (*session, int, error) {
	for {
		k := s.popIdle()
		if k == nil {
			break
		}
		if time.Since(k.used) > s.idle() {
			k.sess.quit(time.Second)
			k.sess.close()
			continue
		}
		k.sess.rebind(ctx)
		if err := k.sess.client.UpdateDeadline(s.timeout()); err == nil {
			if err := k.sess.client.Reset(); err == nil {
				return k.sess, k.sent, nil
			}
		}
		k.sess.close()
	}
	sess, err := dial(ctx, s.Config)
	return sess, 0, err
}

// keep puts a session back after its mail was accepted, or ends it when it
// has carried PerSession mails or its ctx ended.
func (s *Sender) keep(sess *session, sent int) {
	if sess.stop != nil && !sess.stop() { // ctx ended: conn is being closed
		sess.close()
		return
	}
	sess.stop = nil
	if sent >= s.perSession() {
		sess.quit(s.timeout())
		sess.close()
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		sess.quit(s.timeout())
		sess.close()
		return
	}
	s.idleSessions = append(s.idleSessions, &kept{sess: sess, sent: sent, used: time.Now()})
}

func (s *Sender) popIdle() *kept {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.idleSessions)
	if n == 0 {
		return nil
	}
	k := s.idleSessions[n-1] // the most recently used: least likely timed out
	s.idleSessions = s.idleSessions[:n-1]
	return k
}

// Close says QUIT on every kept session. Sends after Close use a session
// each, as with PerSession 1.
func (s *Sender) Close() {
	s.mu.Lock()
	idle := s.idleSessions
	s.idleSessions, s.closed = nil, true
	s.mu.Unlock()
	for _, k := range idle {
		k.sess.quit(s.timeout())
		k.sess.close()
	}
}

// rebind makes the session follow ctx: the connection is closed when ctx
// ends, as for a new session.
func (sess *session) rebind(ctx context.Context) {
	sess.ctx = ctx
	conn := sess.conn
	sess.stop = context.AfterFunc(ctx, func() { conn.Close() })
}

func (s *Sender) perSession() int {
	if s.PerSession > 0 {
		return s.PerSession
	}
	return 1
}

func (s *Sender) idle() time.Duration {
	if s.Idle > 0 {
		return s.Idle
	}
	return DefaultIdle
}
