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

// ParseLongDouble parses s as Redis's string2ld (strtold) does.
func ParseLongDouble(s string) (*big.Float, bool) {
	if len(s) == 0 || len(s) > 5*1024 || isSpace(s[0]) || isSpace(s[len(s)-1]) {
		return nil, false
	}
	f, ok := ParseFloat(s) // validates syntax, NaN and infinities
	if !ok {
		return nil, false
	}
	if math.IsInf(f, 0) && isInfWord(s) {
		return new(big.Float).SetInf(f < 0), true
	}
	if strings.ContainsAny(s, "xX") { // hex float: exact in float64 when it parsed
		return new(big.Float).SetPrec(longDoublePrec).SetFloat64(f), true
	}
	z, _, err := big.ParseFloat(s, 10, longDoublePrec, big.ToNearestEven)
	if err != nil {
		return nil, false
	}
	return z, true
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
