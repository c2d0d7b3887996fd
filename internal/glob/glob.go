// Package glob implements Redis's glob-style pattern matching, byte for byte
// as Redis 7.0 does it in stringmatchlen (src/util.c): the dialect used by
// KEYS, SCAN MATCH, PSUBSCRIBE and (case-insensitively) CONFIG GET.
//
// The syntax is:
//
//	pattern  matches
//	*        any run of bytes; consecutive stars collapse into one
//	?        exactly one byte
//	[abc]    one byte from the set; [^abc] one byte not in it
//	[a-z]    a byte range (a reversed range such as [z-a] is swapped)
//	\x       the byte x, literally, both inside and outside brackets
//
// Matching works on bytes, not runes, so it is binary-safe. A few corner cases
// follow Redis exactly rather than intuition:
//
//   - An empty subject matches only the empty pattern: Match("*", "") is
//     false. Redis's KEYS and SCAN never ask that question, because they treat
//     the exact pattern "*" as "every key" without calling the matcher; callers
//     that implement those commands must do the same.
//   - An unterminated class such as "[abc" is a class of the bytes listed, and
//     "[^" alone matches any single byte.
//   - Inside a class, "[a-]" is the range from 'a' to ']' (the ']' is taken as
//     the range end, so the class continues), and a backslash that is the last
//     byte of the pattern is a literal backslash.
//   - Range bounds compare as C's signed char: bytes 0x80-0xFF sort below 0x00.
//   - MatchFold folds only ASCII letters, and a backslash-escaped byte inside a
//     class is still compared case-sensitively, as in Redis.
//   - After a '*' has failed to match the rest of the pattern against every
//     remaining suffix, no longer match for an earlier '*' is attempted (Redis's
//     skipLongerMatches): the whole match fails at once. This keeps pathological
//     patterns like "*a*a*a*a*b" polynomial.
//   - Patterns that nest '*' more than 1000 deep fail to match, as Redis's guard
//     against abusive patterns makes them do.
package glob

import "strings"

// maxNesting is the recursion depth (one level per '*' that has to search)
// beyond which Redis gives up and reports no match.
const maxNesting = 1000

// Match reports whether s matches the Redis glob pattern, case-sensitively.
func Match(pattern, s string) bool {
	skipLonger := false
	return match(pattern, s, false, &skipLonger, 0)
}

// MatchFold reports whether s matches the Redis glob pattern with ASCII
// letters compared case-insensitively, as Redis's nocase matching (used by
// CONFIG GET) does.
func MatchFold(pattern, s string) bool {
	skipLonger := false
	return match(pattern, s, true, &skipLonger, 0)
}

// IsLiteral reports whether pattern contains no special bytes (*, ?, [ or \),
// so that Match(pattern, s) holds exactly when s == pattern and a caller can
// look the pattern up directly instead of scanning.
func IsLiteral(pattern string) bool {
	return !strings.ContainsAny(pattern, `*?[\`)
}

// lower folds an ASCII upper-case letter to lower case and leaves every other
// byte alone, like tolower in the C locale.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// signed returns the value C sees when a char holding b is widened to int on
// platforms where char is signed (Redis's range comparison works on those).
func signed(b byte) int {
	return int(int8(b))
}

// lowerInt is lower for a widened, possibly negative, char value.
func lowerInt(c int) int {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// match is the recursive matcher. skipLonger is shared by every level of one
// top-level call: once set, every enclosing '*' stops trying longer matches.
func match(p, s string, nocase bool, skipLonger *bool, nesting int) bool {
	if nesting > maxNesting {
		return false
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if match(p[1:], s, nocase, skipLonger, nesting+1) {
					return true
				}
				if *skipLonger {
					return false
				}
				s = s[1:]
			}
			// The rest of the pattern matched no suffix at all, so no
			// enclosing star can do better by consuming more bytes.
			*skipLonger = true
			return false
		case '?':
			p = p[1:]
		case '[':
			var ok bool
			p, ok = matchClass(p[1:], s[0], nocase)
			if !ok {
				return false
			}
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			if !sameByte(p[0], s[0], nocase) {
				return false
			}
			p = p[1:]
		default:
			if !sameByte(p[0], s[0], nocase) {
				return false
			}
			p = p[1:]
		}
		s = s[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}

// sameByte compares a pattern byte with a subject byte, folding ASCII case
// when nocase is set.
func sameByte(pc, c byte, nocase bool) bool {
	if nocase {
		return lower(pc) == lower(c)
	}
	return pc == c
}

// matchClass matches the subject byte c against the class whose body starts at
// p (just after the '['). It returns the pattern after the class and whether c
// is accepted. An unterminated class consumes the rest of the pattern.
func matchClass(p string, c byte, nocase bool) (string, bool) {
	not := len(p) > 0 && p[0] == '^'
	if not {
		p = p[1:]
	}
	matched := false
	for {
		switch {
		case len(p) >= 2 && p[0] == '\\':
			// An escaped byte; compared exactly even under nocase.
			if p[1] == c {
				matched = true
			}
			p = p[2:]
		case len(p) > 0 && p[0] == ']':
			return p[1:], matched != not
		case len(p) == 0:
			return p, matched != not
		case len(p) >= 3 && p[1] == '-':
			start, end, sc := signed(p[0]), signed(p[2]), signed(c)
			if start > end {
				start, end = end, start
			}
			if nocase {
				start, end, sc = lowerInt(start), lowerInt(end), lowerInt(sc)
			}
			if sc >= start && sc <= end {
				matched = true
			}
			p = p[3:]
		default:
			if sameByte(p[0], c, nocase) {
				matched = true
			}
			p = p[1:]
		}
	}
}
