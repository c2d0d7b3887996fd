package resp

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// readAllCommands reads commands until an error and returns them with it.
func readAllCommands(r *Reader, strict bool) ([][]string, error) {
	var cmds [][]string
	for {
		var args []string
		var err error
		if strict {
			args, err = r.ReadStrictCommand()
		} else {
			args, err = r.ReadCommand()
		}
		if err != nil {
			return cmds, err
		}
		cmds = append(cmds, args)
	}
}

// FuzzReadCommand checks that any input is read without panicking, that the
// result does not depend on how the input is split into reads, and that
// Offset stays within the input.
func FuzzReadCommand(f *testing.F) {
	seeds := []string{
		"*1\r\n$4\r\nPING\r\n", "PING\r\n", "SET k \"a\\x41\\n\" 'b\\''\r\n", "*0\r\n*-1\r\n",
		"*2\r\n$3\r\nGET\r\n$0\r\n\r\n", "*1\r\n$-1\r\n", "*1\r\nX\r\n", "ECHO \"abc\r\n",
		"*2147483647\r\n$2000000000\r\n", "*1\rX$4\rYPINGxx", "\r\n\n \t\r\n", "*1\r\n$4\r\nPI",
		"ECHO a\x00b\r\n", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\nPING\n",
		"*01\r\n$1\r\na\r\n", "*1\r\n$00\r\n\r\n", "*1\r\n$9999999999\r\n", "*1\r\n$10000000000\r\n",
		"*1\r\n$536870913\r\n", "*1\r\n$3\nabc\r\n", "*1\r\n$3\r", "*1\r\n:3\r\nabc\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		// Borrowed arguments (views of the buffer, valid until the next
		// read, so copied at once here) read the same as copies, also when
		// the buffer is refilled and compacted byte by byte.
		plain, perr := readAllCommands(NewReader(bytes.NewReader(input)), false)
		borrowing := NewReader(iotest.OneByteReader(bytes.NewReader(input)))
		borrowing.Borrow = func(name []byte) bool { return len(name)%2 == 0 }
		var borrowed [][]string
		var berr error
		for {
			args, err := borrowing.ReadCommand()
			if err != nil {
				berr = err
				break
			}
			kept := make([]string, len(args))
			for i, a := range args {
				kept[i] = strings.Clone(a)
			}
			borrowed = append(borrowed, kept)
		}
		if !slices.EqualFunc(plain, borrowed, slices.Equal) || errText(perr) != errText(berr) {
			t.Fatalf("copied arguments give %q, %v; borrowed %q, %v", plain, perr, borrowed, berr)
		}
		// The short-header fast path parses as the general one does.
		general := NewReader(bytes.NewReader(input))
		general.generalHeaders = true
		gcmds, gerr := readAllCommands(general, false)
		if !slices.EqualFunc(plain, gcmds, slices.Equal) || errText(perr) != errText(gerr) {
			t.Fatalf("with short headers %q, %v; general headers only %q, %v", plain, perr, gcmds, gerr)
		}
		for _, strict := range []bool{false, true} {
			whole := NewReader(bytes.NewReader(input))
			cmds, err := readAllCommands(whole, strict)
			bytewise := NewReader(iotest.OneByteReader(bytes.NewReader(input)))
			cmds2, err2 := readAllCommands(bytewise, strict)
			if !slices.EqualFunc(cmds, cmds2, slices.Equal) || errText(err) != errText(err2) {
				t.Fatalf("strict=%v: whole input gives %q, %v; byte by byte gives %q, %v", strict, cmds, err, cmds2, err2)
			}
			if whole.Offset() != bytewise.Offset() {
				t.Fatalf("strict=%v: Offset() = %d reading whole, %d byte by byte", strict, whole.Offset(), bytewise.Offset())
			}
			if whole.Offset() > int64(len(input)) || (err == io.EOF && whole.Offset() != int64(len(input))) {
				t.Fatalf("strict=%v: Offset() = %d with error %v, input is %d bytes", strict, whole.Offset(), err, len(input))
			}
			var pe *ProtocolError
			if err != io.EOF && err != io.ErrUnexpectedEOF && !errors.As(err, &pe) {
				t.Fatalf("strict=%v: unexpected error type %T: %v", strict, err, err)
			}
			for _, c := range cmds {
				if len(c) == 0 {
					t.Fatalf("strict=%v: ReadCommand returned an empty command", strict)
				}
			}
		}
	})
}

// FuzzCommandRoundTrip checks that AppendCommand then ReadCommand (and
// ReadStrictCommand) gives back any arguments.
func FuzzCommandRoundTrip(f *testing.F) {
	f.Add("SET\x00key\x00value", byte(0))
	f.Add("a\r\n\x00b", byte('\n'))
	f.Add("", byte(','))
	f.Add(",,,", byte(','))
	f.Fuzz(func(t *testing.T, joined string, sep byte) {
		args := strings.Split(joined, string([]byte{sep}))
		if joined == "" {
			args = nil
		}
		wire := AppendCommand(nil, args...)
		wire = AppendCommand(wire, "PING")
		want := [][]string{args, {"PING"}}
		if len(args) == 0 {
			want = want[1:] // a command with no arguments is skipped
		}
		for _, strict := range []bool{false, true} {
			r := NewReader(iotest.HalfReader(bytes.NewReader(wire)))
			got, err := readAllCommands(r, strict)
			if strict && len(args) == 0 {
				if len(got) != 0 || err == io.EOF {
					t.Fatalf("ReadStrictCommand(AppendCommand()) = %q, %v; want an error", got, err)
				}
				continue
			}
			if err != io.EOF || !slices.EqualFunc(got, want, slices.Equal) {
				t.Fatalf("strict=%v: reading AppendCommand(%q) + PING = %q, %v; want %q", strict, args, got, err, want)
			}
			if r.Offset() != int64(len(wire)) {
				t.Fatalf("strict=%v: Offset() = %d, want %d", strict, r.Offset(), len(wire))
			}
		}
	})
}

// FuzzReadValue checks that any input is read without panicking, that the
// result does not depend on how the input is split into reads, and that a
// value read back after re-encoding is the same value.
func FuzzReadValue(f *testing.F) {
	seeds := []string{
		"+OK\r\n", "-ERR x\r\n", ":12\r\n", "$3\r\nabc\r\n", "$-1\r\n", "*-1\r\n", "_\r\n",
		"*2\r\n$1\r\na\r\n:1\r\n", "%1\r\n+k\r\n,1.5\r\n", "~1\r\n#t\r\n", ">1\r\n(123\r\n",
		"=7\r\ntxt:abc\r\n", "!3\r\nERR\r\n", "|1\r\n+a\r\n+b\r\n:5\r\n", "*2147483647\r\n",
		"$2000000000\r\n", "*1\r\n*1\r\n*1\r\n:1\r\n", "+\r\n", "#x\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		whole := NewReader(bytes.NewReader(input))
		bytewise := NewReader(iotest.OneByteReader(bytes.NewReader(input)))
		for {
			v, err := whole.ReadValue()
			v2, err2 := bytewise.ReadValue()
			if errText(err) != errText(err2) || !v.Equal(v2) || whole.Offset() != bytewise.Offset() {
				t.Fatalf("whole input gives %v, %v at %d; byte by byte gives %v, %v at %d",
					v, err, whole.Offset(), v2, err2, bytewise.Offset())
			}
			if err != nil {
				return
			}
			encoded := appendValue(nil, v)
			back, err := NewReader(bytes.NewReader(encoded)).ReadValue()
			if err != nil || !back.Equal(v) {
				t.Fatalf("re-reading %v from %q gives %v, %v", v, encoded, back, err)
			}
			_ = v.String()
		}
	})
}

// appendValue encodes a Value with the package's writers where they exist.
func appendValue(b []byte, v Value) []byte {
	switch v.Kind {
	case SimpleString:
		return AppendSimple(b, v.Str)
	case ErrorReply:
		b = append(b, '!')
		b = strconv.AppendInt(b, int64(len(v.Str)), 10)
		b = append(b, "\r\n"...)
		b = append(b, v.Str...)
		return append(b, "\r\n"...)
	case Integer:
		return AppendInt(b, v.Int)
	case BulkString:
		return AppendBulk(b, v.Str)
	case Null:
		return AppendNull(b, true)
	case NullArray:
		return AppendNullArray(b, false)
	case Double:
		return AppendDouble(b, v.Str, true)
	case Boolean:
		return AppendBool(b, v.Int != 0, true)
	case BigNumber:
		return append(append(append(b, '('), v.Str...), "\r\n"...)
	case Verbatim:
		b = append(b, '=')
		b = strconv.AppendInt(b, int64(len(v.Str)), 10)
		b = append(b, "\r\n"...)
		b = append(b, v.Str...)
		return append(b, "\r\n"...)
	case Array:
		b = AppendArrayLen(b, len(v.Elems))
	case Set:
		b = AppendSetLen(b, len(v.Elems), true)
	case Push:
		b = AppendPushLen(b, len(v.Elems), true)
	case Map:
		b = AppendMapLen(b, len(v.Elems)/2, true)
	}
	for _, e := range v.Elems {
		b = appendValue(b, e)
	}
	return b
}
