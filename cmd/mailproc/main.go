// Command mailproc runs the e-mail channel of the Layanan Informasi dan
// Aduan Masyarakat: it turns mail in the desk mailbox into cases.
//
//	mailproc run -config mailproc.toml     the daemon
//	mailproc check -config mailproc.toml   config, IMAP login, folders, data dir
//	mailproc cases list [--open] [--json]  the cases
//	mailproc cases show NUMBER             one case's timeline
//	mailproc cases list --unlinked         mail stored on no case (robots, lists)
//	mailproc suppressions list|remove      addresses that get no acknowledgement
//	mailproc report --month YYYY-MM        the month: did we keep our promise?
//	mailproc inspect [--json] [--reply] FILE  what mailproc reads from a mail
//	mailproc export NUMBER [--eml DIR]     one case file, printable HTML
//	mailproc retention [--dry-run]         the retention schedule, now
//	mailproc forget ADDRESS [--dry-run]    a personal-data request
//	mailproc demo                          the whole flow on embedded servers
//	mailproc version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time (scripts/build).
var version = "dev"

// usage is the README's "Day-to-day commands" table, word for word
// (TestUsageIsREADME): one text for the operator, wherever they read it.
const usage = `mailproc — saluran email Layanan Informasi dan Aduan Masyarakat

Usage:
mailproc run   -config FILE                 the daemon; SIGTERM finishes the mail in hand, exits 0
mailproc check -config FILE                 one line per item, exit 1 if there is a problem
mailproc cases list [-config FILE] [--open] [--json]
                                            the cases, newest first
mailproc cases show [-config FILE] [--json] NUMBER
                                            one case: its timeline, the mails in and the mails sent
mailproc cases list [-config FILE] --unlinked [--since 24h] [--json]
                                            mail stored on no case (robots, lists, reports) and why
mailproc suppressions list|remove [-config FILE] [ADDRESS]
                                            addresses that reported our mail as spam: no acknowledgements
mailproc report [-config FILE] [--month YYYY-MM] [--format text|csv|html] [--public]
                                            the month: did we keep our promise? --public: for the website
mailproc verify [-config FILE] [--head "peristiwa #N HEX, pesan #M HEX"]
                                            the case history's hash chain, verdicts and archive intact?
                                            exit 1 naming the first broken case or file; --head: a
                                            report's chain head still in the history?
mailproc export [-config FILE] NUMBER [-o FILE] [--eml DIR]
                                            one case file (HTML) for a records request
mailproc retention [-config FILE] [--dry-run]
                                            apply the retention schedule now
mailproc forget [-config FILE] [--dry-run] ADDRESS
                                            a personal-data request: anonymise one citizen
mailproc recover [-config FILE] [--since TIME]
                                            after a restore: take again the mail the backup missed
mailproc healthcheck [-config FILE | -addr HOST:PORT]
                                            exit 0 when the daemon's /healthz answers 200
mailproc inspect [--json] [--reply] [-config FILE] FILE|-
                                            what mailproc reads from one raw mail
mailproc demo [-v] [-data DIR]              the whole flow on embedded servers
mailproc version
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "run":
		err = runDaemon(ctx, args[1:], stderr)
	case "check":
		err = runCheck(ctx, args[1:], stdout)
	case "cases":
		err = runCases(ctx, args[1:], stdout)
	case "suppressions":
		err = runSuppressions(ctx, args[1:], stdout)
	case "healthcheck":
		err = runHealthcheck(ctx, args[1:], stdout)
	case "report":
		err = runReport(ctx, args[1:], stdout)
	case "verify":
		err = runVerify(ctx, args[1:], stdout)
	case "export":
		err = runExport(ctx, args[1:], stdout)
	case "retention":
		err = runRetention(ctx, args[1:], stdout)
	case "forget":
		err = runForget(ctx, args[1:], stdout)
	case "recover":
		err = runRecover(ctx, args[1:], stdout)
	case "demo":
		err = runDemo(ctx, args[1:], stdout, stderr)
	case "inspect":
		err = runInspect(ctx, args[1:], os.Stdin, stdout)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "mailproc", version)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "mailproc: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var exit *exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 2
	case errors.As(err, &exit):
		return exit.code
	default:
		fmt.Fprintln(stderr, "mailproc:", err)
		return 1
	}
}

// exitError ends a command with a code after it has printed its own report.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// runDaemon is `mailproc run`: it runs until SIGTERM or SIGINT, then
// finishes the mail in hand and exits 0.
func runDaemon(ctx context.Context, args []string, stderr io.Writer) error {
	m := NewMain()
	m.Stderr = stderr
	if err := m.ParseFlags(args); err != nil {
		return err
	}
	tuneGC()
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	<-ctx.Done()
	m.Logger.Info("shutting down")
	return m.Close()
}
