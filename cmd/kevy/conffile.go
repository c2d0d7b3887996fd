package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kevy-go/kevy/internal/resp"
)

// redis-server's command line: kevy [config-file | -] [--name value...]...
// Directives come from the file (or standard input for "-") first, then
// from the command line, where each --name starts a directive and the
// following arguments are its values; later directives override earlier
// ones, as in redis-server.

// directive is one configuration line.
type directive struct {
	args []string // name and values
	line int      // 1-based, counting the file's lines then the command line's
	text string   // as written, for error reports
}

// configError is redis-server's fatal configuration error.
type configError struct {
	d      directive
	reason string
}

func (e *configError) Error() string {
	return fmt.Sprintf("\n*** FATAL CONFIG FILE ERROR (Redis %s) ***\nReading the configuration file, at line %d\n>>> '%s'\n%s",
		redisVersion, e.d.line, e.d.text, e.reason)
}

// parseArgs reads the configuration the command line names and applies
// the command line's directives after it.
func parseArgs(args []string, stdin io.Reader) (*options, error) {
	o := defaultOptions()
	var ds []directive
	if len(args) > 0 && (args[0] == "-" || !strings.HasPrefix(args[0], "-")) {
		var src io.Reader
		if args[0] == "-" {
			src = stdin
		} else {
			f, err := os.Open(args[0])
			if err != nil {
				return nil, fmt.Errorf("Fatal error, can't open config file '%s': %v", args[0], err)
			}
			defer f.Close()
			src = f
			o.configFile = args[0]
			if abs, err := absPath(args[0]); err == nil {
				o.configFile = abs
			}
		}
		fileDs, err := readConfig(src)
		if err != nil {
			return nil, err
		}
		ds = fileDs
		args = args[1:]
	}
	cmdDs, err := commandLineDirectives(args, len(ds))
	if err != nil {
		return nil, err
	}
	ds = append(ds, cmdDs...)
	for _, d := range ds {
		n := len(o.params)
		if reason := o.apply(d.args[0], d.args[1:]); reason != "" {
			return nil, &configError{d, reason}
		}
		if len(o.params) > n {
			o.paramLines = append(o.paramLines, d)
		}
	}
	return o, nil
}

// readConfig splits a redis.conf into directives: one per line, split like
// Redis's sdssplitargs, skipping blank lines and # comments.
func readConfig(r io.Reader) ([]directive, error) {
	var out []directive
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		args, err := splitLine(line)
		d := directive{args: args, line: n, text: line}
		if err != nil {
			return nil, &configError{d, "Unbalanced quotes in configuration line"}
		}
		if len(args) == 0 {
			continue
		}
		if strings.EqualFold(args[0], "include") {
			return nil, &configError{d, "include is not supported by kevy"}
		}
		out = append(out, d)
	}
	return out, sc.Err()
}

// splitLine splits one line as Redis's sdssplitargs does.
func splitLine(line string) ([]string, error) {
	args, err := resp.NewReader(strings.NewReader(line + "\n")).ReadCommand()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	return args, err
}

// commandLineDirectives groups "--name v1 v2 --other v" into directives.
func commandLineDirectives(args []string, firstLine int) ([]directive, error) {
	var out []directive
	for _, a := range args {
		if strings.HasPrefix(a, "--") && len(a) > 2 {
			out = append(out, directive{args: []string{a[2:]}})
			continue
		}
		if len(out) == 0 {
			d := directive{args: []string{a}, line: firstLine + 1, text: a}
			return nil, &configError{d, errBadDirective}
		}
		last := &out[len(out)-1]
		last.args = append(last.args, a)
	}
	for i := range out {
		out[i].line = firstLine + i + 1
		var b strings.Builder
		for j, a := range out[i].args {
			if j > 0 {
				b.WriteByte(' ')
			}
			if j > 0 && (a == "" || strings.ContainsAny(a, " \t\"'")) {
				b.WriteString(fmt.Sprintf("%q", a))
			} else {
				b.WriteString(a)
			}
		}
		out[i].text = b.String()
	}
	return out, nil
}
