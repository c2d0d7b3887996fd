package resp

import (
	"bytes"
	"slices"
	"testing"
)

func TestAppend(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"AppendSimple", AppendSimple(nil, "OK"), "+OK\r\n"},
		{"AppendError", AppendError(nil, "ERR syntax error"), "-ERR syntax error\r\n"},
		{"AppendError/WRONGTYPE", AppendError(nil, "WRONGTYPE Operation against a key holding the wrong kind of value"),
			"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{"AppendInt", AppendInt(nil, 42), ":42\r\n"},
		{"AppendInt/min", AppendInt(nil, -1<<63), ":-9223372036854775808\r\n"},
		{"AppendBulk", AppendBulk(nil, "hello"), "$5\r\nhello\r\n"},
		{"AppendBulk/empty", AppendBulk(nil, ""), "$0\r\n\r\n"},
		{"AppendBulk/binary", AppendBulk(nil, "a\r\n\x00"), "$4\r\na\r\n\x00\r\n"},
		{"AppendBulkBytes", AppendBulkBytes(nil, []byte("xyz")), "$3\r\nxyz\r\n"},
		{"AppendNull/2", AppendNull(nil, false), "$-1\r\n"},
		{"AppendNull/3", AppendNull(nil, true), "_\r\n"},
		{"AppendNullArray/2", AppendNullArray(nil, false), "*-1\r\n"},
		{"AppendNullArray/3", AppendNullArray(nil, true), "_\r\n"},
		{"AppendArrayLen", AppendArrayLen(nil, 3), "*3\r\n"},
		{"AppendMapLen/2", AppendMapLen(nil, 2, false), "*4\r\n"},
		{"AppendMapLen/3", AppendMapLen(nil, 2, true), "%2\r\n"},
		{"AppendSetLen/2", AppendSetLen(nil, 2, false), "*2\r\n"},
		{"AppendSetLen/3", AppendSetLen(nil, 2, true), "~2\r\n"},
		{"AppendPushLen/2", AppendPushLen(nil, 3, false), "*3\r\n"},
		{"AppendPushLen/3", AppendPushLen(nil, 3, true), ">3\r\n"},
		{"AppendBool/2/true", AppendBool(nil, true, false), ":1\r\n"},
		{"AppendBool/2/false", AppendBool(nil, false, false), ":0\r\n"},
		{"AppendBool/3/true", AppendBool(nil, true, true), "#t\r\n"},
		{"AppendBool/3/false", AppendBool(nil, false, true), "#f\r\n"},
		{"AppendDouble/2", AppendDouble(nil, "1.5", false), "$3\r\n1.5\r\n"},
		{"AppendDouble/3", AppendDouble(nil, "-inf", true), ",-inf\r\n"},
		{"AppendVerbatim/2", AppendVerbatim(nil, "txt", "# Server", false), "$8\r\n# Server\r\n"},
		{"AppendVerbatim/3", AppendVerbatim(nil, "txt", "# Server", true), "=12\r\ntxt:# Server\r\n"},
		{"AppendCommand", AppendCommand(nil, "SET", "k", ""), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"},
		{"AppendCommand/none", AppendCommand(nil), "*0\r\n"},
		{"appends", AppendInt([]byte("prefix"), 1), "prefix:1\r\n"},
	}
	for _, tt := range tests {
		if string(tt.got) != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// TestAppendRoundTrip checks that what the writers produce reads back as the
// intended Value.
func TestAppendRoundTrip(t *testing.T) {
	var b []byte
	b = AppendMapLen(b, 2, true)
	b = AppendBulk(b, "a")
	b = AppendDouble(b, "2.5", true)
	b = AppendSimple(b, "b")
	b = AppendSetLen(b, 2, true)
	b = AppendBool(b, true, true)
	b = AppendNull(b, true)
	b = AppendPushLen(b, 1, true)
	b = AppendVerbatim(b, "txt", "x", true)
	b = AppendArrayLen(b, 2)
	b = AppendError(b, "ERR no")
	b = AppendNullArray(b, false)

	r := NewReader(bytes.NewReader(b))
	want := []string{
		`{"a": double(2.5), +b: set[true nil]}`,
		`push[verbatim("txt:x")]`,
		`[error("ERR no") nil-array]`,
	}
	for _, w := range want {
		v, err := r.ReadValue()
		if err != nil {
			t.Fatalf("ReadValue: %v", err)
		}
		if v.String() != w {
			t.Errorf("ReadValue = %s, want %s", v, w)
		}
	}
}

func TestAppendNoAlloc(t *testing.T) {
	buf := make([]byte, 0, 4096)
	args := []string{"SET", "key", "value"}
	if raceEnabled {
		t.Skip("the race detector adds allocations")
	}
	allocs := testing.AllocsPerRun(100, func() {
		b := buf[:0]
		b = AppendCommand(b, args...)
		b = AppendBulk(b, "x")
		b = AppendInt(b, 12345)
		b = AppendMapLen(b, 1, false)
		b = AppendDouble(b, "1.5", true)
		_ = AppendError(b, "ERR x")
	})
	if allocs != 0 {
		t.Errorf("appending into a large enough buffer allocates %.1f times, want 0", allocs)
	}
	cmd, err := NewReader(bytes.NewReader(AppendCommand(nil, args...))).ReadCommand()
	if err != nil || !slices.Equal(cmd, args) {
		t.Errorf("ReadCommand(AppendCommand(%q)) = %q, %v", args, cmd, err)
	}
}
