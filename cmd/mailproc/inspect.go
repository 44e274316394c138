package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/mime"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

const inspectUsage = "usage: mailproc inspect [--json] [--reply] [-config FILE] FILE|-"

// runInspect is `mailproc inspect`: what mailproc reads from one raw mail,
// with no server and, without -config, no database. --reply prints only the
// text that would be relayed to the citizen had verified staff sent it.
func runInspect(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("mailproc inspect", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	replyOnly := fs.Bool("reply", false, "print only the text relayed to the citizen")
	cfgPath := fs.String("config", "", "config file: also use its people and database")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New(inspectUsage)
	}
	msg, err := parseMailFile(fs.Arg(0), stdin)
	if err != nil {
		return err
	}
	p := mailproc.InspectPolicy{Now: time.Now()}
	if *cfgPath != "" {
		if p, err = inspectPolicy(ctx, *cfgPath, msg); err != nil {
			return err
		}
	}
	in := mailproc.Inspect(msg, p)
	switch {
	case *replyOnly:
		if in.Reply == "" {
			return nil
		}
		_, err = fmt.Fprintln(stdout, in.Reply)
		return err
	case *asJSON:
		return writeJSON(stdout, in)
	}
	printInspection(stdout, in)
	return nil
}

// parseMailFile parses a raw mail from a file, or standard input for "-".
func parseMailFile(name string, stdin io.Reader) (*mailproc.Message, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	m, err := mime.Parse(r, mime.Options{})
	if err != nil {
		return nil, fmt.Errorf("inspect %s: %w", name, err)
	}
	return m, nil
}

// inspectPolicy reads the config's people and acknowledgement policy, and
// from the database the known original and the case.
func inspectPolicy(ctx context.Context, path string, msg *mailproc.Message) (mailproc.InspectPolicy, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return mailproc.InspectPolicy{}, err
	}
	p := mailproc.InspectPolicy{Ack: ackPolicy(cfg), Directory: directory(cfg), Now: time.Now(), ReopenWindow: cfg.Desk.ReopenWindow.D()}
	db, err := sqlite.Open(cfg.DatabasePath())
	if err != nil {
		return p, err
	}
	defer db.Close()
	err = db.Intake(ctx, func(tx mailproc.IntakeTx) error {
		var err error
		p.Originals, p.Case, err = mailproc.InspectLookup(tx, msg)
		return err
	})
	return p, err
}

func printInspection(w io.Writer, in mailproc.Inspection) {
	line := func(k, v string) { fmt.Fprintf(w, "%-15s %s\n", k+":", v) }
	line("from", in.From)
	line("reply-to", strings.Join(in.ReplyTo, ", "))
	line("subject", in.Subject)
	line("kind", string(in.Kind)+" ("+in.KindReason+")")
	line("automatic", or(in.Automatic, "tidak (ditulis orang)"))
	if b := in.Bounce; b != nil {
		line("bounce", "original <"+b.OriginalMessageID+">, recipients "+strings.Join(b.Recipients, ", ")+", status "+b.Status)
	}
	line("opens case", fmt.Sprint(in.OpensCase))
	if in.Case != "" {
		line("case", in.Case)
	}
	if in.AckTo != "" {
		line("ack to", in.AckTo)
	} else {
		line("no ack", in.AckRefused)
	}
	for _, a := range in.Attachments {
		line("attachment", fmt.Sprintf("%s (%s, %d bytes)", a.Filename, a.ContentType, a.Size))
	}
	line("known original", fmt.Sprint(in.KnownOrigin))
	for _, h := range in.ReplyHeld {
		line("reply held", h)
	}
	fmt.Fprintf(w, "\nreply (relayed if verified staff sent it):\n%s\n", in.Reply)
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
