package glob

import (
	"strings"
	"testing"
	"time"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		// Literals and the empty cases.
		{"", "", true},
		{"", "a", false},
		{"a", "", false},
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"abc", "ab", false},
		{"ab", "abc", false},
		{"ABC", "abc", false},

		// Stars.
		{"*", "", false}, // Redis: an empty subject only matches an empty pattern.
		{"**", "", false},
		{"*", "x", true},
		{"*", "anything at all", true},
		{"***", "abc", true},
		{"a*", "a", true},
		{"a*", "abc", true},
		{"a*", "ba", false},
		{"*a", "ba", true},
		{"*a", "ab", false},
		{"a*b", "ab", true},
		{"a*b", "axxxb", true},
		{"a*b", "axxxbx", false},
		{"a*b*c", "abc", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "acb", false},
		{"*a*a*", "aa", true},
		{"*a*a*", "a", false},
		{"a**", "a", true},
		{"a***b", "ab", true},
		{"h*llo", "hello", true},
		{"h*llo", "heeeello", true},
		{"user:*:name", "user:1000:name", true},
		{"user:*:name", "user:1000:email", false},

		// Question marks.
		{"?", "", false},
		{"?", "a", true},
		{"?", "ab", false},
		{"h?llo", "hello", true},
		{"h?llo", "hllo", false},
		{"??", "ab", true},
		{"?*", "a", true},
		{"*?", "a", true},
		{"?*?", "a", false},

		// Classes.
		{"h[ae]llo", "hello", true},
		{"h[ae]llo", "hallo", true},
		{"h[ae]llo", "hillo", false},
		{"h[^e]llo", "hallo", true},
		{"h[^e]llo", "hello", false},
		{"h[a-b]llo", "hbllo", true},
		{"h[a-b]llo", "hcllo", false},
		{"[b-a]", "a", true}, // reversed ranges swap
		{"[z-a]", "m", true},
		{"[Z-a]", "_", true},
		{"[a-c-e]", "-", true}, // the range a-c, then '-' and 'e' as literals
		{"[a-c-e]", "e", true},
		{"[a-c-e]", "d", false},
		{"[-a]", "-", true},
		{"[]]", "]", false}, // "[]" is an empty class, then a literal ']'
		{"[]]", "]]", false},
		{"[]", "a", false},
		{"[^]", "a", true},
		{"[^]a", "xa", true},
		{"[a-]", "^", true}, // the range a..']' swaps to ']'..'a'
		{"[a-]", "-", false},
		{"[a-]x]", "_x", false}, // range a-] eats the ']', the class ends at the second ']'
		{"[a-]x]", "x", true},
		{"[a-]x]", "`", true},
		{"[\\]]", "]", true},
		{"[\\^a]", "^", true},
		{"[\\-]", "-", true},
		{"[\\", "\\", true}, // a lone trailing backslash in a class is literal
		{"[\\", "a", false},
		{"[abc", "b", true}, // unterminated class: the listed bytes
		{"[abc", "d", false},
		{"[abc", "bc", false},
		{"[", "a", false},
		{"[", "[", false},
		{"[^", "z", true}, // unterminated, negated, empty: any byte
		{"[^", "", false},
		{"[^a-z]", "A", true},
		{"[^a-z]", "q", false},
		{"[*]", "*", true},
		{"[*]", "a", false},
		{"[?]", "?", true},
		{"x[ab]*", "xb123", true},

		// Escapes.
		{"\\*", "*", true},
		{"\\*", "a", false},
		{"\\?", "?", true},
		{"\\[a]", "[a]", true},
		{"\\\\", "\\", true},
		{"a\\", "a\\", true}, // a trailing backslash is a literal backslash
		{"a\\", "a", false},
		{"\\a", "a", true},
		{"*\\*", "abc*", true},
		{"*\\*", "abc", false},

		// Binary safety.
		{"a\x00b", "a\x00b", true},
		{"a?b", "a\x00b", true},
		{"[\x00-\x10]", "\x05", true},
		{"\xff*", "\xff\xfe", true},
		{"[a-\xff]", "b", false}, // signed char: 0xff is -1, so the range is -1..'a'
		{"[a-\xff]", "\x00", true},
		{"[a-\xff]", "\xff", true},
		{"[a-\xff]", "\x80", false},
		{"[\x80-\x90]", "\x85", true},

		// Matching after the subject is exhausted.
		{"abc*", "abc", true},
		{"abc**", "abc", true},
		{"abc*?", "abc", false},
		{"abc?", "abc", false},
		{"abc[", "abc", false},
	}
	for _, tt := range tests {
		if got := Match(tt.pattern, tt.s); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestMatchFold(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"abc", "ABC", true},
		{"ABC", "abc", true},
		{"a?C", "AbC", true},
		{"MAXMEMORY*", "maxmemory-policy", true},
		{"[A-C]x", "bX", true},
		{"[a-c]x", "BX", true},
		{"[^A-C]x", "bx", false},
		{"[X]", "x", true},
		{"[\\X]", "x", false}, // an escaped byte in a class stays case-sensitive
		{"[\\X]", "X", true},
		{"\\X", "x", true},    // but an escape outside a class folds
		{"[Z-a]", "m", false}, // 'Z'..'a' folds to 'z'..'a', an empty range
		{"[Z-a]", "_", false},
		{"[Z-a]", "z", false},
		{"\xc4", "\xe4", false}, // only ASCII letters fold
		{"abc", "abd", false},
	}
	for _, tt := range tests {
		if got := MatchFold(tt.pattern, tt.s); got != tt.want {
			t.Errorf("MatchFold(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestIsLiteral(t *testing.T) {
	tests := []struct {
		pattern string
		want    bool
	}{
		{"", true},
		{"user:1000", true},
		{"a]b^c-d", true},
		{"a*", false},
		{"a?", false},
		{"a[b]", false},
		{"a\\b", false},
		{"[", false},
	}
	for _, tt := range tests {
		if got := IsLiteral(tt.pattern); got != tt.want {
			t.Errorf("IsLiteral(%q) = %v, want %v", tt.pattern, got, tt.want)
		}
		if tt.want {
			if !Match(tt.pattern, tt.pattern) {
				t.Errorf("Match(%q, %q) = false for a literal pattern, want true", tt.pattern, tt.pattern)
			}
			if Match(tt.pattern, tt.pattern+"x") {
				t.Errorf("Match(%q, %q) = true for a literal pattern, want false", tt.pattern, tt.pattern+"x")
			}
		}
	}
}

// TestMatchNesting checks Redis's guard: a '*' that has to search more than
// 1000 levels deep fails, while a trailing '*' costs no level.
func TestMatchNesting(t *testing.T) {
	s := strings.Repeat("a", 1500)
	tests := []struct {
		pattern string
		want    bool
	}{
		{strings.Repeat("*a", 1000), true},
		{strings.Repeat("*a", 1001), false},
		{strings.Repeat("a*", 1001), true},
		{strings.Repeat("a*", 1002), false},
		{strings.Repeat("a*", 1001) + "a", false},
		{strings.Repeat("?*", 1000) + "?", true},
		{strings.Repeat("*", 3000) + "a", true},
	}
	for _, tt := range tests {
		if got := Match(tt.pattern, s); got != tt.want {
			t.Errorf("Match(%d-byte pattern %.8q..., 1500 a's) = %v, want %v", len(tt.pattern), tt.pattern, got, tt.want)
		}
	}
}

// TestMatchPathological checks that patterns which make a naive backtracking
// matcher exponential finish quickly on a 10 KB subject.
func TestMatchPathological(t *testing.T) {
	s := strings.Repeat("a", 10*1024)
	tests := []struct {
		pattern string
		want    bool
	}{
		{"*a*a*a*a*a*a*b", false},
		{strings.Repeat("*a", 30) + "*b", false},
		{strings.Repeat("*?", 40) + "b", false},
		{strings.Repeat("a*", 40) + "b", false},
		{"*a*a*a*a*a*a*a", true},
		{strings.Repeat("*[a-z]", 50) + "*", true},
	}
	for _, tt := range tests {
		start := time.Now()
		got := Match(tt.pattern, s)
		elapsed := time.Since(start)
		if got != tt.want {
			t.Errorf("Match(%.20q..., 10 KB of a) = %v, want %v", tt.pattern, got, tt.want)
		}
		if elapsed > 2*time.Second {
			t.Errorf("Match(%.20q..., 10 KB of a) took %v, want well under 2s", tt.pattern, elapsed)
		}
		start = time.Now()
		MatchFold(strings.ToUpper(tt.pattern), s)
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("MatchFold(%.20q..., 10 KB of a) took %v, want well under 2s", tt.pattern, elapsed)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	benchmarks := []struct {
		name, pattern, s string
	}{
		{"prefix", "user:*", "user:1234:session"},
		{"class", "[a-z]*:[0-9]*", "user:1234"},
		{"literal", "user:1234:session", "user:1234:session"},
		{"pathological", "*a*a*a*a*a*a*b", strings.Repeat("a", 1024)},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				Match(bm.pattern, bm.s)
			}
		})
	}
}
