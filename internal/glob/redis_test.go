package glob_test

import (
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/kevy-go/kevy/internal/glob"
	"github.com/kevy-go/kevy/internal/redistest"
	"github.com/kevy-go/kevy/internal/resp"
)

// keyAlphabet is the bytes random keys are made of: ordinary letters, every
// byte special to the glob dialect, and bytes that are negative as a C char.
const keyAlphabet = "abcAB:-_*?[]\\^x\x00\x7f\x80\xff"

// patternTokens are the pieces random patterns are made of.
var patternTokens = []string{
	"a", "b", "c", "A", "B", ":", "-", "_", "x", "^", "]", "\x00", "\x80", "\xff",
	"*", "*", "*", "?", "?", "[", "[", "[^", "\\", "\\*", "\\?", "\\[", "\\\\",
	"[a-c]", "[^a]", "[]", "[\\]]", "[c-a]", "[a-]", "[\\", "a*b", "**",
	"[a-\xff]", "[\x00-\x80]", "[\x80-a]", "[A-b]", "[^\x7f-\xff]",
}

func randomKey(rng *rand.Rand) string {
	n := rng.Intn(7)
	var sb strings.Builder
	for range n {
		sb.WriteByte(keyAlphabet[rng.Intn(len(keyAlphabet))])
	}
	return sb.String()
}

func randomPattern(rng *rand.Rand) string {
	n := rng.Intn(6)
	var sb strings.Builder
	for range n {
		sb.WriteString(patternTokens[rng.Intn(len(patternTokens))])
	}
	return sb.String()
}

// TestMatchAgainstRedis inserts varied keys into a real redis-server and
// checks that KEYS returns, for each of 2,000 random patterns, exactly the
// keys Match accepts.
func TestMatchAgainstRedis(t *testing.T) {
	s := redistest.Start(t)
	c := s.Dial(t)
	rng := rand.New(rand.NewSource(1))

	keys := map[string]bool{"": true, "*": true, "\\": true, "[": true, "user:1000": true}
	for len(keys) < 200 {
		keys[randomKey(rng)] = true
	}
	var sets [][]string
	for k := range keys {
		sets = append(sets, []string{"SET", k, "1"})
	}
	if _, err := c.Pipeline(sets); err != nil {
		t.Fatal(err)
	}

	patterns := []string{"", "*", "**", "?", "[", "[^", "\\", "[\\", "[]]", "[a-]", "[^]"}
	for len(patterns) < 2000 {
		patterns = append(patterns, randomPattern(rng))
	}
	var cmds [][]string
	for _, p := range patterns {
		cmds = append(cmds, []string{"KEYS", p})
	}
	replies, err := c.Pipeline(cmds)
	if err != nil {
		t.Fatal(err)
	}
	failures, nonEmpty := 0, 0
	for i, p := range patterns {
		got := replyStrings(t, replies[i])
		if len(got) > 0 {
			nonEmpty++
		}
		var want []string
		for k := range keys {
			// KEYS answers the bare pattern "*" without the matcher.
			if p == "*" || glob.Match(p, k) {
				want = append(want, k)
			}
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("KEYS %q: redis returned %q, Match accepts %q", p, got, want)
			if failures++; failures > 20 {
				t.Fatal("too many differences")
			}
		}
	}
	if nonEmpty < len(patterns)/4 {
		t.Errorf("only %d of %d patterns matched any key; the test patterns are too unlikely to match", nonEmpty, len(patterns))
	}
	t.Logf("%d of %d patterns matched at least one of %d keys", nonEmpty, len(patterns), len(keys))
}

// TestMatchFoldAgainstRedis checks MatchFold against CONFIG GET, which
// matches parameter names case-insensitively.
func TestMatchFoldAgainstRedis(t *testing.T) {
	s := redistest.Start(t)
	c := s.Dial(t)
	all, err := c.Do("CONFIG", "GET", "*")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i := 0; i < len(all.Elems); i += 2 {
		names = append(names, all.Elems[i].Str)
	}
	if len(names) < 100 {
		t.Fatalf("CONFIG GET * returned %d parameters, want over 100", len(names))
	}

	rng := rand.New(rand.NewSource(2))
	var patterns []string
	for len(patterns) < 1000 {
		p := mutateName(rng, names[rng.Intn(len(names))])
		// Without *, ? or [ Redis looks the name up directly instead of
		// matching.
		if strings.ContainsAny(p, "*?[") {
			patterns = append(patterns, p)
		}
	}
	var cmds [][]string
	for _, p := range patterns {
		cmds = append(cmds, []string{"CONFIG", "GET", p})
	}
	replies, err := c.Pipeline(cmds)
	if err != nil {
		t.Fatal(err)
	}
	nonEmpty, failures := 0, 0
	for i, p := range patterns {
		var got []string
		for j := 0; j < len(replies[i].Elems); j += 2 {
			got = append(got, replies[i].Elems[j].Str)
		}
		slices.Sort(got)
		var want []string
		for _, n := range names {
			if glob.MatchFold(p, n) {
				want = append(want, n)
			}
		}
		slices.Sort(want)
		if len(got) > 0 {
			nonEmpty++
		}
		if !slices.Equal(got, want) {
			t.Errorf("CONFIG GET %q: redis returned %q, MatchFold accepts %q", p, got, want)
			if failures++; failures > 20 {
				t.Fatal("too many differences")
			}
		}
	}
	t.Logf("%d of %d patterns matched at least one name", nonEmpty, len(patterns))
	if nonEmpty < len(patterns)/4 {
		t.Errorf("only %d of %d patterns matched any name; the test patterns are too unlikely to match", nonEmpty, len(patterns))
	}
}

// mutateName turns a parameter name into a pattern that often still matches
// it: letters change case, and some bytes become wildcards, classes or
// escapes.
func mutateName(rng *rand.Rand, name string) string {
	var sb strings.Builder
	for i := 0; i < len(name); i++ {
		ch := name[i]
		switch rng.Intn(40) {
		case 0:
			sb.WriteString(strings.ToUpper(string(ch)))
		case 1:
			sb.WriteByte('?')
		case 2:
			sb.WriteByte('*')
			i += rng.Intn(4)
		case 3:
			sb.WriteString("[" + strings.ToUpper(string(ch)) + "x]")
		case 4:
			sb.WriteString("[^#" + string(ch+1) + "]")
		case 5:
			sb.WriteString("[A-Z]")
		case 6:
			sb.WriteString("\\" + strings.ToUpper(string(ch)))
		case 7:
			sb.WriteString("[\\" + strings.ToUpper(string(ch)) + "]")
		default:
			sb.WriteByte(ch)
		}
	}
	return sb.String()
}

// replyStrings returns the sorted bulk strings of an array reply.
func replyStrings(t *testing.T, v resp.Value) []string {
	t.Helper()
	if v.Kind != resp.Array {
		t.Fatalf("reply = %v, want an array", v)
	}
	var out []string
	for _, e := range v.Elems {
		out = append(out, e.Str)
	}
	slices.Sort(out)
	return out
}
