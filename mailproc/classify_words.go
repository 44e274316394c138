package mailproc

// The classifier's lexicons: roots (matched after stems strips affixes, see
// morphology.go) and phrases (matched on the normalized text). Slang,
// colloquial and regional (Minang/Ocu, Javanese) spellings the desk's
// citizens write are listed next to the standard ones.

// complaintRoots are roots that say something went wrong.
var complaintRoots = set(
	// complaining itself
	"adu", "keluh", "komplain", "complain", "complaint", "protes", "kecewa", "sesal", "nyesel", "sebal", "sebel",
	"kesal", "kesel", "marah", "nesu", "capek", "cape", "pusing", "keberatan",
	// the state of things
	"rusak", "buruk", "jelek", "kotor", "jorok", "reged", "bau", "apek", "pesing", "debu", "berdebu", "bocor",
	"sobek", "patah", "goyang", "padam", "mati", "error", "eror", "gagal", "hilang", "ilang", "bahaya", "membahayakan",
	"berisik", "bising", "gelap", "mahal",
	// the way people were treated
	"kasar", "jutek", "cuek", "ketus", "galak", "bentak", "lambat", "lamban", "lelet", "lemot", "ribet",
	"belit", "sulit", "susah", "pingpong", "abai", "telantar", "terlantar", "tolak", "diskriminasi", "tipu",
	"bohong", "php", "curang", "permain", "lalai",
	// rhetorical markers: "kok gak dibales", "padahal jadwalnya buka"
	"kok", "padahal",
	// money where none is due
	"pungli", "pungut", "sogok", "suap", "imbalan",
	// English
	"rude", "dirty", "filthy", "broken", "disappointed", "disappointing", "unacceptable", "terrible", "awful",
	"poor", "worst", "ignored", "refused", "bribe", "illegal", "noisy", "missing", "failing", "frustrated",
	"angry", "unhelpful", "smell", "smells", "wrong",
)

// complaintPhrases are multi-word complaints, on the normalized text.
var complaintPhrases = []string{
	"pungutan liar", "uang rokok", "uang parkir", "tanpa karcis", "tanpa kuitansi", "tanpa pemberitahuan",
	"tanpa alasan", "tanpa kejelasan", "bolak balik", "bolak-balik", "lama sekali", "terlalu lama", "lama banget",
	"lama bener", "lama bgt", "lamo bana", "suwe banget", "kelamaan", "no response", "not working", "never came",
	"back and forth", "went missing", "even though", "nobody helped", "very bad", "slow response", "tidak kompeten",
	"masih tertutup", "masih tutup", "tidak masuk akal", "gak masuk akal", "ga masuk akal",
}

// positiveRoots are what a service should be or do: negated ("tidak
// puas", "belum dibalas", "gak dilayanin", "tidak ada tanggapan") they are a
// complaint.
var positiveRoots = set(
	"puas", "ramah", "layan", "tanggap", "balas", "bales", "respon", "respons", "response", "fungsi", "jelas",
	"sopan", "adil", "becus", "kompeten", "peduli", "datang", "dateng", "selesai", "kelar", "salasai", "proses",
	"baik", "bener", "benar", "ganti", "bantu", "jawab", "tanggung", "mili", "iso", "bisa", "kabar", "petugas",
	"kejelasan", "sesuai", "diganti", "aman", "nyaman", "responsif", "help", "helped", "working", "reply", "replied",
	"answer", "answered", "respond", "responded", "dilayani", "wonten",
	// usable, available: "tidak dapat digunakan", "tidak berjalan", "tidak tersedia"
	"guna", "pakai", "pake", "jalan", "sedia", "akses",
)

// negators say "not": standard, colloquial, regional and English.
var negators = set(
	"tidak", "tak", "tdk", "gak", "ga", "gk", "nggak", "ngga", "enggak", "engga", "kagak", "ndak", "nda",
	"indak", "ndak", "ora", "mboten", "belum", "blm", "alun", "bukan", "not", "no", "never", "dont", "didnt",
	"doesnt", "cant", "cannot", "wont", "isnt", "wasnt", "havent", "hasnt", "nobody", "nothing",
)

// negationFiller may stand between a negator and what it negates: "tidak
// ada tanggapan", "belum juga dibalas", "tidak kunjung diproses".
var negationFiller = set("ada", "ado", "wonten", "pernah", "kunjung", "juga", "sama", "di", "mau", "sempat",
	"dapet", "dapat", "yang", "been", "be", "get", "got", "any", "even", "sekali", "lagi", "dong")

// hypothetical words make what follows a worry, not a complaint: "takut
// ilang", "kalau telat".
var hypothetical = set("takut", "khawatir", "kalau", "kalo", "klo", "jika", "bila", "apabila", "if", "seandainya", "misal")

// infoRoots are roots of asking and requesting.
var infoRoots = set(
	"tanya", "nanya", "informasi", "info", "syarat", "cara", "caranya", "caronyo", "prosedur", "jadwal",
	"bagaimana", "gimana", "piye", "baa", "apakah", "apa", "apo", "menapa", "kapan", "dimana", "mana", "berapa",
	"brp", "barapo", "pinten", "bisakah", "boleh", "ingin", "pengen", "daftar", "mendaftar",
	"penjelasan", "pirso", "request",
	"question", "inquiry", "information", "how", "when", "where", "what", "which", "could", "can", "may",
	"does", "do", "is", "requirements", "procedure",
)

// infoPhrases are multi-word questions and requests.
var infoPhrases = []string{
	"mohon info", "mohon informasi", "jam buka", "jam layanan", "jam operasional", "ingin tahu", "ingin mengetahui",
	"mau tanya", "mau nanya", "mohon konfirmasi", "mohon penjelasan", "opening hours", "would like to", "is it possible", "nyuwun pirso",
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// The phrase lists as tally.phrases reads them.
var (
	complaintPhraseSet = newPhraseSet(complaintPhrases)
	infoPhraseSet      = newPhraseSet(infoPhrases)
)
