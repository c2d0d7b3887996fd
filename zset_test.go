package kevy

import (
	"errors"
	"math"
	"reflect"
	"testing"
)

func TestZSetTyped(t *testing.T) {
	for _, shards := range []int{1, 4} {
		s := open(t, &Options{Shards: shards})
		must[int](t)(s.ZAdd("z", Z{1, "a"}, Z{2, "b"}, Z{3, "c"}, Z{3, "d"}))
		must[int](t)(s.ZAdd("w", Z{10, "b"}, Z{20, "c"}, Z{30, "e"}))
		must[int](t)(s.SAdd("set", "a", "e"))

		type call struct {
			name string
			got  func() (any, error)
			want any
		}
		calls := []call{
			{"ZIncrBy", func() (any, error) { return s.ZIncrBy("z", "a", 1.5) }, 2.5},
			{"ZIncrBy new", func() (any, error) { return s.ZIncrBy("n", "x", -1) }, -1.0},
			{"ZScore", func() (any, error) { return s.ZScore("z", "a") }, 2.5},
			{"ZMScore", func() (any, error) {
				f, err := s.ZMScore("z", "b", "nope")
				return []bool{f[0] == 2, math.IsNaN(f[1])}, err
			}, []bool{true, true}},
			{"ZCard", func() (any, error) { return s.ZCard("z") }, 4},
			{"ZRank", func() (any, error) { return s.ZRank("z", "c") }, 2},
			{"ZRevRank", func() (any, error) { return s.ZRevRank("z", "c") }, 1},
			{"ZCount", func() (any, error) { return s.ZCount("z", 2.5, 3) }, 3},
			{"ZLexCount", func() (any, error) { return s.ZLexCount("z", "[c", "+") }, 2},
			{"ZRange", func() (any, error) { return s.ZRange("z", 0, 1) }, []Z{{2, "b"}, {2.5, "a"}}},
			{"ZRange neg", func() (any, error) { return s.ZRange("z", -1, -1) }, []Z{{3, "d"}}},
			{"ZRange empty", func() (any, error) { return s.ZRange("z", 5, 9) }, []Z(nil)},
			{"ZRevRange", func() (any, error) { return s.ZRevRange("z", 0, 1) }, []Z{{3, "d"}, {3, "c"}}},
			{"ZRangeByScore", func() (any, error) { return s.ZRangeByScore("z", 2.5, 10, 1, 1) }, []Z{{3, "c"}}},
			{"ZRevRangeByScore", func() (any, error) { return s.ZRevRangeByScore("z", 10, 0, 0, -1) },
				[]Z{{3, "d"}, {3, "c"}, {2.5, "a"}, {2, "b"}}},
			{"ZRangeByLex", func() (any, error) { return s.ZRangeByLex("z", "(c", "+", 0, -1) }, []string{"d"}},
			{"ZUnion", func() (any, error) {
				return s.ZUnion([]string{"z", "w", "set"}, &ZOpts{Aggregate: AggregateMax})
			}, []Z{{2.5, "a"}, {3, "d"}, {10, "b"}, {20, "c"}, {30, "e"}}},
			{"ZInter", func() (any, error) { return s.ZInter([]string{"z", "w"}, &ZOpts{Weights: []float64{2, 1}}) },
				[]Z{{14, "b"}, {26, "c"}}},
			{"ZDiff", func() (any, error) { return s.ZDiff("z", "w", "set") }, []Z{{3, "d"}}},
			{"ZInterCard", func() (any, error) { return s.ZInterCard(1, "z", "w") }, 1},
			{"ZUnionStore", func() (any, error) { return s.ZUnionStore("u", []string{"z", "w"}, nil) }, 5},
			{"ZRange stored", func() (any, error) { return s.ZRange("u", 0, -1) },
				[]Z{{2.5, "a"}, {3, "d"}, {12, "b"}, {23, "c"}, {30, "e"}}},
			{"ZInterStore", func() (any, error) { return s.ZInterStore("u", []string{"z", "set"}, nil) }, 1},
			{"ZDiffStore empty", func() (any, error) { return s.ZDiffStore("u", "z", "z") }, 0},
			{"stored deleted", func() (any, error) { return s.Exists("u") }, 0},
			{"ZRangeStore", func() (any, error) { return s.ZRangeStore("r", "z", 0, 1) }, 2},
			{"ZRange of store", func() (any, error) { return s.ZRange("r", 0, -1) }, []Z{{2, "b"}, {2.5, "a"}}},
			{"ZRandMember all", func() (any, error) { return s.ZRandMember("r", 5) }, []Z{{2.5, "a"}, {2, "b"}}},
			{"ZRandMember repeats", func() (any, error) {
				z, err := s.ZRandMember("r", -5)
				return len(z), err
			}, 5},
			{"ZPopMin", func() (any, error) { return s.ZPopMin("z", 1) }, []Z{{2, "b"}}},
			{"ZPopMax", func() (any, error) { return s.ZPopMax("z", 2) }, []Z{{3, "d"}, {3, "c"}}},
			{"ZRemRangeByScore", func() (any, error) { return s.ZRemRangeByScore("w", 15, math.Inf(1)) }, 2},
			{"ZRemRangeByLex", func() (any, error) { return s.ZRemRangeByLex("r", "-", "+") }, 2},
			{"ZRemRangeByRank", func() (any, error) { return s.ZRemRangeByRank("w", 0, -1) }, 1},
			{"emptied deleted", func() (any, error) { return s.Exists("w") }, 0},
			{"ZPopMin missing", func() (any, error) { return s.ZPopMin("nokey", 3) }, []Z(nil)},
		}
		for _, c := range calls {
			got, err := c.got()
			if err != nil {
				t.Errorf("shards=%d %s: unexpected error %v", shards, c.name, err)
				continue
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("shards=%d %s = %#v, want %#v", shards, c.name, got, c.want)
			}
		}
	}
}

func TestZSetTypedErrors(t *testing.T) {
	s := open(t, nil)
	if err := s.Set("str", "v"); err != nil {
		t.Fatal(err)
	}
	must[int](t)(s.ZAdd("z", Z{math.Inf(1), "a"}))
	tests := []struct {
		name string
		err  func() error
		want string
	}{
		{"ZScore missing", func() error { _, err := s.ZScore("z", "x"); return err }, ErrNotFound.Error()},
		{"ZRank missing", func() error { _, err := s.ZRank("nokey", "x"); return err }, ErrNotFound.Error()},
		{"wrong type", func() error { _, err := s.ZRange("str", 0, -1); return err }, ErrWrongType.Error()},
		{"union wrong type", func() error { _, err := s.ZUnion([]string{"z", "str"}, nil); return err }, ErrWrongType.Error()},
		{"NaN increment", func() error { _, err := s.ZIncrBy("z", "a", math.NaN()); return err }, ErrNotFloat.Error()},
		{"NaN result", func() error { _, err := s.ZIncrBy("z", "a", math.Inf(-1)); return err },
			"ERR resulting score is not a number (NaN)"},
		{"negative pop", func() error { _, err := s.ZPopMin("z", -1); return err },
			"ERR value is out of range, must be positive"},
		{"no keys", func() error { _, err := s.ZInter(nil, nil); return err },
			"ERR at least 1 input key is needed for 'zinter' command"},
		{"weights", func() error { _, err := s.ZUnion([]string{"z"}, &ZOpts{Weights: []float64{1, 2}}); return err },
			ErrSyntax.Error()},
		{"lex range", func() error { _, err := s.ZLexCount("z", "a", "+"); return err },
			"ERR min or max not valid string range item"},
		{"limit", func() error { _, err := s.ZInterCard(-1, "z"); return err }, "ERR LIMIT can't be negative"},
	}
	for _, tt := range tests {
		err := tt.err()
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := s.ZScore("z", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ZScore missing: %v is not ErrNotFound", err)
	}
	if f := must[float64](t)(s.ZScore("z", "a")); !math.IsInf(f, 1) {
		t.Errorf("score after failed increment = %v, want +inf", f)
	}
}
