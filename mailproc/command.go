package mailproc

// CommandName is a staff command: a line starting with "#" at the top of a
// reply. The Indonesian name is the one staff use; each has an English alias.
type CommandName string

const (
	CmdCatatan      CommandName = "catatan"      // internal note; nothing goes to the citizen
	CmdSelesai      CommandName = "selesai"      // close the case
	CmdAduan        CommandName = "aduan"        // the case is a complaint
	CmdInformasi    CommandName = "informasi"    // the case is an information request
	CmdEskalasi     CommandName = "eskalasi"     // escalate to the next head now
	CmdTindaklanjut CommandName = "tindaklanjut" // needs follow-up: keep open on the complaint clock
)

// Command is one parsed command with the rest of its line (the note of
// #catatan, a reason for the others).
type Command struct {
	Name CommandName
	Arg  string
}

// CommandHelp is one line of the command list staff see.
type CommandHelp struct {
	Command string // "#catatan"
	Alias   string // "#note"
	Meaning string // in Indonesian
}

// Commands is the command list, in the order staff see it.
var Commands = []CommandHelp{
	{"#catatan", "#note", "catatan internal; tidak dikirim ke warga"},
	{"#selesai", "#close", "tutup kasus"},
	{"#aduan", "#complaint", "ubah jenis menjadi aduan (batas waktu dihitung ulang)"},
	{"#informasi", "#info", "ubah jenis menjadi permintaan informasi (batas waktu dihitung ulang)"},
	{"#eskalasi", "#escalate", "teruskan segera ke pimpinan berikutnya"},
	{"#tindaklanjut", "#followup", "perlu tindak lanjut: kasus tetap terbuka dengan batas waktu aduan"},
}
