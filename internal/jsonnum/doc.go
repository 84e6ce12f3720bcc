// Package jsonnum reads and writes JSON numbers as float64, fast and exactly.
//
// Component files and many-body results are almost all numbers: tens of millions of
// gradient and Hessian elements. Parse reads a number in one pass over its bytes and
// converts it with the Eisel-Lemire algorithm (Lemire 2021, "Number parsing at a gigabyte
// per second"; as Go's strconv does, without strconv's generic front end for bases,
// underscores and special values), falling back to strconv for the rare inputs the
// algorithm declines. Every result is the float64 nearest the decimal, bit for bit what
// strconv.ParseFloat returns. Append writes a float64 as encoding/json does.
package jsonnum
