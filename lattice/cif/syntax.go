package cif

import (
	"fmt"
	"strings"
)

// Error is a CIF that cannot be read: Line is the 1-based line of the file it is about
// (0 when it is about the file as a whole).
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return "cif: " + e.Msg
	}
	return fmt.Sprintf("cif: line %d: %s", e.Line, e.Msg)
}

func errorf(line int, format string, args ...any) *Error {
	return &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// tokenKind tells the reserved words, tags and values of CIF apart.
type tokenKind int

const (
	tokValue tokenKind = iota
	tokTag
	tokData
	tokLoop
)

type token struct {
	kind tokenKind
	text string // the value without its quotes or text-field delimiters; the tag or block name
	line int
	// quoted marks values given in quotes or as text fields, which are never numbers,
	// "?" or ".".
	quoted bool
}

// tokenize splits src into CIF 1.1 tokens.
func tokenize(src string) ([]token, error) {
	var toks []token
	line := 1
	i := 0
	atLineStart := true
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
			atLineStart = true
			continue
		case c == ' ' || c == '\t' || c == '\r':
			i++
			atLineStart = false
			continue
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		case c == ';' && atLineStart:
			// A text field runs to the next line that starts with a semicolon.
			start := line
			end := strings.Index(src[i+1:], "\n;")
			if end < 0 {
				return nil, errorf(start, "text field opened with ';' is never closed")
			}
			text := src[i+1 : i+1+end]
			toks = append(toks, token{kind: tokValue, text: strings.TrimSuffix(text, "\r"), line: start, quoted: true})
			line += strings.Count(text, "\n") + 1
			i += 1 + end + 2 // the field, the newline and the closing semicolon
			atLineStart = false
			continue
		case c == '\'' || c == '"':
			// A quote closes only where it is followed by white space or the line's end.
			j := i + 1
			for {
				if j >= len(src) || src[j] == '\n' {
					return nil, errorf(line, "quoted string %s is not closed on its line", excerpt(src[i:j]))
				}
				if src[j] == c && (j+1 == len(src) || isSpace(src[j+1])) {
					break
				}
				j++
			}
			toks = append(toks, token{kind: tokValue, text: src[i+1 : j], line: line, quoted: true})
			i = j + 1
			atLineStart = false
			continue
		}
		j := i
		for j < len(src) && !isSpace(src[j]) {
			j++
		}
		word := src[i:j]
		tok := token{kind: tokValue, text: word, line: line}
		lower := strings.ToLower(word)
		switch {
		case word[0] == '_':
			tok.kind = tokTag
		case strings.HasPrefix(lower, "data_"):
			if len(word) == len("data_") {
				return nil, errorf(line, "data block without a name")
			}
			tok.kind, tok.text = tokData, word[len("data_"):]
		case lower == "loop_":
			tok.kind = tokLoop
		case strings.HasPrefix(lower, "save_"), lower == "global_", lower == "stop_":
			return nil, errorf(line, "%s: save frames, global_ and stop_ are not supported", excerpt(word))
		case word[0] == '[' || word[0] == ']' || word[0] == '$':
			return nil, errorf(line, "%s: a value starting with %q must be quoted", excerpt(word), word[0])
		}
		toks = append(toks, tok)
		i = j
		atLineStart = false
	}
	return toks, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// excerpt quotes s for an error message, shortened when long.
func excerpt(s string) string {
	const max = 40
	if len(s) > max {
		s = s[:max] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// block is one data block: single items and loops, by lower-case tag.
type block struct {
	name  string
	line  int
	items map[string]token // single-valued tags
	loops map[string]*loop // every tag of every loop
}

// loop is a table: its tags (lower case) and rows of values.
type loop struct {
	line int
	tags []string
	rows [][]token
}

// column returns the values of tag in the loop.
func (l *loop) column(tag string) []token {
	k := -1
	for i, t := range l.tags {
		if t == tag {
			k = i
		}
	}
	if k < 0 {
		return nil
	}
	out := make([]token, len(l.rows))
	for i, r := range l.rows {
		out[i] = r[k]
	}
	return out
}

// parseBlocks groups tokens into data blocks.
func parseBlocks(toks []token) ([]*block, error) {
	var blocks []*block
	var cur *block
	seen := func(tag string, line int) error {
		if _, ok := cur.items[tag]; ok {
			return errorf(line, "%s is given twice in data block %s", tag, cur.name)
		}
		if _, ok := cur.loops[tag]; ok {
			return errorf(line, "%s is given twice in data block %s", tag, cur.name)
		}
		return nil
	}
	for i := 0; i < len(toks); {
		t := toks[i]
		if t.kind == tokData {
			cur = &block{name: t.text, line: t.line, items: map[string]token{}, loops: map[string]*loop{}}
			blocks = append(blocks, cur)
			i++
			continue
		}
		if cur == nil {
			return nil, errorf(t.line, "%s before the first data_ block", excerpt(t.text))
		}
		switch t.kind {
		case tokTag:
			tag := strings.ToLower(t.text)
			if err := seen(tag, t.line); err != nil {
				return nil, err
			}
			if i+1 >= len(toks) || toks[i+1].kind != tokValue {
				return nil, errorf(t.line, "%s has no value", t.text)
			}
			cur.items[tag] = toks[i+1]
			i += 2
		case tokLoop:
			l := &loop{line: t.line}
			i++
			for i < len(toks) && toks[i].kind == tokTag {
				tag := strings.ToLower(toks[i].text)
				if err := seen(tag, toks[i].line); err != nil {
					return nil, err
				}
				for _, prev := range l.tags {
					if prev == tag {
						return nil, errorf(toks[i].line, "%s is given twice in one loop", toks[i].text)
					}
				}
				l.tags = append(l.tags, tag)
				i++
			}
			if len(l.tags) == 0 {
				return nil, errorf(t.line, "loop_ without tags")
			}
			var vals []token
			for i < len(toks) && toks[i].kind == tokValue {
				vals = append(vals, toks[i])
				i++
			}
			if len(vals)%len(l.tags) != 0 {
				last := t.line
				if len(vals) > 0 {
					last = vals[len(vals)-1].line
				}
				return nil, errorf(last, "loop_ of %s (line %d) has %d values, not a multiple of its %d tags",
					l.tags[0], t.line, len(vals), len(l.tags))
			}
			for k := 0; k < len(vals); k += len(l.tags) {
				l.rows = append(l.rows, vals[k:k+len(l.tags)])
			}
			for _, tag := range l.tags {
				cur.loops[tag] = l
			}
		case tokValue:
			return nil, errorf(t.line, "value %s without a tag", excerpt(t.text))
		}
	}
	return blocks, nil
}
