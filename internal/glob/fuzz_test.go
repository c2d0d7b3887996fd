package glob

import (
	"strings"
	"testing"
)

// FuzzMatch checks properties that must hold for any pattern and subject:
// no panic; agreement with a plain backtracking reference (no
// skipLongerMatches shortcut) on short inputs; Match and MatchFold agree
// when no upper-case ASCII letter is involved; a literal pattern matches only
// itself; and a fully escaped subject matches itself.
func FuzzMatch(f *testing.F) {
	seeds := [][2]string{
		{"", ""}, {"*", ""}, {"*", "abc"}, {"a*b*c", "aXbYc"}, {"h?llo", "hello"},
		{"h[^e]llo", "hallo"}, {"[a-]x]", "x"}, {"[\\", "\\"}, {"[^", "z"},
		{"a\\", "a\\"}, {"[a-\xff]", "\x00"}, {"*a*a*a*a*b", "aaaaaaaaaaaaaaaa"},
		{"[Z-a]", "_"}, {"[\\X]", "x"}, {"abc*?", "abc"}, {"**?*", "x"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		got := Match(pattern, s)
		fold := MatchFold(pattern, s)

		if len(pattern) <= 24 && len(s) <= 24 {
			if want := refMatch(pattern, s); got != want {
				t.Errorf("Match(%q, %q) = %v, reference says %v", pattern, s, got, want)
			}
		}
		if !hasUpper(pattern) && !hasUpper(s) && got != fold {
			t.Errorf("Match(%q, %q) = %v but MatchFold = %v, with no upper-case letters", pattern, s, got, fold)
		}
		if IsLiteral(pattern) && got != (pattern == s) {
			t.Errorf("Match(%q, %q) = %v for a literal pattern, want %v", pattern, s, got, pattern == s)
		}
		if esc := escapeAll(s); !Match(esc, s) || Match(esc, s+"x") {
			t.Errorf("Match(%q, %q) = %v, Match(%q, %q) = %v; want true, false",
				esc, s, Match(esc, s), esc, s+"x", Match(esc, s+"x"))
		}
	})
}

func hasUpper(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return 'A' <= r && r <= 'Z' }) >= 0
}

// escapeAll escapes every byte of s, giving a pattern that matches only s.
func escapeAll(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		sb.WriteByte('\\')
		sb.WriteByte(s[i])
	}
	return sb.String()
}

// token is one element of a pattern, for the reference matcher.
type token struct {
	star bool
	set  [256]bool // the bytes accepted by a non-star token
}

// refTokens compiles a pattern into tokens, reading classes with Redis's
// rules but building each as an explicit byte set.
func refTokens(p string) []token {
	var toks []token
	for i := 0; i < len(p); {
		var t token
		switch p[i] {
		case '*':
			t.star = true
			i++
		case '?':
			for b := range t.set {
				t.set[b] = true
			}
			i++
		case '\\':
			if i+1 < len(p) {
				i++
			}
			t.set[p[i]] = true
			i++
		case '[':
			i++
			negate := i < len(p) && p[i] == '^'
			if negate {
				i++
			}
			for i < len(p) && p[i] != ']' {
				switch {
				case p[i] == '\\' && i+1 < len(p):
					t.set[p[i+1]] = true
					i += 2
				case i+2 < len(p) && p[i+1] == '-':
					lo, hi := int(int8(p[i])), int(int8(p[i+2]))
					if lo > hi {
						lo, hi = hi, lo
					}
					for b := range t.set {
						if v := int(int8(byte(b))); lo <= v && v <= hi {
							t.set[b] = true
						}
					}
					i += 3
				default:
					t.set[p[i]] = true
					i++
				}
			}
			if i < len(p) {
				i++ // the closing ']'
			}
			if negate {
				for b := range t.set {
					t.set[b] = !t.set[b]
				}
			}
		default:
			t.set[p[i]] = true
			i++
		}
		toks = append(toks, t)
	}
	return toks
}

// refMatch is a plain backtracking matcher over refTokens, with none of
// Redis's shortcuts, so it is exponential and only used on short inputs.
func refMatch(pattern, s string) bool {
	return refMatchTokens(refTokens(pattern), s)
}

func refMatchTokens(toks []token, s string) bool {
	if len(toks) == 0 || len(s) == 0 {
		// An empty subject matches nothing but an empty pattern: Redis's
		// loop never starts on one.
		return len(toks) == 0 && len(s) == 0
	}
	if toks[0].star {
		for len(toks) > 1 && toks[1].star {
			toks = toks[1:]
		}
		if len(toks) == 1 {
			return true
		}
		for i := 0; i < len(s); i++ {
			if refMatchTokens(toks[1:], s[i:]) {
				return true
			}
		}
		return false
	}
	if !toks[0].set[s[0]] {
		return false
	}
	toks, s = toks[1:], s[1:]
	if len(s) == 0 {
		// Once the subject is used up, trailing stars match nothing.
		for len(toks) > 0 && toks[0].star {
			toks = toks[1:]
		}
		return len(toks) == 0
	}
	return refMatchTokens(toks, s)
}
