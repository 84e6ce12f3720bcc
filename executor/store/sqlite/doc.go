// Package sqlite is a result store (store.Store) in one SQLite file, through
// modernc.org/sqlite (pure Go, no cgo). It is what qcmb run keeps its results in; it lives
// apart from package store so that only programs that want a file store link SQLite.
//
// Several processes may share a file: it is in WAL mode, and a writer waits up to 30 s for
// another. A file that is not a qcmb store, is corrupt or was written by a newer schema
// is reported with store.ErrNotStore, store.ErrCorrupt or store.ErrNewerSchema and never
// written to; a full disk is store.ErrFull and leaves the store as it was before the
// failed write.
//
// Compose it with any executor through store.Wrap:
//
//	s, err := sqlite.Open(ctx, ".qcmb/results.db")
//	...
//	defer s.Close()
//	ex := store.Wrap(executor.NewPool(0, executor.Options{}), s)
package sqlite
