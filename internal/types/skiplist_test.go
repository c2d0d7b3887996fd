package types

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// checkZSet verifies every structural invariant of z: ordering, spans,
// backward links, level bookkeeping, length, node memory accounting and
// agreement between the skiplist and the dictionary. It returns a
// description of the first violation, or "".
func checkZSet(z *ZSet) string {
	sl := &z.sl
	if sl.level < 1 || sl.level > slMaxLevel || sl.level > len(sl.head.lv) {
		return fmt.Sprintf("level %d with %d head links", sl.level, len(sl.head.lv))
	}
	if sl.level > 1 && sl.head.lv[sl.level-1].next == nil {
		return fmt.Sprintf("top level %d is empty", sl.level)
	}
	// Level 0: order, backward links, length, memory, dictionary.
	n, bytes := 0, 0
	var prev *slNode
	for x := sl.first(); x != nil; x = x.lv[0].next {
		if math.IsNaN(x.score) {
			return fmt.Sprintf("member %q has NaN score", x.member)
		}
		if x.prev != prev {
			return fmt.Sprintf("member %q: prev is wrong", x.member)
		}
		if prev != nil && !prev.lessThan(x.score, x.member) {
			return fmt.Sprintf("%q (%v) sorts after %q (%v)", prev.member, prev.score, x.member, x.score)
		}
		if len(x.lv) < 1 || len(x.lv) > sl.level {
			return fmt.Sprintf("member %q has %d levels, list has %d", x.member, len(x.lv), sl.level)
		}
		if s, ok := z.dict.Get(x.member); !ok || s != x.score || math.Signbit(s) != math.Signbit(x.score) {
			return fmt.Sprintf("dict has %q = %v, %v; skiplist has %v", x.member, s, ok, x.score)
		}
		if x.lv[0].span != 1 && x.lv[0].next != nil {
			return fmt.Sprintf("member %q: level-0 span %d", x.member, x.lv[0].span)
		}
		if z.listpack && x.score == 0 && math.Signbit(x.score) {
			return fmt.Sprintf("listpack member %q stores -0", x.member)
		}
		bytes += slNodeCost(len(x.lv))
		prev = x
		n++
	}
	if prev != sl.tail {
		return "tail is not the last node"
	}
	if n != sl.length || n != z.dict.Len() {
		return fmt.Sprintf("walked %d nodes, length %d, dict %d", n, sl.length, z.dict.Len())
	}
	if bytes != sl.nodeBytes {
		return fmt.Sprintf("nodeBytes %d, want %d", sl.nodeBytes, bytes)
	}
	// Every level: links skip exactly span level-0 steps.
	rankOf := make(map[*slNode]int, n)
	r := 0
	for x := sl.first(); x != nil; x = x.lv[0].next {
		r++
		rankOf[x] = r
	}
	for i := 0; i < sl.level; i++ {
		x, xr := &sl.head, 0
		for {
			next := x.lv[i].next
			if next == nil {
				if x.lv[i].span != n-xr {
					return fmt.Sprintf("level %d: last span %d, want %d", i, x.lv[i].span, n-xr)
				}
				break
			}
			nr, ok := rankOf[next]
			if !ok {
				return fmt.Sprintf("level %d links to an unlisted node", i)
			}
			if x.lv[i].span != nr-xr {
				return fmt.Sprintf("level %d: span from rank %d is %d, want %d", i, xr, x.lv[i].span, nr-xr)
			}
			x, xr = next, nr
		}
	}
	return ""
}

// mustCheck fails t when z violates an invariant.
func zMustCheck(t *testing.T, z *ZSet, context string) {
	t.Helper()
	if msg := checkZSet(z); msg != "" {
		t.Fatalf("%s: invariant broken: %s", context, msg)
	}
}

func TestSkiplistInvariantsUnderChurn(t *testing.T) {
	const seed = 42
	rng := rand.New(rand.NewPCG(seed, 0))
	z := NewZSet(nil)
	for i := range 20000 {
		m := fmt.Sprint(rng.IntN(600))
		switch rng.IntN(5) {
		case 0, 1:
			z.Add(m, float64(rng.IntN(50)))
		case 2:
			z.Remove(m)
		case 3:
			z.Incr(m, float64(rng.IntN(7)-3))
		case 4:
			if rng.IntN(50) == 0 {
				a := rng.IntN(z.Len() + 1)
				z.RemoveRangeByRank(a, a+rng.IntN(20), nil)
			}
		}
		if i%97 == 0 {
			zMustCheck(t, z, fmt.Sprintf("seed %d step %d", seed, i))
		}
	}
	zMustCheck(t, z, "end")
}

func TestSkiplistRandomLevelDistribution(t *testing.T) {
	const draws = 1 << 20
	var counts [slMaxLevel + 1]int
	for range draws {
		l := slRandomLevel()
		if l < 1 || l > slMaxLevel {
			t.Fatalf("slRandomLevel() = %d, want 1..%d", l, slMaxLevel)
		}
		counts[l]++
	}
	// P(level = k) = (3/4)(1/4)^(k-1): allow 5% relative error on the
	// first three levels, which see plenty of draws.
	want := 0.75
	for k := 1; k <= 3; k++ {
		got := float64(counts[k]) / draws
		if math.Abs(got-want)/want > 0.05 {
			t.Errorf("P(level=%d) = %.4f, want %.4f", k, got, want)
		}
		want /= 4
	}
}

func TestSkiplistNodeVariants(t *testing.T) {
	for level := 1; level <= slMaxLevel; level++ {
		n := newSLNode(level, 1.5, "m")
		if len(n.lv) != level || n.score != 1.5 || n.member != "m" {
			t.Fatalf("newSLNode(%d) = %d levels, score %v, member %q", level, len(n.lv), n.score, n.member)
		}
		if slNodeCost(level) <= 0 {
			t.Fatalf("slNodeCost(%d) = %d, want > 0", level, slNodeCost(level))
		}
	}
}
