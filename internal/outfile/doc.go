// Package outfile writes qcmb's output documents: JSON in qcschema.IndentWriter's layout
// (arrays of numbers on one line, large results streamed as they are encoded), to a
// writer or to a named file, and checks before any work that an output path can be
// written, so that a long run does not end unable to save its result.
package outfile
