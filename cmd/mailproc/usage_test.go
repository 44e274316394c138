package main

import (
	"os"
	"strings"
	"testing"
)

// TestUsageIsREADME: `mailproc help` prints the README's "Day-to-day
// commands" table exactly, so the two cannot drift apart.
func TestUsageIsREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "## Day-to-day commands\n\n```\n")
	table, _, ok2 := strings.Cut(rest, "```\n")
	if !ok || !ok2 {
		t.Fatal("README has no Day-to-day commands table")
	}
	_, got, _ := strings.Cut(usage, "Usage:\n")
	if got != table {
		t.Errorf("usage differs from the README table:\nusage:\n%s\nREADME:\n%s", got, table)
	}
}
