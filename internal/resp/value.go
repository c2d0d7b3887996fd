package resp

import (
	"strconv"
	"strings"
)

// Kind identifies the RESP type of a Value.
type Kind uint8

// The kinds of Value. RESP2 replies use SimpleString, ErrorReply, Integer,
// BulkString, Null ($-1), NullArray (*-1) and Array; RESP3 adds the rest and
// sends every null as Null (_).
const (
	// Invalid is the zero Kind; a Reader never returns it.
	Invalid Kind = iota
	// SimpleString is a +line reply; Str holds the text.
	SimpleString
	// ErrorReply is a -line reply (or a RESP3 !blob error); Str holds the
	// text, e.g. "ERR syntax error".
	ErrorReply
	// Integer is a :number reply; Int holds the value.
	Integer
	// BulkString is a $len reply; Str holds the bytes.
	BulkString
	// Null is RESP2's null bulk string ($-1) or RESP3's null (_).
	Null
	// NullArray is RESP2's null array (*-1).
	NullArray
	// Array is a *len reply; Elems holds the elements.
	Array
	// Map is a RESP3 %len reply; Elems holds keys and values alternately.
	Map
	// Set is a RESP3 ~len reply; Elems holds the members in wire order.
	Set
	// Double is a RESP3 ,number reply; Str holds the text as sent (e.g.
	// "1.5", "inf", "-inf", "nan").
	Double
	// Boolean is a RESP3 #t or #f reply; Int is 1 or 0.
	Boolean
	// BigNumber is a RESP3 (number reply; Str holds the digits.
	BigNumber
	// Verbatim is a RESP3 =len reply; Str holds the whole payload, format
	// included (e.g. "txt:hello").
	Verbatim
	// Push is a RESP3 >len out-of-band message; Elems holds the elements.
	Push
)

var kindNames = [...]string{
	Invalid:      "invalid",
	SimpleString: "simple string",
	ErrorReply:   "error",
	Integer:      "integer",
	BulkString:   "bulk string",
	Null:         "null",
	NullArray:    "null array",
	Array:        "array",
	Map:          "map",
	Set:          "set",
	Double:       "double",
	Boolean:      "boolean",
	BigNumber:    "big number",
	Verbatim:     "verbatim string",
	Push:         "push",
}

// String returns the name of the kind, e.g. "bulk string".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is a decoded RESP reply. Which fields are meaningful depends on Kind.
type Value struct {
	// Kind is the RESP type.
	Kind Kind
	// Str is the text of a SimpleString, ErrorReply, BulkString, Double,
	// BigNumber or Verbatim.
	Str string
	// Int is the value of an Integer, or 1/0 for a Boolean.
	Int int64
	// Elems are the elements of an Array, Set or Push, or the alternating
	// keys and values of a Map.
	Elems []Value
}

// IsNull reports whether v is a null of either RESP2 flavour or RESP3's.
func (v Value) IsNull() bool {
	return v.Kind == Null || v.Kind == NullArray
}

// IsError reports whether v is an error reply.
func (v Value) IsError() bool {
	return v.Kind == ErrorReply
}

// Equal reports whether v and o have the same kind and the same content,
// comparing aggregates element by element in order.
func (v Value) Equal(o Value) bool {
	if v.Kind != o.Kind || v.Str != o.Str || v.Int != o.Int || len(v.Elems) != len(o.Elems) {
		return false
	}
	for i := range v.Elems {
		if !v.Elems[i].Equal(o.Elems[i]) {
			return false
		}
	}
	return true
}

// String renders v compactly and unambiguously for test failure messages:
// bulk strings are Go-quoted ("a"), integers bare (1), simple strings prefixed
// with '+' (+OK), errors as error("ERR ..."), nulls as nil (or nil-array for
// RESP2's *-1), arrays as [a b], maps as {k: v, k2: v2}, sets as set[...],
// pushes as push[...], doubles as double(1.5), booleans as true/false, big
// numbers as big(123) and verbatim strings as verbatim("txt:...").
func (v Value) String() string {
	var sb strings.Builder
	v.render(&sb)
	return sb.String()
}

func (v Value) render(sb *strings.Builder) {
	switch v.Kind {
	case SimpleString:
		sb.WriteByte('+')
		if isPlain(v.Str) {
			sb.WriteString(v.Str)
		} else {
			sb.WriteString(strconv.Quote(v.Str))
		}
	case ErrorReply:
		sb.WriteString("error(")
		sb.WriteString(strconv.Quote(v.Str))
		sb.WriteByte(')')
	case Integer:
		sb.WriteString(strconv.FormatInt(v.Int, 10))
	case BulkString:
		sb.WriteString(strconv.Quote(v.Str))
	case Null:
		sb.WriteString("nil")
	case NullArray:
		sb.WriteString("nil-array")
	case Array:
		renderElems(sb, "[", v.Elems, "]")
	case Set:
		renderElems(sb, "set[", v.Elems, "]")
	case Push:
		renderElems(sb, "push[", v.Elems, "]")
	case Map:
		sb.WriteByte('{')
		for i := 0; i < len(v.Elems); i += 2 {
			if i > 0 {
				sb.WriteString(", ")
			}
			v.Elems[i].render(sb)
			sb.WriteString(": ")
			if i+1 < len(v.Elems) {
				v.Elems[i+1].render(sb)
			}
		}
		sb.WriteByte('}')
	case Double:
		sb.WriteString("double(")
		sb.WriteString(v.Str)
		sb.WriteByte(')')
	case Boolean:
		if v.Int != 0 {
			sb.WriteString("true")
		} else {
			sb.WriteString("false")
		}
	case BigNumber:
		sb.WriteString("big(")
		sb.WriteString(v.Str)
		sb.WriteByte(')')
	case Verbatim:
		sb.WriteString("verbatim(")
		sb.WriteString(strconv.Quote(v.Str))
		sb.WriteByte(')')
	default:
		sb.WriteString("invalid")
	}
}

func renderElems(sb *strings.Builder, open string, elems []Value, closing string) {
	sb.WriteString(open)
	for i, e := range elems {
		if i > 0 {
			sb.WriteByte(' ')
		}
		e.render(sb)
	}
	sb.WriteString(closing)
}

// isPlain reports whether a simple string can be shown unquoted.
func isPlain(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == ':' || c == '.') {
			return false
		}
	}
	return true
}
