package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// runVerify is `mailproc verify [--head "peristiwa #N HEX, pesan #M HEX"]`:
// walk the hash chains of case events and stored messages, the verdicts and
// every archived file's SHA-256. It fails (exit 1) naming the first broken
// case or file, and otherwise prints the chain head. --head is a head
// printed in a report: its rows must still be there with those hashes.
func runVerify(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mailproc verify", flag.ContinueOnError)
	cfgPath := fs.String("config", "mailproc.toml", "config file")
	headFlag := fs.String("head", "", `the "kepala rantai" a report printed, to check it is still in the history`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return errors.New(`usage: mailproc verify [-config FILE] [--head "peristiwa #N HEX, pesan #M HEX"]`)
	}
	var head mailproc.ChainHead
	if *headFlag != "" {
		var err error
		if head, err = mailproc.ParseChainHead(*headFlag); err != nil {
			return err
		}
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	db, err := sqlite.Open(cfg.DatabasePath())
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.Verify(ctx, cfg.Desk.DataDir)
	if err != nil {
		return fmt.Errorf("verify: riwayat tidak utuh: %w", err)
	}
	printVerified(stdout, res)
	if *headFlag != "" {
		if err := db.CheckHead(ctx, head); err != nil {
			return fmt.Errorf("verify: kepala rantai laporan: %w", err)
		}
		fmt.Fprintf(stdout, "kepala rantai laporan ada di riwayat: %s\n", head)
	}
	return nil
}

// printVerified says what verify checked and the chain head a printed
// report's "kepala rantai" can be compared with.
func printVerified(w io.Writer, res sqlite.VerifyResult) {
	fmt.Fprintf(w, "riwayat utuh: %d peristiwa, %d pesan, %d berkas arsip diperiksa\nkepala rantai: %s\n",
		res.Events, res.Messages, res.Files, res.Head)
}
