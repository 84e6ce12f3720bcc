// Package store keeps the outcome of every task durably, so that a many-body run that
// crashed, was interrupted or had failures resumes where it stopped.
//
// Wrap is Executor middleware in the spirit of http middleware: it answers the tasks whose
// result is already stored (marking their outcomes Reused), forwards the rest to the
// executor it wraps, and commits every outcome, success or failure, the moment it arrives
// and before passing it on. Failures are stored with their error and run again next time.
// Resume therefore works with any executor.
//
// A result is found by its Key, the content hash of what determines it: the program's
// registry name and version and the canonical task payload (the AtomicInput without its
// id). The same fragment calculation is thus found again from another input, another BSSE
// treatment or another run. Stored results are the AtomicResult JSON as the program
// returned it, so a resumed run assembles a bitwise identical ManyBodyResult.
//
// Two Stores are provided: Memory, for tests and short-lived programs, and SQLite, a
// single file (modernc.org/sqlite, pure Go) in WAL mode with a busy timeout so that
// several processes can share it. A file that is not a qcmb store, is corrupt or was
// written by a newer schema is reported with ErrNotStore, ErrCorrupt or ErrNewerSchema and
// never written to; a full disk is ErrFull and leaves the store as it was before the
// failed write.
package store
