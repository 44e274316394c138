package config

import (
	"strings"
	"testing"
)

// TestAllProblemsAtOnce is the case: an unknown key, a malformed
// staff address and a malformed duration come back in one error, each
// naming its key, echoing the value and saying the expected form.
func TestAllProblemsAtOnce(t *testing.T) {
	file := strings.Replace(minimal, `address = "rina.marlina@pustakaarsip.kamparkab.go.id"`, `address = "Rina Marlina"`, 1)
	file = strings.Replace(file, "[desk]\n", "[desk]\ncomplain_due = \"3d\"\ninfo_due = \"lima menit\"\n", 1)
	_, err := loadWith(t, file, secrets())
	got := problems(err)
	for _, want := range []string{
		"desk.complain_due: unknown key; did you mean desk.complaint_due?",
		`desk.info_due: want a duration like "30m", "1h", "14d" or "5 menit", "1 jam", "14 hari" (got "lima menit")`,
		`desk.staff[1].address: not an e-mail address: got "Rina Marlina", want a bare address like "petugas@dinas.go.id"`,
	} {
		if !contains(got, want) {
			t.Errorf("missing %q in\n%v", want, err)
		}
	}
}

// TestDecodeProblems: each value a person gets wrong is named in words.
func TestDecodeProblems(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"a string for a list", minimal + "[[chain]]\ntitle = \"Kepala Dinas\"\naddresses = \"kadis@dinas.test\"\n",
			`chain[2].addresses: want a list like ["kasi@dinas.go.id"], got a string "kadis@dinas.test"`},
		{"a typo in a secret file key", strings.Replace(minimal, "[imap]\n", "[imap]\npasword_file = \"/x\"\n", 1),
			"imap.pasword_file: unknown key; did you mean imap.password_file?"},
		{"a number in quotes", strings.Replace(minimal, "[imap]\n", "[imap]\nfetch_batch = \"50\"\n", 1),
			`imap.fetch_batch: want a whole number without quotes, like 10, got a string "50"`},
		{"a name with the address", strings.Replace(minimal, `address = "rina.marlina@pustakaarsip.kamparkab.go.id"`,
			`address = "Rina <rina@dinas.test>"`, 1),
			`desk.staff[1].address: not an e-mail address: got "Rina <rina@dinas.test>", want a bare address like "petugas@dinas.go.id"; put the name in the name key and only "rina@dinas.test" here`},
		{"a space after the address", strings.Replace(minimal, `address = "rina.marlina@pustakaarsip.kamparkab.go.id"`,
			`address = "rina@dinas.test "`, 1),
			`desk.staff[1].address: not an e-mail address: got "rina@dinas.test ", want a bare address like "petugas@dinas.go.id"; remove the spaces around it`},
		{"a missing secret", minimal, "imap.password: required: give it as imap.password_file = \"${CREDENTIALS_DIRECTORY}/imap_password\" " +
			"(a file holding only the secret), as the environment variable MAILPROC_IMAP_PASSWORD, or as MAILPROC_IMAP_PASSWORD_FILE naming such a file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := secrets()
			if tt.name == "a missing secret" {
				delete(e, "MAILPROC_IMAP_PASSWORD")
			}
			_, err := loadWith(t, tt.file, e)
			if !contains(problems(err), tt.want) {
				t.Errorf("error:\n%v\nwant line %q", err, tt.want)
			}
		})
	}
}

// TestIndonesianForms: "5 menit", "1 jam 30 menit", "14 hari" and
// "07.30-16.30" are read; a secret in the file and a tls that does not fit
// the port give warnings.
func TestIndonesianForms(t *testing.T) {
	file := strings.Replace(minimal, "[desk]\n", "[desk]\ninfo_due = \"1 jam 30 menit\"\ncomplaint_due = \"14 hari\"\n", 1)
	file = strings.Replace(file, "[imap]\n", "[imap]\npassword = \"rahasia-di-berkas\"\ntls = \"tls\"\nport = 143\npoll_interval = \"5 menit\"\n", 1)
	file += "\n[calendar]\nmonday = \"07.30-16.30\"\n"
	e := secrets()
	delete(e, "MAILPROC_IMAP_PASSWORD")
	c := mustLoad(t, file, e)
	if c.Desk.InfoDue.String() != "1h30m" || c.Desk.ComplaintDue.String() != "14d" || c.IMAP.PollInterval.String() != "5m" {
		t.Errorf("durations: %v %v %v", c.Desk.InfoDue, c.Desk.ComplaintDue, c.IMAP.PollInterval)
	}
	if h := c.OfficeHours(1); len(h) != 1 || h[0].String() != "07:30-16:30" {
		t.Errorf("monday: %v", h)
	}
	w := strings.Join(c.Warnings(), "\n")
	for _, want := range []string{
		"imap.password: a secret written in the config file; move it to imap.password_file, the environment or a credential",
		`imap.tls = "tls" with imap.port = 143: port 143 usually speaks tls = "starttls"; tls = "tls" usually goes with port 993`,
	} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
}
