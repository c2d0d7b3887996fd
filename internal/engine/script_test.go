package engine

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kevy-go/kevy/internal/redistest"
	"github.com/kevy-go/kevy/internal/resp"
)

// Script tests: testdata/script/*.txt hold commands and the replies real
// Redis 7.0 gave them. Each file starts from an empty keyspace.
//
//	# a comment
//	> SET k "a value"      (arguments: bare words or Go-quoted strings)
//	+OK                    (the reply, as resp.Value.String renders it)
//	>~ SMEMBERS s          (>~ compares arrays unordered, >~2 unordered pairs,
//	                        >? only kind and length, >t integers within ttlSlack)
//
// go test -run TestScripts -update regenerates the replies from a real
// redis-server.

var update = flag.Bool("update", false, "regenerate testdata/script replies from a real redis-server")

type scriptStep struct {
	line int
	mode cmp
	args []string
	want string
}

func parseScript(t *testing.T, path string) ([]scriptStep, []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var steps []scriptStep
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		lines = append(lines, line)
		if !strings.HasPrefix(line, ">") {
			if len(steps) > 0 && steps[len(steps)-1].want == "" && line != "" && !strings.HasPrefix(line, "#") {
				steps[len(steps)-1].want = line
			}
			continue
		}
		head, rest, _ := strings.Cut(line, " ")
		mode := map[string]cmp{">": cmpExact, ">~": cmpUnordered, ">~2": cmpPairs, ">?": cmpShape, ">t": cmpTTL}
		m, ok := mode[head]
		if !ok {
			t.Fatalf("%s:%d: unknown marker %q", path, n, head)
		}
		args, err := splitScriptArgs(rest)
		if err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		steps = append(steps, scriptStep{line: n, mode: m, args: args})
	}
	return steps, lines
}

// splitScriptArgs splits on spaces; a token starting with " is Go-quoted.
func splitScriptArgs(s string) ([]string, error) {
	var out []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		if s[0] == '"' {
			q, err := strconv.QuotedPrefix(s)
			if err != nil {
				return nil, err
			}
			u, _ := strconv.Unquote(q)
			out = append(out, u)
			s = s[len(q):]
			continue
		}
		tok, rest, _ := strings.Cut(s, " ")
		out = append(out, tok)
		s = rest
	}
	return out, nil
}

func TestScripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/script/*.txt")
	if len(files) == 0 {
		t.Fatal("no script files in testdata/script")
	}
	var rc *redistest.Client
	if *update {
		rc = redistest.Start(t).Dial(t)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			steps, lines := parseScript(t, path)
			if *update {
				if _, err := rc.Do("FLUSHALL"); err != nil {
					t.Fatal(err)
				}
				if _, err := rc.Do(configDefaults...); err != nil { // a file may change settings
					t.Fatal(err)
				}
				regenerate(t, rc, path, steps, lines)
				return
			}
			en := New(Config{ManualReaper: true})
			defer en.Close()
			for _, st := range steps {
				got := render(st.mode, execRESP(t, en, st.args))
				ok := got == st.want
				if st.mode == cmpTTL {
					w, err1 := strconv.ParseInt(st.want, 10, 64)
					g, err2 := strconv.ParseInt(got, 10, 64)
					ok = err1 == nil && err2 == nil && same(cmpTTL, resp.Value{Kind: resp.Integer, Int: w}, resp.Value{Kind: resp.Integer, Int: g})
				}
				if !ok {
					t.Errorf("%s:%d: %s = %s, want %s", path, st.line, quoteArgs(st.args), got, st.want)
				}
			}
		})
	}
}

// render is how a step's reply is stored: unordered replies with their
// items sorted, shape-only replies as kind/length.
func render(mode cmp, v resp.Value) string {
	switch mode {
	case cmpUnordered, cmpPairs:
		if v.Kind != resp.Array && v.Kind != resp.Set && v.Kind != resp.Map {
			return v.String()
		}
		step := 1
		if mode == cmpPairs {
			step = 2
		}
		return "sorted" + strconv.Quote(strings.Join(sortedItems(v.Elems, step), "|"))
	case cmpShape:
		return fmt.Sprintf("shape(%v/%d)", v.Kind, len(v.Elems))
	}
	return v.String()
}

func regenerate(t *testing.T, rc *redistest.Client, path string, steps []scriptStep, lines []string) {
	var out []string
	si := 0
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if si < len(steps) && steps[si].line == i+1 {
			st := steps[si]
			si++
			v, err := rc.Do(st.args...)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, line)
			out = append(out, render(st.mode, v))
			// Skip the old reply line.
			if i+1 < len(lines) && lines[i+1] != "" && !strings.HasPrefix(lines[i+1], ">") && !strings.HasPrefix(lines[i+1], "#") {
				i++
			}
			continue
		}
		out = append(out, line)
	}
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}
