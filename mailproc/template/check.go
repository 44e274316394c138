package template

import (
	"fmt"
	"strings"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// Check is for `mailproc check`: it reports every required template (Names)
// that is missing, and renders each one with realistic sample data — every
// branch a template is likely to have: name known and unknown, subject
// given and empty, office hours and after hours, a desk with all its
// channels and one with none. Parsing alone does not catch a misspelt
// field ({{.Nomor}}) or a function used with the wrong argument; rendering
// does, before a citizen's mail does. It also rejects a subject that
// renders to more than one line or to nothing, and a body that renders
// empty. Every error names the file to fix.
func (s *Set) Check() []error {
	var errs []error
	for _, name := range Names() {
		e, ok := s.entries[name]
		if !ok {
			errs = append(errs, fmt.Errorf("template %s: missing: no %s.txt among the built-in or override templates", name, name))
			continue
		}
		for _, sm := range samples(name) {
			r, raw, err := e.render(sm.data)
			if err != nil {
				errs = append(errs, fmt.Errorf("template %s (sample %q): %w", name, sm.label, err))
				continue
			}
			if strings.ContainsAny(strings.TrimSpace(raw), "\r\n") {
				errs = append(errs, fmt.Errorf("template %s (sample %q): %s: subject renders to more than one line: %q", name, sm.label, e.textFrom, raw))
			}
			if r.Subject == "" {
				errs = append(errs, fmt.Errorf("template %s (sample %q): %s: subject renders empty", name, sm.label, e.textFrom))
			}
			if r.Text == "" {
				errs = append(errs, fmt.Errorf("template %s (sample %q): %s: body renders empty", name, sm.label, e.textFrom))
			}
			if e.html != nil && r.HTML == "" {
				errs = append(errs, fmt.Errorf("template %s (sample %q): %s: HTML body renders empty", name, sm.label, e.htmlFrom))
			}
		}
	}
	return errs
}

// sample is one set of data a template is checked with.
type sample struct {
	label string
	data  any
}

// wib is the desk's zone for the samples. A fixed zone rather than
// time.LoadLocation("Asia/Jakarta"), so that Check works on a host or image
// without tzdata; Indonesia has no daylight saving time.
var wib = time.FixedZone("WIB", 7*3600)

// sampleDesk is the desk of Dinas Perpustakaan dan Kearsipan Kabupaten
// Kampar as the example config describes it, with every optional field
// set.
func sampleDesk() mailproc.Desk {
	return mailproc.Desk{
		Name:          "Layanan Informasi dan Aduan Masyarakat",
		Agency:        "Dinas Perpustakaan dan Kearsipan Kabupaten Kampar",
		Address:       "layanan@pustakaarsip.kamparkab.go.id",
		PostalAddress: "Jalan Mayjen D.I Pandjaitan No. 17, Bangkinang Kota 28412",
		Phone:         "(0762) 323710",
		WhatsApp:      "0812-0000-0000",
		Website:       "https://pustakaarsip.kamparkab.go.id/",
		Channels: []string{
			"Tatap muka: desk Layanan Informasi dan Aduan Masyarakat, Lobby Lantai 2 Gedung Pustaka",
			"Media sosial: Instagram, Facebook dan Twitter/X Dinas Perpustakaan dan Kearsipan Kabupaten Kampar",
			"Kotak saran dan masukan di Lobby Lantai 2 Gedung Pustaka",
		},
		Location: wib,
	}
}

// samples returns the data Check renders the template name with.
func samples(name string) []sample {
	full := sampleDesk()
	bare := mailproc.Desk{Name: full.Name, Address: full.Address, Location: wib}
	received := time.Date(2026, time.November, 27, 14, 0, 0, 0, wib) // a Friday, in office hours
	late := time.Date(2026, time.November, 27, 21, 40, 0, 0, wib)    // Friday night
	monday := time.Date(2026, time.November, 30, 7, 30, 0, 0, wib)   // the desk opens again

	switch name {
	case mailproc.TemplateAckInformasi, mailproc.TemplateAckAduan:
		kind, number, promise := mailproc.KindInformasi, "INF-2026-00042", 5*time.Minute
		subject := "Jam buka perpustakaan hari Sabtu"
		if name == mailproc.TemplateAckAduan {
			kind, number, promise = mailproc.KindAduan, "ADU-2026-00007", time.Hour
			subject = "Buku pinjaman rusak dan denda keterlambatan"
		}
		office := mailproc.AckData{
			Desk: full, Number: number, Kind: kind, KindLabel: kind.Label(),
			CitizenName: "Siti Rahmawati", CitizenAddr: "siti.rahmawati@gmail.com",
			OriginalSubject: subject,
			ReceivedAt:      mailproc.FormatWaktu(received, wib),
			Promise:         mailproc.FormatDurasi(promise),
			DueAt:           mailproc.FormatWaktu(received.Add(promise), wib),
		}
		after := office
		after.Desk, after.CitizenName, after.OriginalSubject = bare, "", ""
		after.CitizenAddr = "warga.kampar@yahoo.co.id"
		after.ReceivedAt = mailproc.FormatWaktu(late, wib)
		after.DueAt = mailproc.FormatWaktu(monday.Add(promise), wib)
		after.AfterHours = true
		return []sample{{"jam layanan, desk lengkap", office}, {"di luar jam layanan, tanpa nama dan subjek", after}}

	case mailproc.TemplateOpsQuarantine:
		q := mailproc.OpsQuarantineData{
			Desk: full, Mailbox: "INBOX", UID: 4711,
			MessageID: "CAF3x9q2k@mail.gmail.com", From: "budi.santoso@gmail.com",
			SHA256:      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			Size:        48213,
			ArchivePath: "data/archive/2026/11/27/9f86d081884c7d65.eml",
			Reason:      "tidak dapat dibaca: multipart: boundary tidak ditemukan",
			At:          mailproc.FormatWaktu(received, wib),
			Folder:      "Karantina",
		}
		unread := q
		unread.Desk, unread.MessageID, unread.From = bare, "", ""
		return []sample{{"pengirim terbaca", q}, {"pengirim tidak terbaca", unread}}

	case mailproc.TemplateOpsDeliveryFailed, mailproc.TemplateOpsBounce:
		bounce := name == mailproc.TemplateOpsBounce
		d := mailproc.OpsDeliveryData{
			Desk: full, Number: "ADU-2026-00007", Purpose: mailproc.PurposeAck,
			Recipients: []string{"siti.rahmawati@gmial.com"},
			Subject:    "[ADU-2026-00007] Tanda terima: Buku pinjaman rusak dan denda keterlambatan",
			MessageID:  "mailproc.ack.adu-2026-00007.5f2c9e0a1b3d4c6e8f7a9b0c1d2e3f40@pustakaarsip.kamparkab.go.id",
			Error:      "550 5.1.1 <siti.rahmawati@gmial.com>: Recipient address rejected: User unknown",
			Attempts:   1,
			At:         mailproc.FormatWaktu(received.Add(2*time.Minute), wib),
			Bounce:     bounce,
		}
		staff := d
		staff.Desk, staff.Number, staff.Purpose = bare, "", mailproc.PurposeOps
		staff.Recipients = []string{"operator.tik@pustakaarsip.kamparkab.go.id", "rina.marlina@pustakaarsip.kamparkab.go.id"}
		staff.Subject = "Email dikarantina dari budi.santoso@gmail.com (folder Karantina)"
		staff.Error, staff.Attempts = "452 4.2.2 Mailbox full", 12
		return []sample{{"tanda terima untuk warga", d}, {"tanpa kasus, untuk operator", staff}}
	}
	return nil
}
