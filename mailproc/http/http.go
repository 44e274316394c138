// Package http is the desk's operations endpoint: /healthz for Docker and the
// monitoring, /metrics in the Prometheus text format, and a read-only status
// page (halaman status) for the desk's supervisors.
//
// It wraps net/http and github.com/prometheus/client_golang and imports only
// the domain package besides. The daemon hands it two functions — Health and
// Stats — and calls ObserveIngest per mail; the package reads nothing itself.
//
// Bound to loopback (127.0.0.0/8, ::1, localhost) it may run without a
// password. Bound anywhere else it refuses to start without a username and
// password, and then asks for them (HTTP basic auth) on every page except
// /healthz, which tells only "ok" or the reason it is not.
package http

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	nethttp "net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// Server serves the endpoint. Set the fields, then call Open; Close stops
// it. Handler may be used without Open (tests, or another mux).
type Server struct {
	// Addr is host:port to listen on; "" disables the endpoint. ":0" picks
	// a free port (tests); Addr() then tells which.
	Addr string
	// Username and Password protect everything but /healthz. Required when
	// Addr is not loopback; when set they are required on loopback too.
	Username, Password string
	// StatusUsername and StatusPassword, when set, open the status page
	// only (a read-only login for the heads), never /metrics.
	StatusUsername, StatusPassword string
	// Health reports whether the desk is working: ok, or why not (in a few
	// words, no secrets, no mail content). nil: always ok.
	Health func() (ok bool, reason string)
	// Stats reads the desk's figures for /metrics and the status page.
	Stats  func(ctx context.Context) (Stats, error)
	Logger *slog.Logger // nil: discard
	// Agency and DeskName head the status page (desk.agency, desk.name).
	Agency, DeskName string

	once     sync.Once
	registry *prometheus.Registry
	ingest   prometheus.Histogram
	handler  nethttp.Handler

	ln  net.Listener
	srv *nethttp.Server
	wg  sync.WaitGroup
}

// ErrNoAuth is returned by Open for a non-loopback address without a
// username and password.
var ErrNoAuth = errors.New("http: a username and password are required when the endpoint is not bound to loopback")

// Open checks the configuration and starts listening. With Addr "" it does
// nothing.
func (s *Server) Open() error {
	if s.Addr == "" {
		return nil
	}
	if _, err := authRequired(s.Addr, s.Username, s.Password); err != nil {
		return err
	}
	s.init()
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("http: listen: %w", err)
	}
	s.ln = ln
	s.srv = &nethttp.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log().Handler(), slog.LevelWarn),
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, nethttp.ErrServerClosed) {
			s.log().Error("http: serve", "err", err)
		}
	}()
	s.log().Info("http endpoint listening", "addr", ln.Addr().String(), "auth", s.Username != "")
	return nil
}

// ListenAddr returns the address the server listens on ("" before Open or when
// disabled): with Addr ":0", the port that was picked.
func (s *Server) ListenAddr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops the server, giving requests in flight a few seconds.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, s.srv.Close())
	}
	s.wg.Wait()
	s.srv, s.ln = nil, nil
	if err != nil {
		return fmt.Errorf("http: close: %w", err)
	}
	return nil
}

// ObserveIngest records how long one mail took to ingest. Safe to call from
// any goroutine, before or without Open.
func (s *Server) ObserveIngest(d time.Duration) {
	s.init()
	s.ingest.Observe(d.Seconds())
}

// Handler returns the endpoint's routes: /healthz, /metrics and the status
// page at /.
func (s *Server) Handler() nethttp.Handler {
	s.init()
	return s.handler
}

func (s *Server) init() {
	s.once.Do(func() {
		s.registry = prometheus.NewRegistry()
		s.ingest = newIngestHistogram()
		s.registry.MustRegister(
			collector{s},
			s.ingest,
			collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		)
		metrics := promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{
			ErrorLog:      slog.NewLogLogger(s.log().Handler(), slog.LevelError),
			ErrorHandling: promhttp.ContinueOnError,
		})

		mux := nethttp.NewServeMux()
		mux.HandleFunc("GET /healthz", s.healthz)
		mux.Handle("GET /metrics", s.auth(metrics, false))
		mux.Handle("GET /{$}", s.auth(nethttp.HandlerFunc(s.status), true))
		s.handler = mux
	})
}

func (s *Server) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return s.Logger
}

// healthz answers 200 "ok" or 503 with the reason. It needs no password
// (Docker's HEALTHCHECK has none) and so tells nothing else.
func (s *Server) healthz(w nethttp.ResponseWriter, r *nethttp.Request) {
	ok, reason := true, ""
	if s.Health != nil {
		ok, reason = s.Health()
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		if reason == "" {
			reason = "not healthy"
		}
		w.WriteHeader(nethttp.StatusServiceUnavailable)
		fmt.Fprintln(w, reason)
		return
	}
	fmt.Fprintln(w, "ok")
}

// auth asks for the username and password when they are configured; with
// status, the read-only status login is accepted too.
func (s *Server) auth(next nethttp.Handler, status bool) nethttp.Handler {
	if s.Username == "" && s.Password == "" {
		return next
	}
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		user, pass, ok := r.BasicAuth()
		full := ok && credentialsMatch(user, pass, s.Username, s.Password)
		heads := ok && status && s.StatusUsername != "" && credentialsMatch(user, pass, s.StatusUsername, s.StatusPassword)
		if !full && !heads {
			if ok {
				s.log().Warn("http: wrong credentials", "remote", r.RemoteAddr, "path", r.URL.Path)
			}
			w.Header().Set("WWW-Authenticate", `Basic realm="mailproc", charset="UTF-8"`)
			nethttp.Error(w, "perlu masuk (login)", nethttp.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// credentialsMatch compares both fields in constant time, and both always,
// so neither a wrong username nor a wrong password answers faster.
func credentialsMatch(user, pass, wantUser, wantPass string) bool {
	u := subtle.ConstantTimeCompare([]byte(user), []byte(wantUser))
	p := subtle.ConstantTimeCompare([]byte(pass), []byte(wantPass))
	return u&p == 1
}

// authRequired decides whether addr needs basic auth: yes when it is not
// loopback ("" host, i.e. all interfaces, is not), or when credentials are
// configured anyway. A non-loopback address without both a username and a
// password is an error.
func authRequired(addr, user, pass string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("http: listen address %q: %w", addr, err)
	}
	if (user == "") != (pass == "") {
		return false, errors.New("http: set both a username and a password, or neither")
	}
	if !mailproc.IsLoopback(host) {
		if user == "" {
			return false, fmt.Errorf("%w (listen %q)", ErrNoAuth, addr)
		}
		return true, nil
	}
	return user != "", nil
}
