package mailproc

import "strings"

// registerContact opens the case of a verified #kanal registration: number,
// kind, deadline and escalation as for a mail, from the time of contact.
// The citizen gets the acknowledgement when the registration names an
// e-mail address; staff are notified as of any new case, and the sender
// gets a confirmation with the number to tell the citizen.
func (in *Ingester) registerContact(tx IntakeTx, msg *Message, v StaffVerdict, reg Registration) (IngestResult, bool, error) {
	now := in.now()
	// The citizen's view of the mail: their name and address, their
	// words. It is what the notification and acknowledgement are made
	// from; SyntheticID keeps the acknowledgement out of the staff
	// member's thread.
	view := *msg
	view.From, view.ReplyTo, view.Sender = Address{Name: reg.Name, Addr: reg.Email}, nil, Address{}
	view.Text, view.SyntheticID, view.References, view.InReplyTo = reg.Text, true, nil, nil
	opened := reg.ContactTime(msg.Date, now, in.location())
	view.Delivery.Arrived = opened

	kind, why := reg.Kind, "ditetapkan petugas"
	if kind == "" {
		cl := Classify(msg.Subject, reg.Text)
		kind, why = cl.Kind, cl.Reason
	}
	year := opened.In(in.location()).Year()
	seq, err := tx.NextSequence(kind, year)
	if err != nil {
		return IngestResult{}, false, err
	}
	c := &Case{
		Number: FormatNumber(kind, year, seq), Kind: kind, State: StateBaru,
		CitizenAddr: reg.Email, CitizenName: reg.Name, Contact: reg.Contact, Channel: reg.Channel,
		Subject: msg.Subject, OpenedAt: opened, DueAt: in.Clock.Due(kind, opened), UpdatedAt: now,
	}
	c.EscalateAt = c.DueAt
	in.Escalator.ScheduleReminder(c, opened)
	if err := tx.CreateCase(c); err != nil {
		return IngestResult{}, false, err
	}
	if err := tx.InsertMessage(msg, c.ID); err != nil {
		return IngestResult{}, false, err
	}
	events := []*Event{
		{Type: EventCreated, Actor: msg.From.Addr, Detail: "kasus didaftarkan petugas dari kanal " + string(reg.Channel) +
			"; waktu kontak " + FormatWaktu(opened, in.location()) + " (bukti: " + string(v.Proof) + ")"},
		{Type: EventKind, Actor: ActorSystem, Detail: string(kind) + ": " + why},
	}
	actions := []string{"kasus " + c.Number + " (" + kind.Label() + ") didaftarkan dari kanal " + string(reg.Channel) +
		"; batas waktu " + FormatWaktu(c.DueAt, in.location())}
	if reg.Email != "" {
		ev, _, err := in.acknowledge(tx, &view, c, now)
		if err != nil {
			return IngestResult{}, false, err
		}
		events = append(events, ev)
		actions = append(actions, strings.TrimPrefix(ev.Detail, "tanda terima "))
	} else {
		events = append(events, &Event{Type: EventAck, Actor: ActorSystem, Detail: "tanda terima tidak dikirim: warga tanpa alamat email; nomor disampaikan petugas"})
		actions = append(actions, "warga tanpa alamat email: sampaikan nomor "+c.Number+" kepada warga melalui "+string(reg.Channel))
	}
	if len(in.Composer.Staff) > 0 {
		n, err := in.Composer.Notify(&view, c, false, false)
		if err != nil {
			return IngestResult{}, false, err
		}
		if err := tx.EnqueueMail(n); err != nil {
			return IngestResult{}, false, err
		}
	}
	confirm, err := in.Composer.Confirm(c, msg, "", actions)
	if err != nil {
		return IngestResult{}, false, err
	}
	if err := tx.EnqueueMail(confirm); err != nil {
		return IngestResult{}, false, err
	}
	for _, e := range events {
		e.CaseID, e.At, e.MessageID = c.ID, now, msg.ID
		if err := tx.AddEvent(e); err != nil {
			return IngestResult{}, false, err
		}
	}
	if err := tx.RecordDelivery(msg.Delivery, msg.ID, Stored); err != nil {
		return IngestResult{}, false, err
	}
	return IngestResult{Disposition: Stored, CaseID: c.ID, CaseNumber: c.Number, Action: ActionNewCase,
		Reason: "didaftarkan dari kanal " + string(reg.Channel) + " (bukti: " + string(v.Proof) + ")"}, true, nil
}

// registrationHelp answers a malformed #kanal mail with the syntax; the
// mail is kept on no case and nothing is registered.
func (in *Ingester) registrationHelp(tx IntakeTx, msg *Message, problem string) (IngestResult, bool, error) {
	if err := tx.InsertMessage(msg, 0); err != nil {
		return IngestResult{}, false, err
	}
	help, err := in.Composer.Help(nil, msg, nil, "pendaftaran #kanal tidak dapat diproses: "+problem+
		". Tidak ada yang didaftarkan.\n\nCara menulis pendaftaran (email baru ke alamat desk):\n"+RegistrationSyntax)
	if err != nil {
		return IngestResult{}, false, err
	}
	if err := tx.EnqueueMail(help); err != nil {
		return IngestResult{}, false, err
	}
	if err := tx.RecordDelivery(msg.Delivery, msg.ID, Stored); err != nil {
		return IngestResult{}, false, err
	}
	return IngestResult{Disposition: Stored, Reason: "pendaftaran #kanal salah: " + problem}, true, nil
}
