package mime

import (
	"fmt"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// sniffSamples are short texts a citizen might write, each in a language
// whose mail arrives without a charset label. Written for this test.
var sniffSamples = []struct {
	charset string
	enc     encoding.Encoding
	texts   []string
}{
	{"windows-1252", charmap.Windows1252, []string{
		"Señor, estoy buscando los archivos coloniales de mi abuelo José.",
		"Bonjour, je voudrais savoir à quelle heure ouvre la bibliothèque, s'il vous plaît.",
		"Guten Tag, ich möchte gern wissen, ob die Bibliothek am Samstag geöffnet ist.",
		"Saya sudah datang ke perpustakaan tapi kafénya tutup – “mohon” dicek.",
		"Obrigado pela resposta, a coleção de mapas é muito interessante.",
		"Café",
	}},
	{"koi8-r", charmap.KOI8R, []string{
		"Здравствуйте, я хотел бы узнать, когда открыта библиотека.",
		"Спасибо за ответ, мы приедем в субботу с детьми.",
		"Прошу прислать копию архивного документа о рождении моего деда.",
		"Привет",
	}},
	{"windows-1251", charmap.Windows1251, []string{
		"Здравствуйте, я хотел бы узнать, когда открыта библиотека.",
		"Спасибо за ответ, мы приедем в субботу с детьми.",
		"Прошу прислать копию архивного документа о рождении моего деда.",
		"Привет",
	}},
	{"big5", traditionalchinese.Big5, []string{
		"您好，我想知道圖書館星期六是否開放，謝謝。",
		"我們是學校的老師，想帶學生來參觀，請問需要什麼手續？",
		"這本書的狀況不好，有很多頁都破了。",
	}},
	{"gb18030", simplifiedchinese.GBK, []string{
		"您好，我想知道图书馆星期六是否开放，谢谢。",
		"我们是学校的老师，想带学生来参观，请问需要什么手续？",
		"这本书的状况不好，有很多页都破了。",
	}},
	{"shift_jis", japanese.ShiftJIS, []string{
		"こんにちは、図書館は土曜日に開いていますか。",
		"古い地図の資料を見たいのですが、予約は必要ですか。",
	}},
	{"euc-kr", korean.EUCKR, []string{
		"안녕하세요, 도서관은 토요일에도 문을 여나요?",
		"자료를 보고 싶은데 예약이 필요한가요?",
	}},
}

// TestSniffCharset measures the detector: every sample encoded in its
// charset, read back without a label. It fails below 90% right; -v prints
// the figure per charset (docs/benchmarks.md).
func TestSniffCharset(t *testing.T) {
	right, total := 0, 0
	for _, cs := range sniffSamples {
		ok := 0
		for _, text := range cs.texts {
			b, err := cs.enc.NewEncoder().Bytes([]byte(text))
			if err != nil {
				t.Fatalf("%s: encode %q: %v", cs.charset, text, err)
			}
			name, got := sniffCharset(b)
			// Windows-1251 and KOI8-R differ; GBK text may be named
			// GB18030, its superset.
			if name == cs.charset && got == text {
				ok++
			} else {
				t.Logf("%s read as %s: %q", cs.charset, name, got)
			}
		}
		fmt.Printf("sniff %-12s %d/%d\n", cs.charset, ok, len(cs.texts))
		right, total = right+ok, total+len(cs.texts)
	}
	fmt.Printf("sniff total        %d/%d\n", right, total)
	if float64(right) < 0.9*float64(total) {
		t.Errorf("%d of %d samples read right, want at least 90%%", right, total)
	}
}

func BenchmarkSniffCharset(b *testing.B) {
	raw, _ := charmap.KOI8R.NewEncoder().Bytes([]byte("Здравствуйте, я хотел бы узнать, когда открыта библиотека. " +
		"Спасибо за ответ, мы приедем в субботу с детьми."))
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		sniffCharset(raw)
	}
}
