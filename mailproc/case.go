package mailproc

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Kind is what a citizen's mail asks for. The service standard gives each
// kind its own promise: informasi (information request) is answered within
// 5 minutes, aduan (complaint) needs follow-up (tindak lanjut) within 1 hour.
type Kind string

const (
	KindInformasi Kind = "informasi"
	KindAduan     Kind = "aduan"
)

// Valid reports whether k is one of the two kinds the desk knows.
func (k Kind) Valid() bool { return k == KindInformasi || k == KindAduan }

// Prefix is the registration-number prefix of the kind.
func (k Kind) Prefix() string {
	if k == KindAduan {
		return "ADU"
	}
	return "INF"
}

// Label is the Indonesian word a citizen reads for the kind.
func (k Kind) Label() string {
	if k == KindAduan {
		return "Aduan"
	}
	return "Permintaan Informasi"
}

// State is where a case stands. The words are the ones the desk uses.
type State string

const (
	StateBaru       State = "baru"       // new, not yet acknowledged
	StateDiakui     State = "diakui"     // acknowledged (tanda terima sent)
	StateDijawab    State = "dijawab"    // answered by staff or a head
	StateSelesai    State = "selesai"    // closed
	StateDieskalasi State = "dieskalasi" // overdue and forwarded up the chain of heads
)

// Open reports whether the case still needs the desk's attention.
func (s State) Open() bool { return s != StateSelesai }

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	switch s {
	case StateBaru, StateDiakui, StateDijawab, StateSelesai, StateDieskalasi:
		return true
	}
	return false
}

// Case (kasus) is one information request or complaint, with a registration
// number a person can read aloud on the phone.
type Case struct {
	ID              int64
	Number          string // INF-2026-00042, ADU-2026-00007
	Kind            Kind
	State           State
	EscalationLevel int // 0 while no head has been told
	CitizenAddr     string
	CitizenName     string
	Subject         string // the subject of the mail that opened the case
	OpenedAt        time.Time
	DueAt           time.Time // the promised time; zero when nothing is due
	// EscalateAt is when the next head of the chain is told if the case is
	// still unanswered: DueAt for the first head, then each level's time
	// later. Zero when no escalation is pending (answered, closed, or the
	// chain is exhausted). It lives in the database, so a restart keeps it.
	EscalateAt time.Time
	// RemindAt is when staff get one reminder, at a fraction of the time to
	// the deadline, before any head is involved. Zero: none pending.
	RemindAt      time.Time
	FirstAnswerAt time.Time // zero until answered
	ClosedAt      time.Time // zero while open
	LinkedCaseID  int64     // an earlier case this one continues; 0 if none
	// NeedsFollowUp (tindak lanjut) keeps the case open after an answer,
	// on the complaint clock: staff set it with #tindaklanjut.
	NeedsFollowUp bool
	// Verdict is the judgement of the first answer, made once when it is
	// known (see verdict.go); the month report reads it.
	Verdict   Verdict
	UpdatedAt time.Time
	// ReplyAddr is where acknowledgements and answers go when the mail
	// that opened the case named a Reply-To other than its From; "" when
	// they go to CitizenAddr.
	ReplyAddr string
	// Channel is how the contact reached the desk (kanal): ChannelEmail
	// for a case opened by mail, another for one staff registered (#kanal).
	Channel Channel
	// Contact is the telephone number or handle of a contact registered
	// from another channel (Kontak:); "" for a case opened by mail.
	Contact string
}

// ReplyAddress is where the desk writes to the citizen of c: the Reply-To
// of the mail that opened it, else the citizen's own address.
func (c *Case) ReplyAddress() string {
	if c.ReplyAddr != "" {
		return c.ReplyAddr
	}
	return c.CitizenAddr
}

// Event is one line of a case's log: who did what, when and why. Nothing
// about a case changes without one, so the timeline can always be replayed.
type Event struct {
	ID        int64
	CaseID    int64
	At        time.Time
	Actor     string // "sistem", or the e-mail address of whoever acted
	Type      EventType
	Detail    string
	MessageID int64 // the stored message this event is about; 0 if none
}

// EventType names what happened on a case.
type EventType string

const (
	EventCreated   EventType = "dibuat"           // case opened from a mail
	EventMessage   EventType = "pesan_masuk"      // a mail joined the case
	EventKind      EventType = "jenis"            // kind decided or changed, with the reason
	EventReopened  EventType = "dibuka_kembali"   // a closed case got a new mail within the window
	EventLinked    EventType = "tautan"           // this case continues an older one
	EventState     EventType = "status"           // any other state change
	EventDuplicate EventType = "salinan_ganda"    // a copy of an already stored mail arrived
	EventNote      EventType = "catatan"          // internal note
	EventAck       EventType = "tanda_terima"     // acknowledgement queued or refused
	EventDelivery  EventType = "gagal_kirim"      // a mail we sent could not be delivered
	EventAnswer    EventType = "jawaban"          // an answer reached the citizen
	EventEscalated EventType = "eskalasi"         // a head was told
	EventRejected  EventType = "balasan_ditolak"  // a reply claiming to be staff failed verification
	EventCommand   EventType = "perintah"         // a staff command was applied
	EventReminder  EventType = "pengingat"        // staff were reminded before the deadline
	EventRating    EventType = "penilaian"        // the citizen rated the service (IKM)
	EventClaim     EventType = "klaim_jawaban"    // a direct answer that could not be verified: the case stays open
	EventRevoked   EventType = "token_dicabut"    // a staff token was seen outside the desk and stopped working
	EventHeld      EventType = "jawaban_ditahan"  // a staff answer still quoted internal mail: not relayed
	EventRead      EventType = "dibaca"           // a read receipt (MDN) for a mail we sent
	EventAutoReply EventType = "balasan_otomatis" // an auto-reply (vacation, out of office) to a mail we sent
	EventSpam      EventType = "laporan_spam"     // a recipient reported a mail we sent as spam (ARF)
	EventRobot     EventType = "email_otomatis"   // other robot mail referring to the case
	EventVerdict   EventType = "putusan"          // the first answer was judged (Verdict.Detail), in the hash chain
)

// ActorSystem is the actor of events mailproc causes by itself.
const ActorSystem = "sistem"

// FormatNumber renders a registration number, e.g. ADU-2026-00007.
func FormatNumber(k Kind, year, seq int) string {
	return fmt.Sprintf("%s-%04d-%05d", k.Prefix(), year, seq)
}

var numberRE = regexp.MustCompile(`(?i)\b(INF|ADU)-(\d{4})-(\d{5,9})\b`)

// FindNumber returns the first registration number written in s (usually a
// subject), in canonical upper case, or "" if there is none. Mail clients and
// people keep "[ADU-2026-00007]" in a reply's subject; some lower-case it.
func FindNumber(s string) string {
	m := numberRE.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return strings.ToUpper(m[1]) + "-" + m[2] + "-" + m[3]
}

var typedNumberRE = regexp.MustCompile(`(?i)^\[?\s*(INF|ADU)\s*-\s*(\d{4})\s*-\s*0*(\d{1,9})\s*\]?$`)

// NormalizeNumber reads a registration number as a person types it on the
// command line ("inf-2026-2", "[ADU-2026-00007]") and returns it in its
// canonical form (INF-2026-00002).
func NormalizeNumber(s string) (string, error) {
	m := typedNumberRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", fmt.Errorf("nomor registrasi %q tidak dikenal (contoh: INF-2026-00042)", s)
	}
	k := KindInformasi
	if strings.EqualFold(m[1], "ADU") {
		k = KindAduan
	}
	year, _ := strconv.Atoi(m[2])
	seq, _ := strconv.Atoi(m[3])
	return FormatNumber(k, year, seq), nil
}

// ParseNumber splits a registration number into its parts.
func ParseNumber(s string) (k Kind, year, seq int, err error) {
	m := numberRE.FindStringSubmatch(s)
	if m == nil || m[0] != s {
		return "", 0, 0, fmt.Errorf("nomor registrasi %q tidak dikenal (contoh: INF-2026-00042)", s)
	}
	k = KindInformasi
	if strings.EqualFold(m[1], "ADU") {
		k = KindAduan
	}
	year, _ = strconv.Atoi(m[2])
	seq, _ = strconv.Atoi(m[3])
	return k, year, seq, nil
}
