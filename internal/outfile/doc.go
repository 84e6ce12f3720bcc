// Package outfile writes qcmb's output documents: JSON in qcschema.IndentWriter's layout
// (arrays of numbers on one line, large results streamed as they are encoded), to a
// writer or to a named file. Files are written atomically (Write): a temporary file in
// the same directory, synced and renamed over the target, so that a full disk, an error
// or a crash leaves the old file as it was and no partial file. Before any work starts,
// Check makes sure that an output path can be written and Distinct that no output is the
// same file as an input, a result store or another output, so that a long run neither
// ends unable to save its result nor destroys what the user had.
package outfile
