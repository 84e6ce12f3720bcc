package external

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/qcmb-go/qcmb/qcschema"
)

// CheckPaths refuses keywords that could make a program write outside its scratch
// directory: a string value, at any depth of maps and lists, that is an absolute path (on
// any platform: "/x", `\x`, "C:x"), starts with "~", or has ".." as a path element. Programs
// such as Psi4 take file names in keywords (writer_file_label, write_orbitals, ...) and
// would otherwise write anywhere the user can. The error names the keyword.
func CheckPaths(keywords map[string]any) error {
	keys := make([]string, 0, len(keywords))
	for k := range keywords {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the same error for the same input
	for _, k := range keys {
		if bad, ok := findPath(keywords[k]); ok {
			return fmt.Errorf("keyword %s = %q names a path outside the program's scratch directory "+
				"(absolute paths, ~ and .. are refused; use a plain file name)", k, qcschema.Excerpt(bad, 200))
		}
	}
	return nil
}

// findPath returns the first string in v that leaves the working directory.
func findPath(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, escapes(x)
	case []any:
		for _, e := range x {
			if s, ok := findPath(e); ok {
				return s, true
			}
		}
	case []string:
		for _, e := range x {
			if escapes(e) {
				return e, true
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if s, ok := findPath(x[k]); ok {
				return s, true
			}
		}
	}
	return "", false
}

// escapes reports whether path s, relative to a working directory, may lead out of it.
func escapes(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '/' || s[0] == '\\' || s[0] == '~' {
		return true
	}
	if len(s) >= 2 && s[1] == ':' && ('a' <= s[0]|0x20 && s[0]|0x20 <= 'z') {
		return true // a Windows drive
	}
	return slices.Contains(strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '\\' }), "..")
}
