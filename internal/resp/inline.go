package resp

import (
	"bytes"
	"slices"
)

// splitInline splits an inline request line into arguments the way Redis's
// sdssplitargs does, appending them to dst. It reports false for unbalanced
// quotes. The rules:
//
//   - Arguments are separated by runs of C whitespace (space, \t, \n, \v, \f,
//     \r), but only space, \t, \n and \r end an unquoted argument: a \v or \f
//     inside one is part of it.
//   - "double quotes" understand \n \r \t \b \a, \xHH (two hex digits) and a
//     backslash before any other byte, which stands for that byte.
//   - 'single quotes' understand only \' ; other backslashes are literal.
//   - A quote may open in the middle of an argument (ab"cd" is abcd), but a
//     closing quote must be followed by whitespace or the end of the line.
//   - The line ends at its first NUL byte, as it does for Redis's C string.
//
// All arguments share one string allocation.
func (r *Reader) splitInline(dst []string, line []byte) ([]string, bool) {
	if i := bytes.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	at := func(i int) byte {
		if i < len(line) {
			return line[i]
		}
		return 0
	}
	out := r.scratch[:0]
	spans := r.spans[:0]
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			break
		}
		start := len(out)
		inDouble, inSingle := false, false
		for done := false; !done; {
			c := at(i)
			switch {
			case inDouble:
				switch {
				case c == '\\' && at(i+1) == 'x' && isHex(at(i+2)) && isHex(at(i+3)):
					out = append(out, unhex(at(i+2))<<4|unhex(at(i+3)))
					i += 3
				case c == '\\' && at(i+1) != 0:
					i++
					out = append(out, unescape(line[i]))
				case c == '"':
					if n := at(i + 1); n != 0 && !isSpace(n) {
						r.scratch, r.spans = out, spans
						return dst, false
					}
					done = true
				case c == 0:
					r.scratch, r.spans = out, spans
					return dst, false
				default:
					out = append(out, c)
				}
			case inSingle:
				switch {
				case c == '\\' && at(i+1) == '\'':
					i++
					out = append(out, '\'')
				case c == '\'':
					if n := at(i + 1); n != 0 && !isSpace(n) {
						r.scratch, r.spans = out, spans
						return dst, false
					}
					done = true
				case c == 0:
					r.scratch, r.spans = out, spans
					return dst, false
				default:
					out = append(out, c)
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inDouble = true
				case '\'':
					inSingle = true
				default:
					out = append(out, c)
				}
			}
			if i < len(line) {
				i++
			}
		}
		spans = append(spans, span{start, len(out)})
	}
	r.scratch, r.spans = out, spans

	all := ""
	if len(out) > 0 {
		all = string(out)
	}
	dst = slices.Grow(dst, len(spans))
	for _, sp := range spans {
		dst = append(dst, all[sp.start:sp.end])
	}
	return dst, true
}

// isSpace reports whether c is whitespace in the C locale.
func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// unescape maps the byte after a backslash inside double quotes.
func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}
