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

	case mailproc.TemplateNotify:
		n := sampleNotify(full, received)
		// A follow-up with only a photo: no name, no subject, no text.
		follow := n
		follow.Desk, follow.CitizenName, follow.Subject, follow.Text = bare, "", "", ""
		follow.FollowUp, follow.Attachments = true, n.Attachments[:1]
		follow.DueAt = "-" // a case already answered has nothing due
		reopened := n
		reopened.FollowUp, reopened.Reopened, reopened.Truncated, reopened.Attachments = true, true, true, nil
		reopened.Text = "Terima kasih atas jawabannya, tetapi denda masih tercantum di akun anggota saya per hari ini. Berikut riwayat pinjaman saya sejak Januari:\n1. Sejarah Kampar\n2. Adat Ocu"
		return []sample{{"kasus baru dengan lampiran", n}, {"pesan lanjutan berisi foto saja, tanpa nama dan subjek", follow}, {"dibuka kembali, teks dipotong", reopened}}

	case mailproc.TemplateAnswer:
		a := sampleAnswer(full)
		plain := mailproc.AnswerData{
			Desk: bare, Number: "INF-2026-00042", Kind: mailproc.KindInformasi, KindLabel: mailproc.KindInformasi.Label(),
			Answer: "Perpustakaan Daerah buka pada hari Sabtu pukul 08.00 sampai 14.00 WIB. Pada hari Minggu dan " +
				"hari libur nasional perpustakaan tutup.",
			StaffTitle: "Kepala Seksi Pelayanan", // a head signs with the title only
			Closed:     true, ReopenWindow: "14 hari",
		}
		return []sample{{"aduan dengan lampiran, oleh petugas", a}, {"informasi selesai, oleh pimpinan, tanpa nama dan subjek", plain}}

	case mailproc.TemplateConfirm:
		c := mailproc.ConfirmData{
			Desk: full, Number: "ADU-2026-00007", CitizenAddr: "siti.rahmawati@gmail.com",
			Answer:      sampleAnswer(full).Answer,
			Actions:     []string{"jawaban dikirim ke siti.rahmawati@gmail.com", "jenis kasus: Aduan"},
			Attachments: sampleAnswer(full).Attachments,
		}
		note := mailproc.ConfirmData{
			Desk: bare, Number: "INF-2026-00042", CitizenAddr: "warga.kampar@yahoo.co.id",
			Actions: []string{"catatan internal disimpan (tidak dikirim ke warga)"},
		}
		return []sample{{"jawaban terkirim", c}, {"hanya catatan", note}}

	case mailproc.TemplateHelp:
		h := mailproc.HelpData{Desk: full, Number: "ADU-2026-00007", Unknown: []string{"#selesaii", "#tutup"}, Commands: mailproc.Commands}
		general := mailproc.HelpData{Desk: bare, Problem: "balasan tidak berisi jawaban atau perintah", Commands: mailproc.Commands}
		return []sample{{"perintah tidak dikenal", h}, {"bantuan umum tanpa kasus", general}}

	case mailproc.TemplateOpsUnlinked:
		d := mailproc.OpsUnlinkedData{Desk: full, Since: mailproc.FormatWaktu(received.Add(-24*time.Hour), wib),
			Until: mailproc.FormatWaktu(received, wib), Mails: []mailproc.UnlinkedLine{
				{Received: mailproc.FormatWaktu(received.Add(-3*time.Hour), wib), From: "newsletter@toko.example", Subject: "Promo akhir tahun",
					Why: "email massal (Precedence: bulk)", MessageID: "promo-1@toko.example"},
				{Received: mailproc.FormatWaktu(received.Add(-time.Hour), wib), From: "MAILER-DAEMON@mx.example.id", Subject: "Undelivered Mail Returned to Sender",
					Why: "laporan pengiriman (DSN, multipart/report; report-type=delivery-status)", MessageID: "bounce-7@mx.example.id"},
			}}
		bare := d
		bare.Desk, bare.Mails = mailproc.Desk{Name: full.Name, Address: full.Address, Location: wib}, d.Mails[:1]
		return []sample{{"dua email", d}, {"satu email", bare}}

	case mailproc.TemplateOpsSpam:
		d := mailproc.OpsSpamData{
			Desk: full, Number: "ADU-2026-00007", Purpose: mailproc.PurposeAck,
			Addrs:     []string{"warga.kampar@yahoo.co.id"},
			Subject:   "[ADU-2026-00007] Tanda terima: Buku pinjaman rusak dan denda keterlambatan",
			MessageID: "mailproc.ack.adu-2026-00007.5f2c9e0a1b3d4c6e8f7a9b0c1d2e3f40@pustakaarsip.kamparkab.go.id",
			Reason:    "laporan spam (ARF, Feedback-Type: abuse)",
			At:        mailproc.FormatWaktu(received.Add(time.Hour), wib),
		}
		none := d
		none.Desk, none.Number = bare, ""
		return []sample{{"pada kasus", d}, {"tanpa kasus", none}}

	case mailproc.TemplateOpsForgery:
		f := mailproc.OpsForgeryData{
			Desk: full, Number: "ADU-2026-00007", From: "rina.marlina@pustakaarsip.kamparkab.go.id",
			Subject:   "Re: [ADU-2026-00007] Kasus baru: Buku pinjaman rusak dan denda keterlambatan",
			MessageID: "20261127071502.4F2A1C0042@mail.pustakaarsip.kamparkab.go.id",
			Reason:    "pengirim tidak terverifikasi (DKIM/SPF): mail.pustakaarsip.kamparkab.go.id: dkim=fail for pustakaarsip.kamparkab.go.id, spf=softfail for pustakaarsip.kamparkab.go.id",
			At:        mailproc.FormatWaktu(received.Add(15*time.Minute), wib),
		}
		unknown := f
		unknown.Desk, unknown.Number, unknown.MessageID = bare, "", ""
		unknown.Reason = "tidak membalas notifikasi, eskalasi atau konfirmasi yang sah dari sistem (token tidak ada atau tidak cocok)"
		return []sample{{"DKIM/SPF gagal pada kasus", f}, {"tanpa kasus dan Message-ID", unknown}}

	case mailproc.TemplateEscalation:
		e := mailproc.EscalationData{
			Desk: full, Number: "ADU-2026-00007", KindLabel: mailproc.KindAduan.Label(),
			CitizenName: "Siti Rahmawati", CitizenAddr: "siti.rahmawati@gmail.com",
			Subject:    "Buku pinjaman rusak dan denda keterlambatan",
			ReceivedAt: mailproc.FormatWaktu(received, wib), DueAt: mailproc.FormatWaktu(received.Add(time.Hour), wib),
			Late: "12 menit", Level: 2, Title: "Kepala Bagian Pelayanan", HeadName: "Drs. H. Ahmad Yani, M.Si.",
			Text:     "Saya dikenakan denda untuk buku yang sudah rusak sebelum saya pinjam.",
			Told:     []string{"Kepala Seksi Pelayanan (kasi.pelayanan@pustakaarsip.kamparkab.go.id)"},
			Commands: mailproc.Commands,
			History:  []string{"27-11 14.00  dibuat  siti.rahmawati@gmail.com: kasus dibuat dari email", "27-11 15.00  eskalasi  sistem: tingkat 1 diberi tahu"},
		}
		asked := e
		asked.Desk, asked.Level, asked.Title, asked.HeadName, asked.Late, asked.Told = bare, 1, "Kepala Seksi Pelayanan", "", "", nil
		asked.RequestedBy, asked.Reason, asked.Subject = "rina.marlina@pustakaarsip.kamparkab.go.id", "mohon arahan", ""
		return []sample{{"batas waktu lewat, tingkat 2", e}, {"diminta petugas, tingkat 1", asked}}

	case mailproc.TemplateEscalationDigest:
		d := mailproc.EscalationDigestData{Desk: full, Level: 1, Title: "Kepala Seksi Pelayanan",
			Cases: []mailproc.DigestLine{
				{Number: "ADU-2026-00007", KindLabel: "Aduan", CitizenAddr: "siti.rahmawati@gmail.com", Subject: "Buku rusak",
					DueAt: mailproc.FormatWaktu(received.Add(time.Hour), wib), Late: "2 jam"},
				{Number: "INF-2026-00042", KindLabel: "Permintaan Informasi", CitizenAddr: "budi@yahoo.co.id",
					DueAt: mailproc.FormatWaktu(received.Add(5*time.Minute), wib), Late: "3 jam"},
			}}
		return []sample{{"dua kasus", d}}

	case mailproc.TemplateReminder:
		r := mailproc.ReminderData{Desk: full, Number: "ADU-2026-00007", KindLabel: "Aduan", CitizenAddr: "siti.rahmawati@gmail.com",
			Subject: "Buku rusak", DueAt: mailproc.FormatWaktu(received.Add(time.Hour), wib), Left: "12 menit", Commands: mailproc.Commands}
		noSubject := r
		noSubject.Desk, noSubject.Subject = bare, ""
		return []sample{{"dengan subjek", r}, {"tanpa subjek", noSubject}}

	case mailproc.TemplateClosing:
		c := mailproc.ClosingData{Desk: full, Number: "INF-2026-00042", KindLabel: "Permintaan Informasi", CitizenName: "Siti Rahmawati",
			OriginalSubject: "Jam buka perpustakaan hari Sabtu", ReopenWindow: "14 hari",
			Labels: []string{"1 = sangat tidak puas", "2 = tidak puas", "3 = puas", "4 = sangat puas"}}
		bareClosing := c
		bareClosing.Desk, bareClosing.CitizenName, bareClosing.OriginalSubject = bare, "", ""
		return []sample{{"lengkap", c}, {"tanpa nama dan subjek", bareClosing}}

	case mailproc.TemplateOpsDigest:
		d := mailproc.OpsDigestData{Desk: full, Kind: mailproc.TemplateOpsForgery, Count: 2, Notices: []mailproc.OpsDigestLine{
			{N: 1, At: mailproc.FormatWaktu(received, wib), Subject: "Balasan petugas ditolak: rina.marlina@pustakaarsip.kamparkab.go.id",
				Text: "Sebuah email yang mengaku sebagai balasan petugas tidak dapat diverifikasi.\nAlasan: token tidak ada"},
			{N: 2, At: mailproc.FormatWaktu(received.Add(time.Minute), wib), Subject: "Balasan petugas ditolak: ahmad.fauzi@pustakaarsip.kamparkab.go.id"},
		}}
		return []sample{{"dua pemberitahuan, satu tanpa teks", d}}

	case mailproc.TemplateOpsAckBudget:
		a := mailproc.OpsAckBudgetData{Desk: full, PerHour: 30, Until: mailproc.FormatWaktu(received.Add(time.Hour), wib),
			At: mailproc.FormatWaktu(received, wib)}
		return []sample{{"batas tercapai", a}}
	}
	return nil
}

// sampleNotify is the notification of a new complaint with two
// attachments, one of them too large to attach.
func sampleNotify(desk mailproc.Desk, received time.Time) mailproc.NotifyData {
	return mailproc.NotifyData{
		Desk: desk, Number: "ADU-2026-00007", Kind: mailproc.KindAduan, KindLabel: mailproc.KindAduan.Label(),
		CitizenName: "Siti Rahmawati", CitizenAddr: "siti.rahmawati@gmail.com",
		Subject:    "Buku pinjaman rusak dan denda keterlambatan",
		ReceivedAt: mailproc.FormatWaktu(received, wib),
		DueAt:      mailproc.FormatWaktu(received.Add(time.Hour), wib),
		Promise:    mailproc.FormatDurasi(time.Hour),
		Text: "Selamat siang,\n\nSaya meminjam buku \"Sejarah Kampar\" tanggal 10 November. Waktu dibawa pulang ternyata " +
			"beberapa halamannya sudah sobek, dan sekarang saya dikenakan denda keterlambatan Rp 15.000 karena " +
			"petugas meminta buku diganti dulu.\n\nMohon penjelasannya.\n\nSiti Rahmawati\nBangkinang",
		Attachments: []mailproc.AttachmentLine{
			{Filename: "foto-halaman-sobek.jpg", ContentType: "image/jpeg", Size: "1,2 MB", Attached: true},
			{Filename: "video-buku.mp4", ContentType: "video/mp4", Size: "38,5 MB", Attached: false},
		},
		Commands: mailproc.Commands,
	}
}

// sampleAnswer is a staff member's answer to that complaint, with the
// attachment they added.
func sampleAnswer(desk mailproc.Desk) mailproc.AnswerData {
	return mailproc.AnswerData{
		Desk: desk, Number: "ADU-2026-00007", Kind: mailproc.KindAduan, KindLabel: mailproc.KindAduan.Label(),
		CitizenName:     "Siti Rahmawati",
		OriginalSubject: "Buku pinjaman rusak dan denda keterlambatan",
		ReopenWindow:    "14 hari",
		Answer: "Mohon maaf atas ketidaknyamanannya, Ibu Siti.\n\nKerusakan buku \"Sejarah Kampar\" sudah tercatat sejak " +
			"sebelum dipinjamkan, sehingga denda Rp 15.000 kami batalkan. Ibu dapat mengembalikan buku tersebut " +
			"di loket sirkulasi lantai 1 tanpa biaya.\n\nSurat pembatalan denda kami lampirkan.",
		StaffName:  "Rina Marlina",
		StaffTitle: "Petugas Layanan Informasi",
		Attachments: []mailproc.AttachmentLine{
			{Filename: "surat-pembatalan-denda.pdf", ContentType: "application/pdf", Size: "240 KB", Attached: true},
		},
	}
}
