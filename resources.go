// Package resources holds the files mailproc carries inside its binary, so
// that a single executable (and the Docker image built from it) has
// everything it needs to create its database and write its mails, without a
// path to a source tree at run time.
package resources

import "embed"

// Schema is schema.sql: the full, current schema of a fresh database. The
// sqlite adapter runs it when it opens an empty file; older databases are
// upgraded by its migrations instead.
//
//go:embed schema.sql
var Schema string

// Templates is the templates/ directory: the built-in mail templates
// (<name>.txt with a "Subject:" first line, optional <name>.html
// alternative). They are embedded so every desk has a complete, tested set
// even without a template_dir; the template adapter lets a site replace any
// one file from its own directory.
//
//go:embed templates
var Templates embed.FS
