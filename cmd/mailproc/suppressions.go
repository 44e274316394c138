package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// runSuppressions is `mailproc suppressions list|remove`: the addresses
// that reported the desk's mail as spam and get no acknowledgements, and
// taking one off the list when its owner asks.
func runSuppressions(ctx context.Context, args []string, stdout io.Writer) error {
	const use = "usage: mailproc suppressions list [-config FILE] [--json] | mailproc suppressions remove [-config FILE] ADDRESS"
	if len(args) == 0 {
		return errors.New(use)
	}
	fs := flag.NewFlagSet("mailproc suppressions "+args[0], flag.ContinueOnError)
	cfgPath := fs.String("config", "mailproc.toml", "config file")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, db, err := openDatabase(*cfgPath)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "list":
		list, err := db.Suppressions(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			type row struct {
				Addr   string `json:"addr"`
				Reason string `json:"reason"`
				At     any    `json:"at"`
			}
			out := make([]row, 0, len(list))
			for _, s := range list {
				out = append(out, row{s.Addr, s.Reason, s.At})
			}
			return writeJSON(stdout, out)
		}
		if len(list) == 0 {
			fmt.Fprintln(stdout, "Daftar penolakan kosong.")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ALAMAT\tSEJAK\tALASAN")
		for _, s := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Addr, s.At.In(cfg.Location()).Format("02-01-2006 15.04"), s.Reason)
		}
		return tw.Flush()
	case "remove":
		if fs.NArg() != 1 {
			return errors.New(use)
		}
		addr := strings.TrimSpace(fs.Arg(0))
		if err := db.Unsuppress(ctx, addr); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s dihapus dari daftar penolakan: tanda terima dikirim lagi.\n", addr)
		return nil
	default:
		return fmt.Errorf("unknown: mailproc suppressions %s", args[0])
	}
}
