// Package jsontext is qcmb's one JSON scanner: every hand-written pass over JSON text in
// the module goes through it.
//
// Its functions find their way through raw text without decoding it: the end of a string
// or of any value (ValueEnd, StringEnd), the space between tokens, and the members of an
// array or object (EachMember). They check only the structure they need to find an end;
// parsers check the rest. The component reader splits files of hundreds of megabytes into
// entries with them before they are parsed on every core, qcschema lays out and checks
// documents with them, and the executor edits task payloads with them.
//
// Scanner reads values in one pass, straight into Go values (numbers into float64 slices
// as they are met), accepting exactly JSON; the component reader parses its entries with
// it and the result store reads payloads with it into their canonical form.
//
// AppendString is the one string escaper, in two flavours: as encoding/json writes
// strings (EscapeHTML, for documents), and with only the escapes JSON requires
// (EscapeMinimal, the canonical form that task keys hash).
package jsontext
