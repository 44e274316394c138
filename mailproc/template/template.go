// Package template renders the mails mailproc sends from the template files
// in templates/: it implements mailproc.Renderer with Go's text/template
// (subject and plain-text body) and html/template (the optional HTML
// alternative, auto-escaped).
//
// A template is a file <name>.txt whose first line is "Subject: <template>",
// followed by a blank line and the plain-text body, plus an optional
// <name>.html with the HTML alternative body. The built-in files are
// embedded in the binary (resources.Templates); a site may replace any one
// of them by putting a file with the same name in its template directory.
// Everything is parsed when the Set is loaded, so a broken template stops
// the daemon at start, not at the first citizen's mail.
package template

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	resources "github.com/dpk-kampar/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc"
)

// builtinDir is the directory of the built-in templates inside
// resources.Templates.
const builtinDir = "templates"

// Names lists the templates mailproc needs: every name in templatedata.go.
// Check reports any of them missing.
func Names() []string {
	return []string{
		mailproc.TemplateAckInformasi,
		mailproc.TemplateAckAduan,
		mailproc.TemplateOpsQuarantine,
		mailproc.TemplateOpsDeliveryFailed,
		mailproc.TemplateOpsBounce,
		mailproc.TemplateOpsSpam,
		mailproc.TemplateOpsUnlinked,
		mailproc.TemplateNotify,
		mailproc.TemplateAnswer,
		mailproc.TemplateConfirm,
		mailproc.TemplateHelp,
		mailproc.TemplateOpsForgery,
		mailproc.TemplateEscalation,
		mailproc.TemplateEscalationDigest,
		mailproc.TemplateReminder,
		mailproc.TemplateClosing,
		mailproc.TemplateOpsDigest,
		mailproc.TemplateOpsAckBudget,
	}
}

// Set is a parsed set of templates, ready to render. It is safe for
// concurrent use: templates are never executed in place, only clones of
// them (see Render).
type Set struct {
	entries map[string]*entry
	logger  *slog.Logger
}

// entry is one template: its subject line and bodies, and where each came
// from, so an error names the file a site has to fix.
type entry struct {
	textFrom string // "templates/ack-aduan.txt (built-in)" or the override path
	htmlFrom string // "" when there is no HTML alternative
	subject  *texttemplate.Template
	body     *texttemplate.Template
	html     *htmltemplate.Template // nil when there is no HTML alternative

	// bound holds the clones already bound to a time zone, by its
	// *time.Location (at most maxBound of them): cloning the templates
	// on every render cost a third of an intake batch's CPU time.
	mu    sync.Mutex
	bound map[*time.Location]*boundEntry
}

// boundEntry is an entry's templates cloned, with the functions bound to
// one time zone. Executing them concurrently is safe.
type boundEntry struct {
	subject, body *texttemplate.Template
	html          *htmltemplate.Template
}

// maxBound caps the clones an entry keeps: a desk has one zone; a caller
// that made a new *time.Location for every render would get a fresh
// clone each time rather than a growing cache.
const maxBound = 8

// file is the source of one template file before parsing.
type file struct {
	data []byte
	from string // for errors and logs
}

// Load parses the built-in templates, with any file in overrideDir
// replacing the built-in file of the same name: an override of
// ack-aduan.html changes the HTML alternative and keeps the built-in
// ack-aduan.txt. An empty override .html removes the HTML alternative. Files
// in overrideDir that match no built-in template are logged and ignored, so
// a misspelt name does not go unnoticed. overrideDir "" means built-ins only.
//
// Every file is parsed, and every HTML file's escaping checked, before Load
// returns; the error lists all broken files at once.
func Load(overrideDir string, logger *slog.Logger) (*Set, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	files, err := builtinFiles()
	if err != nil {
		return nil, err
	}
	if overrideDir != "" {
		if err := overrideFiles(files, overrideDir, logger); err != nil {
			return nil, err
		}
	}

	s := &Set{entries: make(map[string]*entry), logger: logger}
	var errs []error
	for _, fname := range sortedKeys(files) {
		name, ext := splitName(fname)
		switch ext {
		case ".txt":
			e, err := parseEntry(name, files[fname], files[name+".html"])
			if err != nil {
				errs = append(errs, err)
				continue
			}
			s.entries[name] = e
		case ".html":
			if _, ok := files[name+".txt"]; !ok {
				errs = append(errs, fmt.Errorf("%s: HTML alternative without %s.txt (the plain-text body and subject are required)", files[fname].from, name))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("load templates: %w", err)
	}
	return s, nil
}

// builtinFiles reads the embedded templates.
func builtinFiles() (map[string]file, error) {
	ents, err := fs.ReadDir(resources.Templates, builtinDir)
	if err != nil {
		return nil, fmt.Errorf("read built-in templates: %w", err)
	}
	files := make(map[string]file)
	for _, de := range ents {
		if de.IsDir() {
			continue
		}
		if _, ext := splitName(de.Name()); ext != ".txt" && ext != ".html" {
			continue
		}
		p := path.Join(builtinDir, de.Name())
		data, err := fs.ReadFile(resources.Templates, p)
		if err != nil {
			return nil, fmt.Errorf("read built-in template %s: %w", p, err)
		}
		files[de.Name()] = file{data: data, from: p + " (built-in)"}
	}
	return files, nil
}

// overrideFiles replaces entries of files by the files of the same name in
// dir. Only names that exist as a built-in template are taken: anything else
// is most likely a typo (ack_aduan.txt, ack-aduan.text) and is logged.
func overrideFiles(files map[string]file, dir string, logger *slog.Logger) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read template directory: %w", err)
	}
	for _, de := range ents {
		fname := de.Name()
		if strings.HasPrefix(fname, ".") {
			continue // editor swap files, .git
		}
		p := filepath.Join(dir, fname)
		info, err := os.Stat(p) // follows symlinks, as a site's config management may use them
		if err != nil {
			return fmt.Errorf("template override %s: %w", p, err)
		}
		if info.IsDir() {
			continue
		}
		name, ext := splitName(fname)
		if _, known := files[name+".txt"]; !known || (ext != ".txt" && ext != ".html") {
			logger.Warn("template override ignored: no built-in template of that name",
				"file", p, "templates", strings.Join(Names(), ", "))
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("template override %s: %w", p, err)
		}
		files[fname] = file{data: data, from: p}
		logger.Info("template overridden", "file", p)
	}
	return nil
}

// parseEntry parses one template from its text file and optional HTML file
// (html.data nil when there is none).
func parseEntry(name string, txt, html file) (*entry, error) {
	e := &entry{textFrom: txt.from}
	subject, body, err := splitSubject(string(txt.data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", txt.from, err)
	}
	fname := name + ".txt"
	e.subject, err = texttemplate.New(fname).Option("missingkey=error").Funcs(textFuncs(nil)).Parse(subject)
	if err != nil {
		return nil, fmt.Errorf("%s: subject: %w", txt.from, err)
	}
	// Two newlines stand in for the subject and blank lines, so that the
	// line numbers in parse and execution errors are the file's own.
	// Normalisation drops the leading blank lines again.
	e.body, err = texttemplate.New(fname).Option("missingkey=error").Funcs(textFuncs(nil)).Parse("\n\n" + body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", txt.from, err)
	}

	src := cleanSource(string(html.data))
	if strings.TrimSpace(src) == "" {
		return e, nil // none, or deliberately emptied by an override
	}
	e.htmlFrom = html.from
	e.html, err = htmltemplate.New(name + ".html").Option("missingkey=error").Funcs(htmlFuncs(nil)).Parse(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", html.from, err)
	}
	// html/template works out its escaping at the first execution. Do that
	// now on a throwaway clone, so a template that cannot be escaped safely
	// (an action inside an unquoted attribute, an unclosed tag) fails at
	// start. Execution errors from the missing data are expected and not
	// looked at.
	probe, err := e.html.Clone()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", html.from, err)
	}
	var escErr *htmltemplate.Error
	if err := probe.Execute(io.Discard, nil); errors.As(err, &escErr) {
		return nil, fmt.Errorf("%s: %w", html.from, err)
	}
	return e, nil
}

// splitSubject separates the "Subject: …" first line of a text template
// from its body, insisting on the blank line between them: a file without
// it is almost always one where the subject line was forgotten, and sending
// the first line of a letter as its subject would be worse than failing.
func splitSubject(src string) (subject, body string, err error) {
	src = cleanSource(src)
	first, rest, _ := strings.Cut(src, "\n")
	const prefix = "subject:"
	if len(first) < len(prefix) || !strings.EqualFold(first[:len(prefix)], prefix) {
		return "", "", errors.New(`line 1: want "Subject: <subject template>"`)
	}
	subject = strings.TrimSpace(first[len(prefix):])
	if subject == "" {
		return "", "", errors.New("line 1: empty subject")
	}
	blank, body, _ := strings.Cut(rest, "\n")
	if strings.TrimSpace(blank) != "" {
		return "", "", errors.New("line 2: want a blank line between the subject and the body")
	}
	if strings.TrimSpace(body) == "" {
		return "", "", errors.New("empty body")
	}
	return subject, body, nil
}

// cleanSource undoes what editors on a site's Windows desktop add: a UTF-8
// byte order mark and CRLF line endings.
func cleanSource(s string) string {
	s = strings.TrimPrefix(s, "\uFEFF")
	return strings.ReplaceAll(s, "\r\n", "\n")
}

// Render renders the template name with data. It implements
// mailproc.Renderer. An unknown name is an error wrapping
// mailproc.ErrNotFound.
//
// The subject is trimmed and made one line; the text body is normalised
// (LF line endings, no trailing spaces, at most one blank line in a row);
// the HTML body, if the template has one, is escaped by html/template.
func (s *Set) Render(name string, data any) (mailproc.Rendered, error) {
	e, ok := s.entries[name]
	if !ok {
		return mailproc.Rendered{}, fmt.Errorf("render template %q: %w", name, mailproc.ErrNotFound)
	}
	r, _, err := e.render(data)
	if err != nil {
		return mailproc.Rendered{}, fmt.Errorf("render template %q: %w", name, err)
	}
	return r, nil
}

// render executes the entry and returns the result and the subject as the
// template produced it, before it was made one line (Check wants to know).
//
// Each execution works on a clone of the parsed templates, with the
// functions bound to the desk's time zone taken from data (made once per
// zone, see bind): the parsed templates themselves are never executed,
// which keeps concurrent renders for desks in different zones apart and
// lets html/template clone them.
func (e *entry) render(data any) (r mailproc.Rendered, rawSubject string, err error) {
	b, err := e.bind(deskLocation(data))
	if err != nil {
		return r, "", err
	}
	buf := getBuffer()
	defer putBuffer(buf)
	rawSubject, err = execText(buf, b.subject, data)
	if err != nil {
		return r, "", fmt.Errorf("%s: subject: %w", e.textFrom, err)
	}
	r.Subject = cleanSubject(rawSubject)
	text, err := execText(buf, b.body, data)
	if err != nil {
		return r, "", fmt.Errorf("%s: %w", e.textFrom, err)
	}
	r.Text = normalizeText(text)
	if b.html != nil {
		buf.Reset()
		if err := b.html.Execute(buf, data); err != nil {
			return r, "", fmt.Errorf("%s: %w", e.htmlFrom, err)
		}
		r.HTML = normalizeHTML(buf.String())
	}
	return r, rawSubject, nil
}

// A render writes into a buffer from this pool: a body grown from empty
// for every mail was a third of the bytes an intake allocates per mail.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled: a buffer grown past this (a huge template or data) is left
// to the garbage collector rather than kept.
const maxPooled = 256 << 10

func getBuffer() *bytes.Buffer { return buffers.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooled {
		b.Reset()
		buffers.Put(b)
	}
}

// bind returns the entry's templates cloned and bound to loc, made once
// per zone.
func (e *entry) bind(loc *time.Location) (*boundEntry, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if b, ok := e.bound[loc]; ok {
		return b, nil
	}
	b := &boundEntry{}
	var err error
	if b.subject, err = e.subject.Clone(); err != nil {
		return nil, fmt.Errorf("%s: subject: %w", e.textFrom, err)
	}
	if b.body, err = e.body.Clone(); err != nil {
		return nil, fmt.Errorf("%s: %w", e.textFrom, err)
	}
	b.subject.Funcs(textFuncs(loc))
	b.body.Funcs(textFuncs(loc))
	if e.html != nil {
		if b.html, err = e.html.Clone(); err != nil {
			return nil, fmt.Errorf("%s: %w", e.htmlFrom, err)
		}
		b.html.Funcs(htmlFuncs(loc))
	}
	if e.bound == nil {
		e.bound = map[*time.Location]*boundEntry{}
	}
	if len(e.bound) < maxBound {
		e.bound[loc] = b
	}
	return b, nil
}

// execText executes t into buf (emptied first) and returns what it wrote.
func execText(buf *bytes.Buffer, t *texttemplate.Template, data any) (string, error) {
	buf.Reset()
	if err := t.Execute(buf, data); err != nil {
		return "", err
	}
	return buf.String(), nil
}

var (
	deskType    = reflect.TypeFor[mailproc.Desk]()
	deskPtrType = reflect.TypeFor[*mailproc.Desk]()
)

// deskLocation finds the desk's time zone for the waktu function: every
// template data type in templatedata.go has a Desk field (a map with a
// "Desk" key works too). Without one it is nil, which FormatWaktu prints
// as UTC — visibly wrong rather than silently another zone.
func deskLocation(data any) *time.Location {
	v := reflect.ValueOf(data)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	var f reflect.Value
	switch v.Kind() {
	case reflect.Struct:
		f = v.FieldByName("Desk")
	case reflect.Map:
		if v.Type().Key().Kind() == reflect.String {
			f = v.MapIndex(reflect.ValueOf("Desk").Convert(v.Type().Key()))
		}
	}
	for f.IsValid() && f.Kind() == reflect.Interface && !f.IsNil() {
		f = f.Elem()
	}
	if !f.IsValid() || !f.CanInterface() {
		return nil
	}
	switch f.Type() {
	case deskType:
		return f.Interface().(mailproc.Desk).Location
	case deskPtrType:
		if d := f.Interface().(*mailproc.Desk); d != nil {
			return d.Location
		}
	}
	return nil
}

// splitName splits "ack-aduan.txt" into "ack-aduan" and ".txt".
func splitName(fname string) (name, ext string) {
	ext = path.Ext(fname)
	return strings.TrimSuffix(fname, ext), ext
}

func sortedKeys(m map[string]file) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
