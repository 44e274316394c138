package template

import (
	htmltemplate "html/template"
	"testing"
)

// TestPhoneLinks: the desk's phone and WhatsApp numbers, however written
// in the config, become links a phone can tap.
func TestPhoneLinks(t *testing.T) {
	f := funcs(nil)
	tel := f["tel"].(func(string) htmltemplate.URL)
	wa := f["wa"].(func(string) htmltemplate.URL)
	tests := []struct{ in, tel, wa string }{
		{"(0761) 123-456", "tel:+62761123456", "https://wa.me/62761123456"},
		{"0812-0000-0000", "tel:+6281200000000", "https://wa.me/6281200000000"},
		{"+62 812 0000 0000", "tel:+6281200000000", "https://wa.me/6281200000000"},
	}
	for _, tt := range tests {
		if got := string(tel(tt.in)); got != tt.tel {
			t.Errorf("tel %q = %q, want %q", tt.in, got, tt.tel)
		}
		if got := string(wa(tt.in)); got != tt.wa {
			t.Errorf("wa %q = %q, want %q", tt.in, got, tt.wa)
		}
	}
}
