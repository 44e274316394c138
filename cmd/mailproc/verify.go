package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// runVerify is `mailproc verify`: walk the hash chains of case events and
// stored messages and every archived file's SHA-256. It fails (exit 1)
// naming the first broken case or file, and otherwise prints the chain
// head, which a printed report's can be compared with.
func runVerify(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mailproc verify", flag.ContinueOnError)
	cfgPath := fs.String("config", "mailproc.toml", "config file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return errors.New("usage: mailproc verify [-config FILE]")
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
	return nil
}

// printVerified says what verify checked and the chain head a printed
// report's "kepala rantai" can be compared with.
func printVerified(w io.Writer, res sqlite.VerifyResult) {
	fmt.Fprintf(w, "riwayat utuh: %d peristiwa, %d pesan, %d berkas arsip diperiksa\nkepala rantai: %s\n",
		res.Events, res.Messages, res.Files, res.Head)
}
