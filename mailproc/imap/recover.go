package imap

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// After a restore (issue 16). The database restored from a backup knows
// every mail committed up to its last replicated transaction; the mail
// committed after it was moved to the processed folder all the same, so
// the restored desk would never see it. Recover puts that mail back in the
// inbox: every mail in the processed folder that arrived since a time and
// whose Message-ID the database does not hold. A mail it moves back that
// the database does know after all (no Message-ID, or one it holds under a
// synthetic id) is recognised by intake as a copy and moved on again, never
// processed twice. Recover also reads the case numbers in the subjects of
// the Sent folder since then, so the counters can be raised past numbers
// already given to citizens.

// RecoverResult is what Recover found and did.
type RecoverResult struct {
	Moved []string // Message-IDs put back in the inbox ("" for none)
	Known int      // mails in the processed folder the database holds
	// Numbers are the registration numbers found in the Sent folder's
	// subjects since the time asked for.
	Numbers []string
}

// Recover moves back to the inbox the mail of the processed folder that
// arrived at or after since and for which known is false, and reads the
// case numbers of sentFolder ("" skips it) since then. known is asked with
// the normalised Message-ID ("" when the mail has none).
func Recover(ctx context.Context, cfg Config, sentFolder string, since time.Time, known func(messageID string) (bool, error)) (RecoverResult, error) {
	var res RecoverResult
	if err := cfg.Validate(); err != nil {
		return res, err
	}
	cfg = cfg.withDefaults()
	c, conn, err := dial(ctx, cfg, &imapclient.Options{}, nil)
	if err != nil {
		return res, err
	}
	defer c.Close()
	s := &session{cfg: cfg, c: c, conn: conn, log: slog.New(slog.DiscardHandler)}
	if err := s.guard(func() error {
		var err error
		s.caps, err = login(ctx, c, cfg)
		return err
	}); err != nil {
		return res, err
	}
	defer s.logout()

	envs, err := s.envelopesSince(cfg.ProcessedFolder, since, false)
	if err != nil {
		return res, err
	}
	var back []goimap.UID
	for _, e := range envs {
		id := mailproc.NormalizeMessageID(e.messageID)
		ok, err := known(id)
		if err != nil {
			return res, err
		}
		if ok {
			res.Known++
			continue
		}
		back = append(back, e.uid)
		res.Moved = append(res.Moved, id)
	}
	if len(back) > 0 {
		if err := s.move(back, cfg.Inbox); err != nil {
			return res, err
		}
	}
	if sentFolder != "" {
		if exists, err := s.folderExists(sentFolder); err != nil {
			return res, err
		} else if exists {
			sent, err := s.envelopesSince(sentFolder, since, true)
			if err != nil {
				return res, err
			}
			for _, e := range sent {
				if n := mailproc.FindNumber(e.subject); n != "" {
					res.Numbers = append(res.Numbers, n)
				}
			}
		}
	}
	return res, nil
}

type envelope struct {
	uid                goimap.UID
	messageID, subject string
}

// envelopesSince selects folder and returns the UID, Message-ID and
// subject of every mail whose INTERNALDATE is at or after since. SEARCH
// SINCE has day granularity, so the exact time is compared here.
func (s *session) envelopesSince(folder string, since time.Time, readOnly bool) ([]envelope, error) {
	if err := s.guard(func() error {
		_, err := s.c.Select(folder, &goimap.SelectOptions{ReadOnly: readOnly}).Wait()
		return err
	}); err != nil {
		return nil, fmt.Errorf("select %q: %w", folder, err)
	}
	var uids []goimap.UID
	if err := s.guard(func() error {
		data, err := s.c.UIDSearch(&goimap.SearchCriteria{Since: since.AddDate(0, 0, -1)}, nil).Wait()
		if err != nil {
			return err
		}
		uids = data.AllUIDs()
		return nil
	}); err != nil {
		return nil, fmt.Errorf("search %q: %w", folder, err)
	}
	if len(uids) == 0 {
		return nil, nil
	}
	var out []envelope
	err := s.guard(func() error {
		msgs, err := s.c.Fetch(goimap.UIDSetNum(uids...), &goimap.FetchOptions{UID: true, Envelope: true, InternalDate: true}).Collect()
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.InternalDate.Before(since) || m.Envelope == nil {
				continue
			}
			out = append(out, envelope{uid: m.UID, messageID: m.Envelope.MessageID, subject: m.Envelope.Subject})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fetch %q: %w", folder, err)
	}
	return out, nil
}
