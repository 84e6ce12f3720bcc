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
// This package holds the Store interface, Memory (for tests and short-lived programs),
// Wrap, Lookup, keys and the canonical payload form, and links no database. The durable
// Store, one SQLite file that several processes can share, is package
// executor/store/sqlite: only programs that import it link SQLite. Package
// executor/store/storetest checks any Store against the contract Wrap relies on. The
// errors ErrNotStore, ErrCorrupt, ErrNewerSchema and ErrFull are defined here so that
// callers branch on them whichever Store they use.
package store
