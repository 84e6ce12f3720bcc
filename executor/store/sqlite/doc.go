// Package sqlite is a result store (store.Store) in one SQLite file, through
// modernc.org/sqlite (pure Go, no cgo). It is what qcmb run keeps its results in; it lives
// apart from package store so that only programs that want a file store link SQLite.
//
// Several processes may share a file: it is in WAL mode, and a writer waits up to 30 s for
// another. A file that is not a qcmb store, is corrupt or was written by a newer schema
// is reported with store.ErrNotStore, store.ErrCorrupt or store.ErrNewerSchema and never
// written to: Open checks the integrity of every page (SQLite's quick check, about 0.15 s
// per 200 MB) before the first write, and a store in which damage is found later takes no
// more writes. A full disk is store.ErrFull and leaves the store as it was before the
// failed write. A store that cannot be written (read-only media, permissions, a full
// disk) is opened read-only and serves what it holds (store.Unwritable); OpenReadOnly
// opens one for reading only, creating nothing beside it.
//
// Each run is recorded with the process that makes it (host, boot, pid and start time),
// so that a run whose process was killed is reported interrupted (RunLister) and marked so
// when the store is next opened for writing.
//
// The package never opens the store's file itself: closing any descriptor of a file
// releases every POSIX lock the process holds on it, SQLite's included, which would let
// another process delete the write-ahead log under this one's writes.
//
// Compose it with any executor through store.Wrap:
//
//	s, err := sqlite.Open(ctx, ".qcmb/results.db")
//	...
//	defer s.Close()
//	ex := store.Wrap(executor.NewPool(0, executor.Options{}), s)
package sqlite
