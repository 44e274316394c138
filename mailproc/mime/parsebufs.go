package mime

import (
	"bufio"
	"io"
	"sync"
)

// parseBufs are the two large buffers of one Parse call: the 64 KiB line
// reader over the mail and the decoders' scratch. Intake parses every mail
// of a batch in turn, and allocating ~96 KiB for each was a tenth of its
// CPU time in garbage collection; Parse takes them from a pool and gives
// them back when it returns. Nothing Parse returns points into them (the
// Message holds only strings and copies). OpenPart keeps its own: the part
// it returns goes on reading through the line reader.
type parseBufs struct {
	br      *bufio.Reader
	scratch []byte
}

var parseBufPool = sync.Pool{New: func() any {
	return &parseBufs{br: bufio.NewReaderSize(nil, 64<<10), scratch: make([]byte, decodeBufSize)}
}}

// getParseBufs returns pooled buffers with the line reader reading r.
func getParseBufs(r io.Reader) *parseBufs {
	b := parseBufPool.Get().(*parseBufs)
	b.br.Reset(r)
	return b
}

// put returns b to the pool, dropping its reader so that the pool keeps no
// mail's source alive.
func (b *parseBufs) put() {
	b.br.Reset(nil)
	parseBufPool.Put(b)
}
