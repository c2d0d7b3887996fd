package types

import (
	"math"
	"strconv"
	"testing"
)

var zNegZero = math.Copysign(0, -1)

// sameFloat reports whether a and b are the same value, telling 0 from -0.
func zSameFloat(a, b float64) bool {
	return a == b && math.Signbit(a) == math.Signbit(b) || math.IsNaN(a) && math.IsNaN(b)
}

func TestParseScore(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1", 1, true},
		{"-1.5", -1.5, true},
		{"+2", 2, true},
		{"1e3", 1000, true},
		{"1E-3", 0.001, true},
		{"+.5e+1", 5, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"007", 7, true},
		{"-0", zNegZero, true},
		{"0e-400", 0, true},
		{"inf", math.Inf(1), true},
		{"+inf", math.Inf(1), true},
		{"-inf", math.Inf(-1), true},
		{"INF", math.Inf(1), true},
		{"Infinity", math.Inf(1), true},
		{"-INFINITY", math.Inf(-1), true},
		{"0x10", 16, true},
		{"0X1P-2", 0.25, true},
		{"0x.8", 0.5, true},
		{"-0x1p3", -8, true},
		{"1.7976931348623157e308", math.MaxFloat64, true},
		{"1e-310", 1e-310, true}, // subnormal: ERANGE but accepted
		{"5e-324", 5e-324, true}, // smallest subnormal
		{"1e400", 0, false},      // overflow
		{"-1e400", 0, false},     // overflow
		{"1e-400", 0, false},     // underflow to zero
		{"0x1p-1080", 0, false},  // underflow to zero
		{"2e-324", 0, false},     // rounds to zero
		{"", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"\t1", 0, false},
		{"nan", 0, false},
		{"NaN", 0, false},
		{"-nan", 0, false},
		{"nan(123)", 0, false},
		{"infinit", 0, false},
		{"infx", 0, false},
		{"1_0", 0, false},
		{"0x1_0", 0, false},
		{"1.5e", 0, false},
		{"1e+", 0, false},
		{".", 0, false},
		{"+", 0, false},
		{"-", 0, false},
		{"0x", 0, false},
		{"0x.", 0, false},
		{"0xg", 0, false},
		{"0x1p", 0, false},
		{"0x1e", 30, true}, // e is a hex digit
		{"1e3.5", 0, false},
		{"1..2", 0, false},
		{"1\x00", 0, false},
		{"abc", 0, false},
		{"++1", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseScore(tt.in)
		if tt.ok {
			if err != nil || !zSameFloat(got, tt.want) {
				t.Errorf("ParseScore(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
			}
		} else if err != ErrScoreNotFloat {
			t.Errorf("ParseScore(%q) = %v, %v, want error %q", tt.in, got, err, ErrScoreNotFloat)
		}
	}
}

func TestFormatScore(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{1, "1"},
		{-1, "-1"},
		{0, "0"},
		{zNegZero, "-0"},
		{1.1, "1.1000000000000001"},
		{0.1, "0.10000000000000001"},
		{1.5, "1.5"},
		{100, "100"},
		{1e16, "10000000000000000"},
		{1e17, "1e+17"},
		{123456789012345678, "1.2345678901234568e+17"},
		{1e21, "1e+21"},
		{0.0001, "0.0001"},
		{0.00001, "1.0000000000000001e-05"},
		{1e-310, "9.9999999999999694e-311"},
		{5e-324, "4.9406564584124654e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
	}
	for _, tt := range tests {
		if got := FormatScore(tt.in); got != tt.want {
			t.Errorf("FormatScore(%v) = %q, want %q", tt.in, got, tt.want)
		}
		if got := string(AppendScore([]byte("x"), tt.in)); got != "x"+tt.want {
			t.Errorf("AppendScore(%q, %v) = %q, want %q", "x", tt.in, got, "x"+tt.want)
		}
	}
}

// FormatScore output must parse back to the same float (what Redis relies
// on when it stores "%.17g" text).
func TestFormatScoreRoundTrip(t *testing.T) {
	for _, f := range []float64{1.1, 1e-310, 5e-324, math.MaxFloat64, -123.456, 1e300, math.Pi, zNegZero, math.Inf(-1)} {
		s := FormatScore(f)
		got, err := ParseScore(s)
		if err != nil || !zSameFloat(got, f) {
			t.Errorf("ParseScore(FormatScore(%v) = %q) = %v, %v", f, s, got, err)
		}
	}
}

func TestParseScoreRange(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		min, max string
		want     ScoreRange
		ok       bool
	}{
		{"1", "2", ScoreRange{Min: 1, Max: 2}, true},
		{"(1", "(2", ScoreRange{Min: 1, Max: 2, MinEx: true, MaxEx: true}, true},
		{"-inf", "+inf", ScoreRange{Min: -inf, Max: inf}, true},
		{"-inf", "inf", ScoreRange{Min: -inf, Max: inf}, true},
		{"(-inf", "(+inf", ScoreRange{Min: -inf, Max: inf, MinEx: true, MaxEx: true}, true},
		{"(1.5", "infinity", ScoreRange{Min: 1.5, Max: inf, MinEx: true}, true},
		{" 1", "\t\n2", ScoreRange{Min: 1, Max: 2}, true},        // strtod skips leading space
		{"", "(", ScoreRange{Min: 0, Max: 0, MaxEx: true}, true}, // no conversion, end at NUL
		{"1e400", "-1e400", ScoreRange{Min: inf, Max: -inf}, true},
		{"1e-400", "0x10", ScoreRange{Min: 0, Max: 16}, true},
		{"1\x00junk", "2", ScoreRange{Min: 1, Max: 2}, true}, // C string ends at NUL
		{"2", "3", ScoreRange{Min: 2, Max: 3}, true},
		{"1 ", "2", ScoreRange{}, false},
		{"1", "2x", ScoreRange{}, false},
		{" ", "2", ScoreRange{}, false}, // no conversion: end pointer at the space
		{"((1", "2", ScoreRange{}, false},
		{"[1", "2", ScoreRange{}, false},
		{"nan", "2", ScoreRange{}, false},
		{"1", "(nan", ScoreRange{}, false},
		{"-", "+", ScoreRange{}, false},
		{"1_0", "2", ScoreRange{}, false},
	}
	for _, tt := range tests {
		got, err := ParseScoreRange(tt.min, tt.max)
		if tt.ok {
			if err != nil || !zSameFloat(got.Min, tt.want.Min) || !zSameFloat(got.Max, tt.want.Max) ||
				got.MinEx != tt.want.MinEx || got.MaxEx != tt.want.MaxEx {
				t.Errorf("ParseScoreRange(%q, %q) = %+v, %v, want %+v", tt.min, tt.max, got, err, tt.want)
			}
		} else if err != ErrScoreRange {
			t.Errorf("ParseScoreRange(%q, %q) = %+v, %v, want error %q", tt.min, tt.max, got, err, ErrScoreRange)
		}
	}
}

func TestParseLexRange(t *testing.T) {
	minus := LexBound{Inf: -1, Exclusive: true}
	plus := LexBound{Inf: 1, Exclusive: true}
	tests := []struct {
		min, max string
		want     LexRange
		ok       bool
	}{
		{"-", "+", LexRange{minus, plus}, true},
		{"+", "-", LexRange{plus, minus}, true},
		{"[a", "(b", LexRange{LexBound{Value: "a"}, LexBound{Value: "b", Exclusive: true}}, true},
		{"[", "(", LexRange{LexBound{Value: ""}, LexBound{Value: "", Exclusive: true}}, true},
		{"[-", "[+", LexRange{LexBound{Value: "-"}, LexBound{Value: "+"}}, true},
		{"(a\x00b", "[\xff", LexRange{LexBound{Value: "a\x00b", Exclusive: true}, LexBound{Value: "\xff"}}, true},
		{"-\x00x", "+", LexRange{minus, plus}, true}, // Redis stops at the NUL after '-'
		{"", "+", LexRange{}, false},
		{"a", "+", LexRange{}, false},
		{"-a", "+", LexRange{}, false},
		{"-", "++", LexRange{}, false},
		{"-", "1", LexRange{}, false},
	}
	for _, tt := range tests {
		got, err := ParseLexRange(tt.min, tt.max)
		if tt.ok {
			if err != nil || got != tt.want {
				t.Errorf("ParseLexRange(%q, %q) = %+v, %v, want %+v", tt.min, tt.max, got, err, tt.want)
			}
		} else if err != ErrLexRange {
			t.Errorf("ParseLexRange(%q, %q) = %+v, %v, want error %q", tt.min, tt.max, got, err, ErrLexRange)
		}
	}
}

func TestRangeContains(t *testing.T) {
	sr, _ := ParseScoreRange("(1", "2")
	for _, tt := range []struct {
		v    float64
		want bool
	}{{1, false}, {1.5, true}, {2, true}, {2.5, false}} {
		if got := sr.Contains(tt.v); got != tt.want {
			t.Errorf("ScoreRange(%q, %q).Contains(%v) = %v, want %v", "(1", "2", tt.v, got, tt.want)
		}
	}
	lr, _ := ParseLexRange("[b", "(d")
	for _, tt := range []struct {
		v    string
		want bool
	}{{"a", false}, {"b", true}, {"c", true}, {"czz", true}, {"d", false}} {
		if got := lr.Contains(tt.v); got != tt.want {
			t.Errorf("LexRange(%q, %q).Contains(%q) = %v, want %v", "[b", "(d", tt.v, got, tt.want)
		}
	}
}

// Every string FormatScore produces for a finite float parses back exactly.
func FuzzScoreRoundTrip(f *testing.F) {
	for _, s := range []float64{0, 1.1, -2.5e-300, 1e300} {
		f.Add(math.Float64bits(s))
	}
	f.Fuzz(func(t *testing.T, bits uint64) {
		v := math.Float64frombits(bits)
		if math.IsNaN(v) {
			return
		}
		s := FormatScore(v)
		got, err := ParseScore(s)
		if err != nil || !zSameFloat(got, v) {
			t.Fatalf("ParseScore(FormatScore(%v) = %q) = %v, %v", v, s, got, err)
		}
	})
}

// ParseScore must never panic, must agree with the lenient range parser on
// what it accepts, and must agree with strconv where their syntaxes meet.
func FuzzParseScore(f *testing.F) {
	for _, s := range []string{"1", "-inf", "0x1p-3", "1e-400", " 1", "nan", "1_0", ".5e+3", "(1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseScore(s)
		if err != nil {
			return
		}
		if math.IsNaN(v) {
			t.Fatalf("ParseScore(%q) = NaN", s)
		}
		r, rerr := ParseScoreRange(s, "("+s)
		if rerr != nil || !zSameFloat(r.Min, v) || !zSameFloat(r.Max, v) || !r.MaxEx {
			t.Fatalf("ParseScoreRange(%q, %q) = %+v, %v, want %v", s, "("+s, r, rerr, v)
		}
		if w, perr := strconv.ParseFloat(s, 64); perr == nil && !zSameFloat(w, v) {
			t.Fatalf("ParseScore(%q) = %v, strconv says %v", s, v, w)
		}
	})
}

func TestEqualFold(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"nx", "nx", true}, {"NX", "nx", true}, {"nX", "Nx", true}, {"", "", true},
		{"nx", "xx", false}, {"nx", "nxx", false}, {"n", "", false},
		{"\u212a", "k", false},               // strcasecmp folds ASCII only: the Kelvin sign is not k
		{"[", "{", false}, {"@", "`", false}, // differ only in bit 0x20, not letters
		{"inf", "INF", true}, {"Infinity", "iNFINITY", true},
	} {
		if got := EqualFold(c.a, c.b); got != c.want {
			t.Errorf("EqualFold(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
