// Package resources holds the files mailproc carries inside its binary, so
// that a single executable (and the Docker image built from it) has
// everything it needs to create its database, without a path to a source
// tree at run time.
package resources

import _ "embed"

// Schema is schema.sql: the full, current schema of a fresh database. The
// sqlite adapter runs it when it opens an empty file; older databases are
// upgraded by its migrations instead.
//
//go:embed schema.sql
var Schema string
