package resp

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func bulk(s string) Value        { return Value{Kind: BulkString, Str: s} }
func integer(n int64) Value      { return Value{Kind: Integer, Int: n} }
func array(elems ...Value) Value { return Value{Kind: Array, Elems: elems} }

func TestReadValue(t *testing.T) {
	tests := []struct {
		input string
		want  Value
		str   string // want.String()
	}{
		{"+OK\r\n", Value{Kind: SimpleString, Str: "OK"}, "+OK"},
		{"+\r\n", Value{Kind: SimpleString}, `+""`},
		{"+hello world\r\n", Value{Kind: SimpleString, Str: "hello world"}, `+"hello world"`},
		{"-ERR unknown command\r\n", Value{Kind: ErrorReply, Str: "ERR unknown command"}, `error("ERR unknown command")`},
		{":0\r\n", integer(0), "0"},
		{":-42\r\n", integer(-42), "-42"},
		{":9223372036854775807\r\n", integer(1<<63 - 1), "9223372036854775807"},
		{"$5\r\nhello\r\n", bulk("hello"), `"hello"`},
		{"$0\r\n\r\n", bulk(""), `""`},
		{"$4\r\na\r\nb\r\n", bulk("a\r\nb"), `"a\r\nb"`},
		{"$2\r\n\xff\x00\r\n", bulk("\xff\x00"), `"\xff\x00"`},
		{"$-1\r\n", Value{Kind: Null}, "nil"},
		{"*-1\r\n", Value{Kind: NullArray}, "nil-array"},
		{"_\r\n", Value{Kind: Null}, "nil"},
		{"*0\r\n", array(), "[]"},
		{"*3\r\n$1\r\na\r\n:1\r\n$-1\r\n", array(bulk("a"), integer(1), Value{Kind: Null}), `["a" 1 nil]`},
		{"*2\r\n*1\r\n+x\r\n*0\r\n", array(array(Value{Kind: SimpleString, Str: "x"}), array()), "[[+x] []]"},
		{"%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n#f\r\n", Value{Kind: Map, Elems: []Value{bulk("a"), integer(1), bulk("b"), {Kind: Boolean}}},
			`{"a": 1, "b": false}`},
		{"~2\r\n$1\r\nx\r\n$1\r\ny\r\n", Value{Kind: Set, Elems: []Value{bulk("x"), bulk("y")}}, `set["x" "y"]`},
		{">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", Value{Kind: Push, Elems: []Value{bulk("message"), bulk("ch"), bulk("hi")}},
			`push["message" "ch" "hi"]`},
		{",1.5\r\n", Value{Kind: Double, Str: "1.5"}, "double(1.5)"},
		{",-inf\r\n", Value{Kind: Double, Str: "-inf"}, "double(-inf)"},
		{"#t\r\n", Value{Kind: Boolean, Int: 1}, "true"},
		{"(3492890328409238509324850943850943825024385\r\n", Value{Kind: BigNumber, Str: "3492890328409238509324850943850943825024385"},
			"big(3492890328409238509324850943850943825024385)"},
		{"=15\r\ntxt:Some string\r\n", Value{Kind: Verbatim, Str: "txt:Some string"}, `verbatim("txt:Some string")`},
		{"!21\r\nSYNTAX invalid syntax\r\n", Value{Kind: ErrorReply, Str: "SYNTAX invalid syntax"}, `error("SYNTAX invalid syntax")`},
		{"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n:7\r\n", integer(7), "7"},
		{"*2\r\n|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n:2\r\n", array(bulk("v"), integer(2)), `["v" 2]`},
	}
	for _, tt := range tests {
		for how, rd := range readers(tt.input) {
			r := NewReader(rd)
			got, err := r.ReadValue()
			if err != nil {
				t.Errorf("ReadValue(%q) [%s] error: %v", tt.input, how, err)
				continue
			}
			if !got.Equal(tt.want) {
				t.Errorf("ReadValue(%q) [%s] = %v, want %v", tt.input, how, got, tt.want)
			}
			if got.String() != tt.str {
				t.Errorf("ReadValue(%q).String() = %s, want %s", tt.input, got.String(), tt.str)
			}
			if r.Offset() != int64(len(tt.input)) {
				t.Errorf("ReadValue(%q) [%s] Offset() = %d, want %d", tt.input, how, r.Offset(), len(tt.input))
			}
			if _, err := r.ReadValue(); err != io.EOF {
				t.Errorf("ReadValue(%q) [%s] then ReadValue error = %v, want EOF", tt.input, how, err)
			}
		}
	}
}

func TestReadValueErrors(t *testing.T) {
	tests := []struct {
		input string
		err   string
	}{
		{"", "EOF"},
		{"+OK", "unexpected EOF"},
		{"+OK\r", "unexpected EOF"},
		{"$5\r\nhel", "unexpected EOF"},
		{"*2\r\n:1\r\n", "unexpected EOF"},
		{"+OK\rX", "Protocol error: expected CRLF"},
		{"$1\r\nab\r\n", "Protocol error: expected CRLF"},
		{":12a\r\n", "Protocol error: invalid integer"},
		{":\r\n", "Protocol error: invalid integer"},
		{"#x\r\n", "Protocol error: invalid boolean"},
		{"_x\r\n", "Protocol error: invalid null"},
		{"$-2\r\n", "Protocol error: invalid bulk length"},
		{"=-1\r\n", "Protocol error: invalid bulk length"},
		{"$536870913\r\n", "Protocol error: invalid bulk length"},
		{"*-2\r\n", "Protocol error: invalid multibulk length"},
		{"%-1\r\n", "Protocol error: invalid multibulk length"},
		{"*2147483648\r\n", "Protocol error: invalid multibulk length"},
		{"?\r\n", "Protocol error: unexpected reply type '?'"},
		{"\r\n", `Protocol error: unexpected reply type '\r'`},
		{"*1\r\n\r\n", `Protocol error: unexpected reply type '\r'`},
		{"\x00\r\n", `Protocol error: unexpected reply type '\x00'`},
		{"+" + strings.Repeat("x", 65537) + "\r\n", "Protocol error: too big reply line"},
		{strings.Repeat("*1\r\n", 600) + ":1\r\n", "Protocol error: too deeply nested reply"},
	}
	for _, tt := range tests {
		r := NewReader(strings.NewReader(tt.input))
		v, err := r.ReadValue()
		if errText(err) != tt.err {
			t.Errorf("ReadValue(%.40q) = %v, %q, want error %q", tt.input, v, errText(err), tt.err)
		}
		var pe *ProtocolError
		if errors.As(err, &pe) {
			if _, again := r.ReadValue(); again != err {
				t.Errorf("ReadValue after %q = %v, want the same error", err, again)
			}
		}
		if r.Offset() != 0 {
			t.Errorf("ReadValue(%.40q) Offset() = %d after an error, want 0", tt.input, r.Offset())
		}
	}
}

func TestValueEqual(t *testing.T) {
	a := array(bulk("a"), integer(1))
	tests := []struct {
		x, y Value
		want bool
	}{
		{a, array(bulk("a"), integer(1)), true},
		{a, array(bulk("a"), integer(2)), false},
		{a, array(bulk("a")), false},
		{a, Value{Kind: Set, Elems: a.Elems}, false},
		{bulk("1"), integer(1), false},
		{Value{Kind: Null}, Value{Kind: NullArray}, false},
		{Value{Kind: SimpleString, Str: "OK"}, bulk("OK"), false},
	}
	for _, tt := range tests {
		if got := tt.x.Equal(tt.y); got != tt.want {
			t.Errorf("%v.Equal(%v) = %v, want %v", tt.x, tt.y, got, tt.want)
		}
	}
	if !(Value{Kind: NullArray}).IsNull() || !(Value{Kind: Null}).IsNull() || bulk("").IsNull() {
		t.Error("IsNull() is wrong for Null, NullArray or an empty bulk string")
	}
	if !(Value{Kind: ErrorReply}).IsError() || bulk("ERR").IsError() {
		t.Error("IsError() is wrong")
	}
}

func TestKindString(t *testing.T) {
	tests := []struct {
		k    Kind
		want string
	}{
		{BulkString, "bulk string"}, {NullArray, "null array"}, {Push, "push"}, {Kind(99), "Kind(99)"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("Kind(%d).String() = %q, want %q", tt.k, got, tt.want)
		}
	}
}
