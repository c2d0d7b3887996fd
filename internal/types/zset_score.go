package types

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// ErrScoreNotFloat is Redis's reply to a ZADD or ZINCRBY score that is not
// a valid float.
var ErrScoreNotFloat = errors.New("ERR value is not a valid float")

// ParseScore parses a ZADD or ZINCRBY score as Redis 7.0's string2d does:
// the whole string must be a number C's strtod accepts (decimal or
// hexadecimal, optional sign and exponent, "inf" or "infinity" in any case),
// with no leading or trailing whitespace. Empty strings, NaN, values that
// overflow to ±inf and non-zero values that underflow to 0 are rejected
// with ErrScoreNotFloat; values that underflow to subnormals are accepted.
func ParseScore(s string) (float64, error) {
	v, ok := parseStrtod(s, false)
	if !ok {
		return 0, ErrScoreNotFloat
	}
	return v, nil
}

// FormatScore formats a score as Redis 7.0 replies with it in RESP2
// (ZSCORE, ZRANGE WITHSCORES, ZINCRBY): printf's "%.17g", with "inf" and
// "-inf" for the infinities. For example 1.1 is "1.1000000000000001", 1 is
// "1" and 1e21 is "1e+21".
func FormatScore(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	// Go's %g with an explicit precision follows C's rules: exponent form
	// when the exponent is below -4 or at least the precision, trailing
	// zeros removed, and at least two exponent digits.
	return strconv.FormatFloat(f, 'g', 17, 64)
}

// AppendScore appends FormatScore(f) to dst.
func AppendScore(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}

// parseStrtod converts s as C's strtod would if it had to consume all of s.
// When lenient is set it behaves like zslParseRange's use of strtod:
// leading whitespace is skipped, the empty string reads as 0, and overflow
// and underflow give ±inf and 0. Otherwise it behaves like string2d: no
// whitespace, no empty string, and overflow or underflow to 0 fail. NaN
// always fails.
func parseStrtod(s string, lenient bool) (float64, bool) {
	if lenient {
		if s == "" {
			return 0, true // no conversion, and the end pointer is at the NUL
		}
		s = strings.TrimLeft(s, " \t\n\v\f\r")
	}
	kind, nonzero := scanStrtod(s)
	switch kind {
	case numInvalid:
		return 0, false
	case numInf:
		if s[0] == '-' {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case numHex:
		if !strings.ContainsAny(s, "pP") {
			s += "p0" // Go requires a binary exponent; strtod does not
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false // unreachable: scanStrtod accepted the syntax
	}
	if lenient {
		return v, true
	}
	if math.IsInf(v, 0) || (v == 0 && nonzero) {
		return 0, false // strtod sets ERANGE and string2d rejects it
	}
	return v, true
}

// Kinds of numbers scanStrtod recognises.
const (
	numInvalid = iota
	numDecimal
	numHex
	numInf
)

// scanStrtod reports whether all of s is a number in strtod's syntax
// (without leading whitespace): [sign] then decimal digits with an optional
// point and optional exponent, or 0x/0X, hex digits with an optional point
// and optional binary exponent, or "inf"/"infinity" in any case. NaN is
// reported as invalid. nonzero says whether the mantissa has a non-zero
// digit.
func scanStrtod(s string) (kind int, nonzero bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	rest := s[i:]
	if EqualFold(rest, "inf") || EqualFold(rest, "infinity") {
		return numInf, true
	}
	hex := len(rest) > 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X')
	digit := isDecDigit
	kind = numDecimal
	if hex {
		i += 2
		digit = isHexDigit
		kind = numHex
	}
	digits := 0
	for ; i < len(s) && digit(s[i]); i++ {
		digits++
		nonzero = nonzero || s[i] != '0'
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && digit(s[i]); i++ {
			digits++
			nonzero = nonzero || s[i] != '0'
		}
	}
	if digits == 0 {
		return numInvalid, false
	}
	if i < len(s) && ((!hex && (s[i] == 'e' || s[i] == 'E')) || (hex && (s[i] == 'p' || s[i] == 'P'))) {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(s) && isDecDigit(s[i]); i++ {
			exp++
		}
		if exp == 0 {
			return numInvalid, false
		}
	}
	if i != len(s) {
		return numInvalid, false
	}
	return kind, nonzero
}

func isDecDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexDigit(c byte) bool {
	return isDecDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// EqualFold reports whether a and b are equal ignoring ASCII case, as C's
// strcasecmp, which Redis uses for option names: unlike strings.EqualFold
// it folds no other letters (the Kelvin sign is not "k"), and it is
// cheaper.
func EqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
