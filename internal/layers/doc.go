// Package layers holds no code: its test keeps the module's layering as the README
// describes it, by asking the go command what each package imports. Package manybody
// (the pure Core) imports only qcschema and the standard library, and the run path
// (manybody/computer) links no database: the SQLite store is a package of its own that
// only programs wanting a file store import.
package layers
