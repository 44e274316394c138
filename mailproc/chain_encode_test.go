package mailproc_test

import (
	"strings"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestChainEncodingUnchanged: the hashes of stored rows never change with
// the code that computes them. These were computed by the first
// implementation (a []byte per value, the values collected in a slice).
func TestChainEncodingUnchanged(t *testing.T) {
	long := strings.Repeat("teks panjang \x00 é ", 300)
	for _, c := range []struct{ got, want string }{
		{mailproc.ChainDigest("a", int64(-5), nil, true, false, 7, []byte("b"), 3.5, "", long, struct{ X int }{3}),
			"bb3b74e41a2e809912ae5fe22f741d39b8bdb101f27c0e371c239c29c38fb1cd"},
		{mailproc.ChainLink(mailproc.ChainGenesis, []any{int64(1), nil, "in", true, int64(1 << 40)}, "d"),
			"1d3feec1d0e944b4c5bd2c4d905a7fb456265f48359d34919d470fab7a3ed76c"},
		{mailproc.ChainLink("", nil, ""), "030e9abedc2f83fa00c9b77aa49526315730a43177c6b5be141a263c2dfb6c1a"},
	} {
		if c.got != c.want {
			t.Errorf("hash %s, want %s", c.got, c.want)
		}
	}
}
