package mailproc

import "testing"

// The reply marker opens the text, and the HTML's body (whatever the case
// of its tag, whatever precedes it) or, without a body tag, the HTML.
func TestAddReplyMarker(t *testing.T) {
	const p = `<p style="margin:0 0 12px;color:#52606d;font-size:13px;">` + ReplyMarker + `</p>` + "\n"
	for _, tt := range []struct{ html, want string }{
		{"", ""},
		{"<p>halo</p>", p + "<p>halo</p>"},
		{"<html><body><p>halo</p></body></html>", "<html><body>\n" + p + "<p>halo</p></body></html>"},
		{"<HTML><BODY class=\"x\">halo", "<HTML><BODY class=\"x\">\n" + p + "halo"},
		{"<head><title>İİİ <b></title></head><Body>halo", "<head><title>İİİ <b></title></head><Body>\n" + p + "halo"},
		{"<p>a < b</p><body", "<p>a < b</p><body"}, // a tag never closed: left as it is
	} {
		out := &OutgoingMail{Purpose: PurposeNotify, Text: "teks\n", HTML: tt.html}
		addReplyMarker(out)
		if out.HTML != tt.want || out.Text != ReplyMarker+"\n\nteks\n" {
			t.Errorf("HTML %q: got %q and text %q, want %q", tt.html, out.HTML, out.Text, tt.want)
		}
	}
	ack := &OutgoingMail{Purpose: PurposeAck, Text: "teks\n", HTML: "<body>x"}
	if addReplyMarker(ack); ack.Text != "teks\n" || ack.HTML != "<body>x" {
		t.Errorf("an acknowledgement got the marker: %+v", ack)
	}
}
