package resp_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/redistest"
	"github.com/kevy-go/kevy/internal/resp"
)

// rawExchange sends input on a fresh connection and returns everything the
// server sends back until it closes the connection or goes quiet.
func rawExchange(t *testing.T, addr string, input []byte, quiet time.Duration) []byte {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go conn.Write(input) // the server may close before reading everything
	var out bytes.Buffer
	buf := make([]byte, 4096)
	for {
		conn.SetReadDeadline(time.Now().Add(quiet))
		n, err := conn.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			return out.Bytes()
		}
	}
}

// TestProtocolErrorsAgainstRedis sends malformed requests to a real
// redis-server and checks that it replies with exactly "-ERR " followed by
// the text of the *ProtocolError that ReadCommand returns.
func TestProtocolErrorsAgainstRedis(t *testing.T) {
	s := redistest.Start(t)
	inputs := []string{
		"*-0\r\n",
		"*\r\n",
		"*01\r\n",
		"*+1\r\n",
		"*2147483648\r\n",
		"*9223372036854775808\r\n",
		"*1\r\n$-1\r\n",
		"*1\r\n$536870913\r\n",
		"*1\r\n$04\r\nPING\r\n",
		"*1\r\n$ 4\r\nPING\r\n",
		"*1\r\nX\r\n",
		"*1\r\n:1\r\n",
		"*1\r\n\r\n",
		"*1\r\n\n\r\n",
		"*2\r\n$4\r\nECHO\r\n*1\r\n",
		"ECHO \"abc\r\n",
		"ECHO \"abc\\\"\r\n",
		"ECHO \"abc\\\r\n",
		"ECHO \"a\"b\r\n",
		"ECHO 'abc\r\n",
		"ECHO 'a'b\r\n",
		"*" + strings.Repeat("1", 65537),
		"*1\r\n$" + strings.Repeat("1", 65536),
		"*1\r\n" + strings.Repeat("X", 70000),
		strings.Repeat("a", 70000),
	}
	for _, in := range inputs {
		_, err := resp.NewReader(strings.NewReader(in)).ReadCommand()
		var pe *resp.ProtocolError
		if !errors.As(err, &pe) {
			t.Errorf("ReadCommand(%.40q) error = %v, want a protocol error", in, err)
			continue
		}
		got := rawExchange(t, s.Addr(), []byte(in), 2*time.Second)
		if want := "-ERR " + pe.Error() + "\r\n"; string(got) != want {
			t.Errorf("redis replies to %.40q with %q; ReadCommand says %q", in, got, want)
		}
	}
}

// TestInlineAgainstRedis checks inline argument splitting against a real
// redis-server: each random line is sent as the tail of an inline RPUSH, and
// LRANGE shows how Redis split it.
func TestInlineAgainstRedis(t *testing.T) {
	s := redistest.Start(t)
	rng := rand.New(rand.NewSource(3))
	pieces := []string{
		"a", "b", "x", "4", "1", "f", "F", "n", "q", " ", " ", " ", "\t", "\v", "\f", "\r",
		`"`, `"`, `'`, `'`, `\`, `\x`, `\x41`, `\xfF`, `\x4g`, `\n`, `\'`, `\"`, `""`, `''`, "\xff",
	}
	var valid, invalid []string
	for len(valid)+len(invalid) < 600 {
		var sb strings.Builder
		for n := rng.Intn(8); n > 0; n-- {
			sb.WriteString(pieces[rng.Intn(len(pieces))])
		}
		line := sb.String()
		if _, err := parseInline("RPUSH L " + line); err != nil {
			if len(invalid) < 60 {
				invalid = append(invalid, line)
			}
		} else {
			valid = append(valid, line)
		}
	}

	// Valid lines, pipelined on one connection.
	var wire []byte
	for _, line := range valid {
		wire = append(wire, "RPUSH L "+line+"\r\n"...)
		wire = resp.AppendCommand(wire, "LRANGE", "L", "0", "-1")
		wire = resp.AppendCommand(wire, "DEL", "L")
	}
	conn, err := net.DialTimeout("tcp", s.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	go conn.Write(wire)
	rd := resp.NewReader(conn)
	for _, line := range valid {
		args, _ := parseInline("RPUSH L " + line)
		push, err1 := rd.ReadValue()
		lrange, err2 := rd.ReadValue()
		_, err3 := rd.ReadValue()
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range lrange.Elems {
			got = append(got, e.Str)
		}
		want := args[2:]
		if len(want) == 0 {
			want = nil
			if !push.IsError() {
				t.Errorf("RPUSH L %q = %v, want a wrong number of arguments error", line, push)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("inline RPUSH L %q: redis pushed %q, ReadCommand split %q", line, got, want)
		}
	}

	// Invalid lines each close their connection.
	for _, line := range invalid {
		got := rawExchange(t, s.Addr(), []byte("RPUSH L "+line+"\r\n"), 2*time.Second)
		if want := "-ERR Protocol error: unbalanced quotes in request\r\n"; string(got) != want {
			t.Errorf("redis replies to inline RPUSH L %q with %q, want %q", line, got, want)
		}
	}
	t.Logf("%d valid and %d invalid inline lines compared", len(valid), len(invalid))
}

// parseInline reads one inline request.
func parseInline(line string) ([]string, error) {
	args, err := resp.NewReader(strings.NewReader(line + "\r\n")).ReadCommand()
	if err == io.EOF {
		return nil, nil
	}
	return args, err
}
