// Package jsontext finds its way through raw JSON text without decoding it: the end of a
// string or of any value, the space between tokens, and the members of an array or object.
// qcmb splits component files of hundreds of megabytes into entries with it before they
// are parsed on every core, and qcschema lays out and checks documents with it. It checks
// only the structure it needs to find an end; parsers check the rest.
package jsontext
