package resp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"unsafe"
)

// readers returns the ways a test input is delivered: all at once, one byte
// per Read, and with io.EOF returned together with the last data.
func readers(input string) map[string]io.Reader {
	return map[string]io.Reader{
		"whole":   strings.NewReader(input),
		"onebyte": iotest.OneByteReader(strings.NewReader(input)),
		"dataerr": iotest.DataErrReader(strings.NewReader(input)),
	}
}

// errText renders an error for comparison; nil is "".
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestReadCommand(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  [][]string // commands returned before the final error
		err   string     // the final error; "EOF" for a clean end
	}{
		// Multibulk.
		{"ping", "*1\r\n$4\r\nPING\r\n", [][]string{{"PING"}}, "EOF"},
		{"empty arg", "*2\r\n$3\r\nGET\r\n$0\r\n\r\n", [][]string{{"GET", ""}}, "EOF"},
		{"all empty", "*2\r\n$0\r\n\r\n$0\r\n\r\n", [][]string{{"", ""}}, "EOF"},
		{"binary", "*1\r\n$5\r\na\x00\r\n\xff\r\n", [][]string{{"a\x00\r\n\xff"}}, "EOF"},
		{"pipelined", "*1\r\n$1\r\na\r\n*2\r\n$1\r\nb\r\n$2\r\ncd\r\n", [][]string{{"a"}, {"b", "cd"}}, "EOF"},
		{"crlf not checked", "*1\rX$4\rYPINGxx", [][]string{{"PING"}}, "EOF"},
		{"zero and negative counts skipped", "*0\r\n*-1\r\n*-5\r\n*1\r\n$1\r\na\r\n", [][]string{{"a"}}, "EOF"},
		{"max bulk count", "*2147483647\r\n", nil, "unexpected EOF"},

		// Inline.
		{"inline", "PING\r\n", [][]string{{"PING"}}, "EOF"},
		{"inline lf", "PING\n", [][]string{{"PING"}}, "EOF"},
		{"inline cr cr lf", "PING\r\r\n", [][]string{{"PING"}}, "EOF"},
		{"blank lines skipped", "\r\n\n  \t\r\nPING\r\n", [][]string{{"PING"}}, "EOF"},
		{"inline args", "  SET  k   v  \r\n", [][]string{{"SET", "k", "v"}}, "EOF"},
		{"double quotes", `ECHO "\x41\x4g\n\q\"\\ \r\t\b\a"` + "\r\n", [][]string{{"ECHO", "Ax4g\nq\"\\ \r\t\b\a"}}, "EOF"},
		{"hex upper", `ECHO "\xFf\x0A"` + "\r\n", [][]string{{"ECHO", "\xff\n"}}, "EOF"},
		{"single quotes", `ECHO 'a\'b\n"'` + "\r\n", [][]string{{"ECHO", `a'b\n"`}}, "EOF"},
		{"quote inside arg", `ECHO x"a b" y` + "\r\n", [][]string{{"ECHO", "xa b", "y"}}, "EOF"},
		{"empty quoted", `SET a "" ''` + "\r\n", [][]string{{"SET", "a", "", ""}}, "EOF"},
		{"vt after quote", "ECHO \"a\"\vb\r\n", [][]string{{"ECHO", "a", "b"}}, "EOF"},
		{"vt inside arg", "ECHO a\vb\r\n", [][]string{{"ECHO", "a\vb"}}, "EOF"},
		{"leading vt skipped", "\vECHO\f a\r\n", [][]string{{"ECHO\f", "a"}}, "EOF"},
		{"ff after quote", "ECHO \"a\"\f\r\n", [][]string{{"ECHO", "a"}}, "EOF"},
		{"cr inside line", "ECHO a\rb\r\n", [][]string{{"ECHO", "a", "b"}}, "EOF"},
		{"nul ends line", "ECHO a\x00b c\r\nPING\r\n", [][]string{{"ECHO", "a"}, {"PING"}}, "EOF"},
		{"mixed", "PING\r\n*1\r\n$4\r\nPING\r\nPING\n", [][]string{{"PING"}, {"PING"}, {"PING"}}, "EOF"},

		// Protocol errors, with Redis's texts.
		{"minus zero count", "*-0\r\n", nil, "Protocol error: invalid multibulk length"},
		{"empty count", "*\r\n", nil, "Protocol error: invalid multibulk length"},
		{"leading zero count", "*01\r\n", nil, "Protocol error: invalid multibulk length"},
		{"plus count", "*+1\r\n", nil, "Protocol error: invalid multibulk length"},
		{"count over int max", "*2147483648\r\n", nil, "Protocol error: invalid multibulk length"},
		{"count overflow", "*9223372036854775808\r\n", nil, "Protocol error: invalid multibulk length"},
		{"null bulk", "*1\r\n$-1\r\n", nil, "Protocol error: invalid bulk length"},
		{"bulk over max", "*1\r\n$536870913\r\n", nil, "Protocol error: invalid bulk length"},
		{"bulk leading zero", "*1\r\n$04\r\nPING\r\n", nil, "Protocol error: invalid bulk length"},
		{"bulk space", "*1\r\n$ 4\r\nPING\r\n", nil, "Protocol error: invalid bulk length"},
		{"not dollar", "*1\r\nX\r\n", nil, "Protocol error: expected '$', got 'X'"},
		{"cr instead of dollar", "*1\r\n\r\n", nil, "Protocol error: expected '$', got ' '"},
		{"lf instead of dollar", "*1\r\n\n\r\n", nil, "Protocol error: expected '$', got ' '"},
		{"error after good", "*1\r\n$1\r\na\r\n*1\r\n:1\r\n", [][]string{{"a"}}, "Protocol error: expected '$', got ':'"},
		{"unbalanced double", `ECHO "abc` + "\r\n", nil, "Protocol error: unbalanced quotes in request"},
		{"escaped closing quote", `ECHO "abc\"` + "\r\n", nil, "Protocol error: unbalanced quotes in request"},
		{"trailing backslash", `ECHO "abc\` + "\r\n", nil, "Protocol error: unbalanced quotes in request"},
		{"text after quote", `ECHO "a"b` + "\r\n", nil, "Protocol error: unbalanced quotes in request"},
		{"unbalanced single", `ECHO 'abc` + "\r\n", nil, "Protocol error: unbalanced quotes in request"},
		{"text after single", `ECHO 'a'b` + "\r\n", nil, "Protocol error: unbalanced quotes in request"},
		{"huge count line", "*" + strings.Repeat("1", 65537), nil, "Protocol error: too big mbulk count string"},
		{"huge count line with cr", "*" + strings.Repeat("1", 70000) + "\r\n", nil, "Protocol error: too big mbulk count string"},
		{"huge bulk line", "*1\r\n$" + strings.Repeat("1", 65536), nil, "Protocol error: too big bulk count string"},
		{"huge bulk line before type", "*1\r\n" + strings.Repeat("X", 70000), nil, "Protocol error: too big bulk count string"},
		{"huge inline", strings.Repeat("a", 65537), nil, "Protocol error: too big inline request"},
		{"huge inline with lf", strings.Repeat("a", 65537) + "\n", nil, "Protocol error: too big inline request"},

		// Limits are inclusive.
		{"count line at limit", "*" + strings.Repeat("1", 65535), nil, "unexpected EOF"},
		{"inline at limit", strings.Repeat("a", 65536), nil, "unexpected EOF"},
		{"inline at limit with lf", strings.Repeat("a", 65536) + "\n", [][]string{{strings.Repeat("a", 65536)}}, "EOF"},

		// Truncation.
		{"empty", "", nil, "EOF"},
		{"torn count", "*1", nil, "unexpected EOF"},
		{"torn after cr", "*1\r", nil, "unexpected EOF"},
		{"torn bulk header", "*1\r\n$4", nil, "unexpected EOF"},
		{"torn payload", "*1\r\n$4\r\nPI", nil, "unexpected EOF"},
		{"torn crlf", "*1\r\n$4\r\nPING\r", nil, "unexpected EOF"},
		{"torn second arg", "*2\r\n$4\r\nPING\r\n", nil, "unexpected EOF"},
		{"torn inline", "PING", nil, "unexpected EOF"},
		{"torn after good", "PING\r\nPI", [][]string{{"PING"}}, "unexpected EOF"},
	}
	for _, tt := range tests {
		for how, rd := range readers(tt.input) {
			t.Run(tt.name+"/"+how, func(t *testing.T) {
				r := NewReader(rd)
				var got [][]string
				var err error
				for {
					var args []string
					args, err = r.ReadCommand()
					if err != nil {
						break
					}
					got = append(got, args)
				}
				if !slices.EqualFunc(got, tt.want, slices.Equal) {
					t.Errorf("ReadCommand(%.40q) = %q, want %q", tt.input, got, tt.want)
				}
				if errText(err) != tt.err {
					t.Errorf("ReadCommand(%.40q) error = %q, want %q", tt.input, errText(err), tt.err)
				}
				var pe *ProtocolError
				if errors.As(err, &pe) {
					// Sticky.
					if _, again := r.ReadCommand(); again != err {
						t.Errorf("ReadCommand after %q = %v, want the same error", err, again)
					}
				}
				if err == io.EOF && r.Offset() != int64(len(tt.input)) {
					t.Errorf("Offset() = %d at EOF, want %d", r.Offset(), len(tt.input))
				}
			})
		}
	}
}

func TestReadCommandInto(t *testing.T) {
	r := NewReader(strings.NewReader("*2\r\n$1\r\na\r\n$1\r\nb\r\nX Y Z\r\n"))
	buf := make([]string, 0, 8)
	args, err := r.ReadCommandInto(buf)
	if err != nil || !slices.Equal(args, []string{"a", "b"}) {
		t.Fatalf("ReadCommandInto = %q, %v, want [a b]", args, err)
	}
	if &args[0] != &buf[:1][0] {
		t.Error("ReadCommandInto did not reuse the slice it was given")
	}
	args, err = r.ReadCommandInto(args)
	if err != nil || !slices.Equal(args, []string{"X", "Y", "Z"}) {
		t.Fatalf("ReadCommandInto = %q, %v, want [X Y Z]", args, err)
	}
}

func TestOffsetAndBuffered(t *testing.T) {
	first := "*1\r\n$4\r\nPING\r\n"
	second := "*0\r\n\r\nECHO hi\r\n"
	third := "*2\r\n$4\r\nECHO\r\n$3\r\nbye\r\n"
	r := NewReader(strings.NewReader(first + second + third))
	steps := []struct {
		want     []string
		offset   int
		buffered int
	}{
		{[]string{"PING"}, len(first), len(second + third)},
		{[]string{"ECHO", "hi"}, len(first + second), len(third)},
		{[]string{"ECHO", "bye"}, len(first + second + third), 0},
	}
	for i, st := range steps {
		args, err := r.ReadCommand()
		if err != nil || !slices.Equal(args, st.want) {
			t.Fatalf("ReadCommand #%d = %q, %v, want %q", i, args, err, st.want)
		}
		if r.Offset() != int64(st.offset) || r.Buffered() != st.buffered {
			t.Errorf("after #%d Offset, Buffered = %d, %d, want %d, %d", i, r.Offset(), r.Buffered(), st.offset, st.buffered)
		}
	}
}

func TestReadStrictCommand(t *testing.T) {
	good := "*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
	tests := []struct {
		name   string
		input  string
		want   int    // commands read before the error
		err    string // final error
		offset int    // Offset after the error
	}{
		{"clean", good, 2, "EOF", len(good)},
		{"torn tail", good + "*2\r\n$3\r\nDEL\r\n$1\r\n", 2, "unexpected EOF", len(good)},
		{"torn header", good + "*", 2, "unexpected EOF", len(good)},
		{"inline", good + "PING\r\n", 2, "Protocol error: expected '*'", len(good)},
		{"zero count", good + "*0\r\n", 2, "Protocol error: invalid multibulk length", len(good)},
		{"null count", "*-1\r\n", 0, "Protocol error: invalid multibulk length", 0},
		{"garbage", good + "*1\r\nfoo\r\n", 2, "Protocol error: expected '$', got 'f'", len(good)},
	}
	for _, tt := range tests {
		for how, rd := range readers(tt.input) {
			t.Run(tt.name+"/"+how, func(t *testing.T) {
				r := NewReader(rd)
				n := 0
				var err error
				for {
					if _, err = r.ReadStrictCommand(); err != nil {
						break
					}
					n++
				}
				if n != tt.want || errText(err) != tt.err || r.Offset() != int64(tt.offset) {
					t.Errorf("ReadStrictCommand(%q): %d commands, error %q, Offset %d; want %d, %q, %d",
						tt.input, n, errText(err), r.Offset(), tt.want, tt.err, tt.offset)
				}
			})
		}
	}
}

func TestReaderLimits(t *testing.T) {
	tests := []struct {
		name  string
		setup func(r *Reader)
		input string
		err   string
	}{
		{"bulk at limit", func(r *Reader) { r.MaxBulkLen = 4 }, "*1\r\n$4\r\nPING\r\n", "EOF"},
		{"bulk over limit", func(r *Reader) { r.MaxBulkLen = 3 }, "*1\r\n$4\r\nPING\r\n", "Protocol error: invalid bulk length"},
		{"count at limit", func(r *Reader) { r.MaxMultibulkLen = 2 }, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "EOF"},
		{"count over limit", func(r *Reader) { r.MaxMultibulkLen = 1 }, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "Protocol error: invalid multibulk length"},
		{"inline at limit", func(r *Reader) { r.MaxInlineLen = 4 }, "PING\n", "EOF"},
		{"inline over limit", func(r *Reader) { r.MaxInlineLen = 3 }, "PING\n", "Protocol error: too big inline request"},
		{"header over limit", func(r *Reader) { r.MaxInlineLen = 3 }, "*1\r\n$1000\r\n", "Protocol error: too big bulk count string"},
		{"huge limit is capped", func(r *Reader) { r.MaxBulkLen = math.MaxInt64 }, "*1\r\n$9223372036854775807\r\n", "Protocol error: invalid bulk length"},
		{"huge limit at cap", func(r *Reader) { r.MaxBulkLen = math.MaxInt64 }, "*1\r\n$2305843009213693951\r\nabc", "unexpected EOF"},
		{"zero means default", func(r *Reader) { r.MaxBulkLen, r.MaxMultibulkLen, r.MaxInlineLen = 0, 0, 0 }, "*1\r\n$4\r\nPING\r\n", "EOF"},
	}
	for _, tt := range tests {
		r := NewReader(strings.NewReader(tt.input))
		tt.setup(r)
		var err error
		for err == nil {
			_, err = r.ReadCommand()
		}
		if errText(err) != tt.err {
			t.Errorf("%s: ReadCommand(%q) error = %q, want %q", tt.name, tt.input, errText(err), tt.err)
		}
		// The same bulk limits apply to replies (line limits have their own
		// text there).
		if reply, ok := strings.CutPrefix(tt.input, "*1\r\n"); ok && strings.HasPrefix(reply, "$") && !strings.Contains(tt.err, "too big") {
			r := NewReader(strings.NewReader(reply))
			tt.setup(r)
			if _, err := r.ReadValue(); errText(err) != tt.err && !(tt.err == "EOF" && err == nil) {
				t.Errorf("%s: ReadValue(%q) error = %q, want %q", tt.name, reply, errText(err), tt.err)
			}
		}
	}
}

// TestForgedLengths checks that announced lengths are not trusted for
// allocation: the buffer grows only with the data that actually arrives.
func TestForgedLengths(t *testing.T) {
	inputs := []string{
		"*1\r\n$536870912\r\n" + strings.Repeat("x", 1000),
		"*2147483647\r\n" + strings.Repeat("$1\r\na\r\n", 100),
	}
	for _, in := range inputs {
		r := NewReader(strings.NewReader(in))
		if _, err := r.ReadCommand(); err != io.ErrUnexpectedEOF {
			t.Errorf("ReadCommand(%.30q...) error = %v, want unexpected EOF", in, err)
		}
		if cap(r.buf) > 64*1024 || cap(r.spans) > 1024 {
			t.Errorf("ReadCommand(%.30q...) grew buffer to %d bytes and %d spans, want them bounded by the %d bytes sent",
				in, cap(r.buf), cap(r.spans), len(in))
		}
	}
}

// TestBigRequest reads a request larger than the initial buffer in small
// pieces and checks that a big buffer is released once drained.
func TestBigRequest(t *testing.T) {
	big := strings.Repeat("0123456789", 100_000)
	input := string(AppendCommand(nil, "SET", "k", big)) + "PING\r\n"
	r := NewReader(iotest.HalfReader(strings.NewReader(input)))
	args, err := r.ReadCommand()
	if err != nil || len(args) != 3 || args[2] != big {
		t.Fatalf("ReadCommand(1 MB SET) = %d args, %v; want SET k <1 MB>", len(args), err)
	}
	args, err = r.ReadCommand()
	if err != nil || !slices.Equal(args, []string{"PING"}) {
		t.Fatalf("ReadCommand after big request = %q, %v, want [PING]", args, err)
	}
	if _, err := r.ReadCommand(); err != io.EOF {
		t.Fatalf("ReadCommand at end = %v, want EOF", err)
	}
	if len(r.buf) > maxRetainedBuf {
		t.Errorf("buffer still %d bytes after draining, want at most %d", len(r.buf), maxRetainedBuf)
	}
}

// flakyReader returns its chunks one per Read, with errTimeout in place of
// each nil chunk.
type flakyReader struct {
	chunks [][]byte
}

var errTimeout = errors.New("i/o timeout")

func (f *flakyReader) Read(p []byte) (int, error) {
	if len(f.chunks) == 0 {
		return 0, io.EOF
	}
	c := f.chunks[0]
	f.chunks = f.chunks[1:]
	if c == nil {
		return 0, errTimeout
	}
	return copy(p, c), nil
}

// TestReadRetryAfterError checks that an error from the underlying reader in
// the middle of a request loses nothing: the next call completes it.
func TestReadRetryAfterError(t *testing.T) {
	fr := &flakyReader{chunks: [][]byte{
		[]byte("*2\r\n$3\r\nGET"), nil, []byte("\r\n$1\r"), nil, []byte("\nk\r\n+OK\r"), nil, []byte("\n"),
	}}
	r := NewReader(fr)
	var args []string
	var err error
	for range 3 {
		if args, err = r.ReadCommand(); err != errTimeout {
			break
		}
		if r.Offset() != 0 {
			t.Errorf("Offset() = %d after a timeout mid-request, want 0", r.Offset())
		}
	}
	if err != nil || !slices.Equal(args, []string{"GET", "k"}) {
		t.Fatalf("ReadCommand across timeouts = %q, %v, want [GET k]", args, err)
	}
	v, err := r.ReadValue()
	if err == errTimeout {
		v, err = r.ReadValue()
	}
	if err != nil || v.String() != "+OK" {
		t.Fatalf("ReadValue across a timeout = %v, %v, want +OK", v, err)
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"-1", -1, true}, {"123", 123, true},
		{"9223372036854775807", 1<<63 - 1, true},
		{"-9223372036854775808", -1 << 63, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false},
		{"", 0, false}, {"-", 0, false}, {"-0", 0, false}, {"00", 0, false},
		{"01", 0, false}, {"+1", 0, false}, {" 1", 0, false}, {"1 ", 0, false},
		{"1a", 0, false}, {"000000000000000000001", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseInt([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseInt(%q) = %d, %v, want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestReadCommandAllocs checks the allocation budget: one string for all of a
// request's arguments plus the argument slice, or just the string when the
// caller supplies the slice.
func TestReadCommandAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector adds allocations")
	}
	var stream bytes.Buffer
	for i := 0; i < 1000; i++ {
		stream.Write(AppendCommand(nil, "SET", fmt.Sprintf("key:%d", i), "some value"))
		stream.WriteString("SET inline \"quoted value\"\r\n")
	}
	data := stream.Bytes()
	r := NewReader(bytes.NewReader(data))
	allocs := testing.AllocsPerRun(500, func() {
		if _, err := r.ReadCommand(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 2 {
		t.Errorf("ReadCommand allocates %.1f times per request, want at most 2", allocs)
	}
	r = NewReader(bytes.NewReader(data))
	args := make([]string, 0, 8)
	allocs = testing.AllocsPerRun(500, func() {
		var err error
		if args, err = r.ReadCommandInto(args); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("ReadCommandInto allocates %.1f times per request, want at most 1", allocs)
	}
}

// TestReaderBorrow checks Reader.Borrow: the commands it accepts get views
// of the reader's buffer (no allocation) with the right contents, the
// others copies; it is asked with each multibulk command's name.
func TestReaderBorrow(t *testing.T) {
	var stream strings.Builder
	for range 50 {
		stream.WriteString("*2\r\n$3\r\nGET\r\n$5\r\nkey:1\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n*3\r\n$4\r\nMGET\r\n$0\r\n\r\n$1\r\nb\r\n")
	}
	r := NewReader(strings.NewReader(stream.String()))
	var asked []string
	r.Borrow = func(name []byte) bool {
		asked = append(asked, string(name))
		return string(name) != "SET"
	}
	inBuffer := func(s string) bool {
		if s == "" {
			return true
		}
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		lo := uintptr(unsafe.Pointer(unsafe.SliceData(r.buf)))
		return p >= lo && p < lo+uintptr(cap(r.buf))
	}
	args := make([]string, 0, 8)
	for i := range 50 {
		var err error
		args, err = r.ReadCommandInto(args)
		if err != nil || !slices.Equal(args, []string{"GET", "key:1"}) || !inBuffer(args[0]) || !inBuffer(args[1]) {
			t.Fatalf("command %d: %q, %v: want a borrowed [GET key:1]", i, args, err)
		}
		args, err = r.ReadCommandInto(args)
		if err != nil || !slices.Equal(args, []string{"SET", "k", ""}) || inBuffer(args[0]) {
			t.Fatalf("command %d: %q, %v: want a copied [SET k \"\"]", i, args, err)
		}
		args, err = r.ReadCommandInto(args)
		if err != nil || !slices.Equal(args, []string{"MGET", "", "b"}) || !inBuffer(args[2]) {
			t.Fatalf("command %d: %q, %v: want a borrowed [MGET \"\" b]", i, args, err)
		}
	}
	if len(asked) != 150 || asked[0] != "GET" || asked[1] != "SET" || asked[2] != "MGET" {
		t.Fatalf("Borrow was asked %d times, first %q", len(asked), asked[:min(3, len(asked))])
	}
	if raceEnabled {
		return
	}
	one := "*2\r\n$3\r\nGET\r\n$5\r\nkey:1\r\n"
	rd := strings.NewReader("")
	r = NewReader(rd)
	r.Borrow = func([]byte) bool { return true }
	allocs := testing.AllocsPerRun(100, func() {
		rd.Reset(one)
		r.r, r.w = 0, 0
		if args, _ = r.ReadCommandInto(args); len(args) != 2 {
			t.Fatal(args)
		}
	})
	if allocs != 0 {
		t.Fatalf("a borrowed GET allocated %v times", allocs)
	}
}
