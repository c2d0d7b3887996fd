package engine

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// ParseInt parses s as Redis's string2ll does: optional '-', no '+', no
// spaces, no leading zeros, and within int64.
func ParseInt(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	if s == "0" {
		return 0, true
	}
	neg := s[0] == '-'
	p := s
	if neg {
		p = s[1:]
		if len(p) == 0 {
			return 0, false
		}
	}
	if p[0] < '1' || p[0] > '9' {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(p); i++ {
		d := p[i] - '0'
		if d > 9 {
			return 0, false
		}
		if v > (math.MaxUint64-uint64(d))/10 {
			return 0, false
		}
		v = v*10 + uint64(d)
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// ParseFloat parses s as Redis's getDoubleFromObject (strtod) does: no
// leading or trailing space, the whole string consumed, NaN refused; "inf"
// and "-inf" accepted.
func ParseFloat(s string) (float64, bool) {
	if len(s) == 0 || isSpace(s[0]) || isSpace(s[len(s)-1]) || strings.ContainsRune(s, '_') {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, !math.IsInf(f, 0) || isInfWord(s) // overflow: strtod gives ±HUGE_VAL, ERANGE
		}
		return 0, false
	}
	if math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

func isInfWord(s string) bool {
	s = strings.TrimLeft(strings.ToLower(s), "+-")
	return s == "inf" || s == "infinity"
}

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\v' || b == '\f'
}

// FormatDouble renders f as Redis 7.0 replies doubles ("%.17g", "inf", "-inf").
func FormatDouble(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', 17, 64)
}

// longDouble emulates the x87 80-bit long double Redis uses for
// INCRBYFLOAT and HINCRBYFLOAT: a 64-bit mantissa with round-to-nearest-even.
const longDoublePrec = 64

// ParseLongDouble parses s as Redis's string2ld (strtold) does: the whole
// string must be a C floating-point literal (decimal, or hexadecimal with
// an optional binary exponent, or "inf"/"infinity"), with no leading space,
// shorter than 5120 bytes, and within long double's range: values that
// overflow, or that are not zero but round to zero, are refused. NaN is
// refused.
func ParseLongDouble(s string) (*big.Float, bool) {
	if len(s) == 0 || len(s) >= 5*1024 || isSpace(s[0]) {
		return nil, false
	}
	hex, ok := strtoldSyntax(s)
	if !ok {
		return nil, false
	}
	if isInfWord(s) {
		return new(big.Float).SetInf(s[0] == '-'), true
	}
	base := 10
	if hex {
		base = 0
	}
	z, _, err := big.ParseFloat(s, base, longDoublePrec, big.ToNearestEven)
	if err != nil {
		return nil, false
	}
	if z.Sign() != 0 {
		exp := z.MantExp(nil) // z = m * 2^exp, 0.5 <= |m| < 1
		if exp > 16384 || exp <= -16446 {
			return nil, false // overflows, or rounds to zero, in a long double
		}
	}
	return z, true
}

// strtoldSyntax reports whether s is entirely a literal C's strtold
// accepts (NaN excluded), and whether it is hexadecimal.
func strtoldSyntax(s string) (hex, ok bool) {
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	if l := strings.ToLower(s); l == "inf" || l == "infinity" {
		return false, true
	}
	digit := func(b byte) bool { return '0' <= b && b <= '9' }
	hexDigit := func(b byte) bool { return digit(b) || 'a' <= b|0x20 && b|0x20 <= 'f' }
	isDigit := digit
	expChar := byte('e')
	if len(s) > 2 && s[0] == '0' && s[1]|0x20 == 'x' {
		hex, isDigit, expChar = true, hexDigit, 'p'
		s = s[2:]
	}
	n := 0
	for len(s) > 0 && isDigit(s[0]) {
		s, n = s[1:], n+1
	}
	if len(s) > 0 && s[0] == '.' {
		s = s[1:]
		for len(s) > 0 && isDigit(s[0]) {
			s, n = s[1:], n+1
		}
	}
	if n == 0 {
		return hex, false
	}
	if len(s) > 0 && s[0]|0x20 == expChar {
		s = s[1:]
		if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
			s = s[1:]
		}
		m := 0
		for len(s) > 0 && digit(s[0]) {
			s, m = s[1:], m+1
		}
		if m == 0 {
			return hex, false
		}
	}
	return hex, s == ""
}

// FormatLongDouble renders z as Redis's ld2string in "human" mode: "%.17Lf"
// with trailing zeros (and a trailing point) removed, and "-0" as "0".
func FormatLongDouble(z *big.Float) string {
	s := z.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		return "0"
	}
	return s
}
