package mailproc_test
import ("testing";"os";"github.com/dpk-kampar/mailproc/mailproc")
func TestDump(t *testing.T){
 for name, m := range replyFixtures(t) { if name != os.Getenv("FX") {continue}
  t.Logf("TEXT:\n%s\n=== OUT:\n%s", m.Text, mailproc.StripQuote(m.Text)) }
}
