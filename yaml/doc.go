// Package yaml parses the small subset of YAML 1.2 that configuration files
// use, and reports everything else as an error with its line and column.
//
// Supported: one document (optional "---" start and "..." end), block
// mappings and sequences nested by indentation (including the compact
// "- key: value" form), plain, single- and double-quoted scalars on one line
// (double-quote escapes as in YAML 1.2 §5.7), comments, blank lines, empty
// values as null, and one-level flow sequences and mappings of scalars on one
// line ("[a, b]", "{a: 1}").
//
// Not supported, and reported as an error naming the line and column:
// anchors, aliases, tags, several documents, directives, block scalars,
// complex keys, multi-line plain or quoted scalars, multi-line or nested flow
// collections, tabs anywhere but in quoted scalars, comments, blank lines
// and trailing white space, and duplicate keys.
//
// Plain scalars are resolved with the YAML 1.2 core schema (null, bool, int,
// float, string); quoted scalars are always strings.
//
// Invariants: the input is at most MaxSize bytes and nests at most MaxDepth
// levels; the parser makes one pass over the lines, never panics, and either
// returns the value the YAML 1.2 specification gives the input or an error.
package yaml
