package main

import (
	"net"
	"testing"
	"time"
)

// startLatencyProxy forwards TCP connections to target, holding every chunk
// for delay in each direction: a link with a round trip of twice delay and
// no bandwidth limit, as between the desk and a mail server elsewhere. It
// returns the address to dial.
func startLatencyProxy(tb testing.TB, target string, delay time.Duration) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				u, err := net.Dial("tcp", target)
				if err != nil {
					c.Close()
					return
				}
				go delayCopy(u, c, delay)
				go delayCopy(c, u, delay)
			}()
		}
	}()
	return ln.Addr().String()
}

// delayCopy copies src to dst, each chunk written delay after it was read,
// in order. The end of src ends dst's writing; an error ends both.
func delayCopy(dst, src net.Conn, delay time.Duration) {
	type chunk struct {
		b  []byte
		at time.Time
	}
	ch := make(chan chunk, 4096)
	go func() {
		defer close(ch)
		for {
			buf := make([]byte, 64<<10)
			n, err := src.Read(buf)
			if n > 0 {
				ch <- chunk{buf[:n], time.Now().Add(delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range ch {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.b); err != nil {
			dst.Close()
			src.Close()
			return
		}
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
}

// The proxy delays what it carries by about its delay each way, and
// carries it whole.
func TestLatencyProxy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		buf := make([]byte, 5)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				c.Write(buf[:n])
			}
			if err != nil {
				c.Close()
				return
			}
		}
	}()
	const delay = 20 * time.Millisecond
	c, err := net.Dial("tcp", startLatencyProxy(t, ln.Addr().String(), delay))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	if _, err := c.Write([]byte("halo")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 0, 4)
	buf := make([]byte, 4)
	for len(got) < 4 {
		n, err := c.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[:n]...)
	}
	rtt := time.Since(start)
	if string(got) != "halo" || rtt < 2*delay || rtt > 2*delay+time.Second {
		t.Errorf("echo %q after %v; want %q after about %v", got, rtt, "halo", 2*delay)
	}
}
