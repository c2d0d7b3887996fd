package kevy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kevy-go/kevy/internal/engine"
)

// ReplyKind is the RESP type of a Reply.
type ReplyKind uint8

// Reply kinds. RESP3-only kinds appear where a command replies with them
// (Map for HELLO and CONFIG GET under RESP3, Set for SMEMBERS, Double for
// ZSCORE, Bool); Do always replies as a RESP3 client would see them.
const (
	ReplyNil    ReplyKind = iota // a missing value: RESP2 $-1 / *-1, RESP3 _
	ReplyStatus                  // a simple string such as OK
	ReplyError                   // an error reply; Str holds its text
	ReplyInt                     // an integer
	ReplyBulk                    // a bulk (binary-safe) string
	ReplyArray                   // an array of Elems
	ReplyMap                     // a map; Elems holds key, value, key, value...
	ReplySet                     // a set of Elems
	ReplyDouble                  // a floating-point number in Float (Str holds Redis's text)
	ReplyBool                    // a boolean in Int (0 or 1)
)

var kindNames = [...]string{"nil", "status", "error", "integer", "bulk", "array", "map", "set", "double", "bool"}

// String returns the kind's name.
func (k ReplyKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "ReplyKind(" + strconv.Itoa(int(k)) + ")"
}

// Reply is a command's reply as RESP models it.
type Reply struct {
	Kind  ReplyKind
	Str   string  // Status, Error and Bulk text; Double's Redis formatting
	Int   int64   // Int; Bool as 0 or 1
	Float float64 // Double
	Elems []Reply // Array, Set; Map as alternating keys and values
}

// ErrReplyType is returned by Reply accessors asked for a value the reply
// does not hold.
var ErrReplyType = errors.New("kevy: reply has another type")

// IsNil reports whether the reply is a null.
func (r Reply) IsNil() bool { return r.Kind == ReplyNil }

// Err returns the reply's error, if it is an error reply.
func (r Reply) Err() error {
	if r.Kind == ReplyError {
		return errors.New(r.Str)
	}
	return nil
}

// Text returns the reply as a string: Status, Bulk and Double text, or an
// Int in decimal. A nil reply gives ErrNotFound.
func (r Reply) Text() (string, error) {
	switch r.Kind {
	case ReplyStatus, ReplyBulk, ReplyDouble:
		return r.Str, nil
	case ReplyInt:
		return strconv.FormatInt(r.Int, 10), nil
	case ReplyNil:
		return "", ErrNotFound
	case ReplyError:
		return "", r.Err()
	}
	return "", ErrReplyType
}

// Int64 returns an Int or Bool reply, or a Bulk holding an integer.
func (r Reply) Int64() (int64, error) {
	switch r.Kind {
	case ReplyInt, ReplyBool:
		return r.Int, nil
	case ReplyBulk, ReplyStatus:
		if n, ok := engine.ParseInt(r.Str); ok {
			return n, nil
		}
		return 0, ErrNotInteger
	case ReplyNil:
		return 0, ErrNotFound
	case ReplyError:
		return 0, r.Err()
	}
	return 0, ErrReplyType
}

// Float64 returns a Double reply, or a Bulk or Int holding a number.
func (r Reply) Float64() (float64, error) {
	switch r.Kind {
	case ReplyDouble:
		return r.Float, nil
	case ReplyInt:
		return float64(r.Int), nil
	case ReplyBulk, ReplyStatus:
		if f, ok := engine.ParseFloat(r.Str); ok {
			return f, nil
		}
		return 0, ErrNotFloat
	case ReplyNil:
		return 0, ErrNotFound
	case ReplyError:
		return 0, r.Err()
	}
	return 0, ErrReplyType
}

// Strings returns the elements of an aggregate reply as text; nil elements
// become "".
func (r Reply) Strings() ([]string, error) {
	switch r.Kind {
	case ReplyArray, ReplySet, ReplyMap:
	case ReplyNil:
		return nil, nil
	case ReplyError:
		return nil, r.Err()
	default:
		return nil, ErrReplyType
	}
	out := make([]string, len(r.Elems))
	for i, e := range r.Elems {
		if e.Kind == ReplyNil {
			continue
		}
		s, err := e.Text()
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// String renders the reply for people: "OK", "(integer) 1", "\"v\"", nested
// arrays in brackets.
func (r Reply) String() string {
	var b strings.Builder
	r.format(&b)
	return b.String()
}

func (r Reply) format(b *strings.Builder) {
	switch r.Kind {
	case ReplyNil:
		b.WriteString("(nil)")
	case ReplyStatus:
		b.WriteString(r.Str)
	case ReplyError:
		b.WriteString("(error) " + r.Str)
	case ReplyInt:
		fmt.Fprintf(b, "(integer) %d", r.Int)
	case ReplyBool:
		fmt.Fprintf(b, "(bool) %t", r.Int != 0)
	case ReplyBulk:
		b.WriteString(strconv.Quote(r.Str))
	case ReplyDouble:
		b.WriteString("(double) " + r.Str)
	default:
		b.WriteByte('[')
		for i, e := range r.Elems {
			if i > 0 {
				b.WriteByte(' ')
			}
			e.format(b)
		}
		b.WriteByte(']')
	}
}
