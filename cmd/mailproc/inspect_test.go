package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestInspectReply: `mailproc inspect --reply FILE` prints exactly the answer
// a person reads in each client fixture, without its commands, and nothing
// else (nothing at all for an internal note).
func TestInspectReply(t *testing.T) {
	paths, err := filepath.Glob("../../mailproc/testdata/replies/*.eml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("fixtures: %v", err)
	}
	for _, p := range paths {
		want, err := os.ReadFile(strings.TrimSuffix(p, ".eml") + ".want.txt")
		if err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"inspect", "--reply", p}, &out, &errOut); code != 0 {
			t.Fatalf("%s: exit %d: %s", p, code, errOut.String())
		}
		cmds, _, answer := mailproc.ParseCommands(strings.TrimSpace(string(want)))
		expect := answer + "\n"
		for _, c := range cmds {
			if c.Name == mailproc.CmdCatatan || answer == "" {
				expect = ""
			}
		}
		if got := out.String(); got != expect {
			t.Errorf("%s:\n--- got ---\n%s--- want ---\n%s", filepath.Base(p), got, want)
		}
	}
}

// TestInspectJSON: the --json fields operators and the scoring script read.
func TestInspectJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"inspect", "--json", "../../mailproc/testdata/replies/outlook-desktop-en-cc.eml"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	for _, k := range []string{"from", "reply_to", "ack_to", "ack_refused", "opens_case", "kind", "kind_reason", "automatic", "bounce", "subject", "attachments", "reply"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no %q in %s", k, out.String())
		}
	}
	if got["bounce"] != nil || got["automatic"] != "" || got["reply"] == "" || got["from"] == "" {
		t.Errorf("fields: %s", out.String())
	}
}

// TestInspectBounce: a delivery report's facts, read by the mime reader.
func TestInspectBounce(t *testing.T) {
	raw := "From: MAILER-DAEMON@mx.example.org\r\nTo: layanan@pustakaarsip.kamparkab.go.id\r\nSubject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n" +
		"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; siti@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
		"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <mailproc.ack.inf-2026-00001.abc@pustakaarsip.kamparkab.go.id>\r\nSubject: x\r\n--b--\r\n"
	dir := t.TempDir()
	p := filepath.Join(dir, "bounce.eml")
	if err := os.WriteFile(p, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"inspect", "--json", p}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var got struct {
		AckTo     string `json:"ack_to"`
		OpensCase bool   `json:"opens_case"`
		Bounce    *struct {
			Original   string   `json:"original_message_id"`
			Recipients []string `json:"recipients"`
			Status     string   `json:"status"`
		} `json:"bounce"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Bounce == nil || got.Bounce.Status != "5.1.1" || fmt.Sprint(got.Bounce.Recipients) != "[siti@example.org]" ||
		got.Bounce.Original != "mailproc.ack.inf-2026-00001.abc@pustakaarsip.kamparkab.go.id" || got.OpensCase || got.AckTo != "" {
		t.Errorf("bounce inspection: %s", out.String())
	}
}

// TestInspectRobotsJSON: `mailproc inspect --json` on a spam-complaint
// report (ARF), a read receipt (MDN), an iCloud vacation reply and a
// Mail.Delivery.System bounce says no acknowledgement would go out, no case
// would open, and what the robot is; a person's letter with Reply-To gets
// its acknowledgement there.
func TestInspectRobotsJSON(t *testing.T) {
	for file, automatic := range map[string]string{
		"arf-yahoo.eml":                   "laporan spam",
		"mdn-read-receipt.eml":            "dibaca",
		"icloud-vacation.eml":             "X-Apple-Action: VACATION",
		"bounce-mail-delivery-system.eml": "gagal kirim",
		"reply-to-letter.eml":             "",
	} {
		t.Run(file, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(context.Background(), []string{"inspect", "--json", filepath.Join("../../mailproc/mime/testdata", file)}, &out, &errOut); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			var got struct {
				AckTo      *string         `json:"ack_to"`
				AckRefused string          `json:"ack_refused"`
				OpensCase  *bool           `json:"opens_case"`
				Automatic  *string         `json:"automatic"`
				Bounce     json.RawMessage `json:"bounce"`
				ReplyTo    []string        `json:"reply_to"`
			}
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if got.AckTo == nil || got.OpensCase == nil || got.Automatic == nil || got.Bounce == nil {
				t.Fatalf("a key is missing:\n%s", out.String())
			}
			if automatic == "" {
				if *got.AckTo != "sekretariat@sman1bangkinang.sch.id" || !*got.OpensCase || *got.Automatic != "" {
					t.Errorf("the letter with Reply-To: %s", out.String())
				}
				return
			}
			if *got.AckTo != "" || *got.OpensCase || !strings.Contains(*got.Automatic, automatic) || got.AckRefused == "" {
				t.Errorf("ack_to %q, opens_case %v, automatic %q (want it to say %q), ack_refused %q",
					*got.AckTo, *got.OpensCase, *got.Automatic, automatic, got.AckRefused)
			}
			if isBounce := file == "bounce-mail-delivery-system.eml"; isBounce != (string(got.Bounce) != "null") {
				t.Errorf("bounce = %s", got.Bounce)
			}
		})
	}
}
