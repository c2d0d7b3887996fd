package types

import (
	"cmp"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

var zsetSeed = flag.Uint64("zset.seed", 0, "run TestZSetModel with only this seed")

// zmodel is the naive reference: a slice sorted by (score, member), with
// Redis's zsetAdd rules and its listpack encoding bookkeeping restated.
type zmodel struct {
	es                   []ZEntry
	listpack             bool
	maxEntries, maxValue int
}

func zEntryCmp(a, b ZEntry) int {
	if a.Score != b.Score {
		return cmp.Compare(a.Score, b.Score)
	}
	return strings.Compare(a.Member, b.Member)
}

func (m *zmodel) index(member string) int {
	for i, e := range m.es {
		if e.Member == member {
			return i
		}
	}
	return -1
}

func (m *zmodel) store(member string, score float64) {
	if m.listpack && score == 0 {
		score = 0 // a listpack writes -0 as the integer 0
	}
	e := ZEntry{member, score}
	i, _ := slices.BinarySearchFunc(m.es, e, zEntryCmp)
	m.es = slices.Insert(m.es, i, e)
}

func (m *zmodel) addWith(member string, score float64, flags ZAddFlags) (ZAddResult, float64) {
	if math.IsNaN(score) {
		return ZAddNaN, score
	}
	if i := m.index(member); i >= 0 {
		old := m.es[i].Score
		switch {
		case flags&ZAddNX != 0:
			return ZAddSkipped, old
		case flags&ZAddIncr != 0:
			score += old
			if math.IsNaN(score) {
				return ZAddNaN, score
			}
		}
		if (flags&ZAddLT != 0 && score >= old) || (flags&ZAddGT != 0 && score <= old) {
			return ZAddSkipped, old
		}
		if score == old {
			return ZAddUnchanged, score
		}
		m.es = slices.Delete(m.es, i, i+1)
		m.store(member, score)
		return ZAddUpdated, score
	}
	if flags&ZAddXX != 0 {
		return ZAddSkipped, 0
	}
	if len(m.es)+1 > m.maxEntries || len(member) > m.maxValue {
		m.listpack = false
	}
	m.store(member, score)
	return ZAddAdded, score
}

func (m *zmodel) remove(member string) bool {
	if i := m.index(member); i >= 0 {
		m.es = slices.Delete(m.es, i, i+1)
		return true
	}
	return false
}

// window applies LIMIT to an ordered list of matches.
func zWindow(es []ZEntry, offset, limit int) []ZEntry {
	if offset < 0 || offset >= len(es) {
		return nil
	}
	es = es[offset:]
	if limit >= 0 && limit < len(es) {
		es = es[:limit]
	}
	return es
}

func zReversed(es []ZEntry) []ZEntry {
	out := slices.Clone(es)
	slices.Reverse(out)
	return out
}

// byScore returns the members in r, ascending: the plain definition.
func (m *zmodel) byScore(r ScoreRange) []ZEntry {
	var out []ZEntry
	for _, e := range m.es {
		lo := e.Score > r.Min || (!r.MinEx && e.Score == r.Min)
		hi := e.Score < r.Max || (!r.MaxEx && e.Score == r.Max)
		if lo && hi {
			out = append(out, e)
		}
	}
	return out
}

// lexGte and lexLte restate zslLexValueGteMin and zslLexValueLteMax.
func zLexCmp(s string, b LexBound) int {
	switch b.Inf {
	case -1:
		return 1
	case 1:
		return -1
	}
	return strings.Compare(s, b.Value)
}
func zLexGte(s string, r LexRange) bool {
	c := zLexCmp(s, r.Min)
	return c > 0 || (c == 0 && !r.Min.Exclusive)
}
func zLexLte(s string, r LexRange) bool {
	c := zLexCmp(s, r.Max)
	return c < 0 || (c == 0 && !r.Max.Exclusive)
}

// lexEmpty restates the sdscmplex test of zslIsInLexRange.
func zLexEmpty(r LexRange) bool {
	key := func(b LexBound) (int, string) { return int(b.Inf), b.Value }
	ai, av := key(r.Min)
	bi, bv := key(r.Max)
	c := cmp.Compare(ai, bi)
	if c == 0 && ai == 0 {
		c = strings.Compare(av, bv)
	}
	return c > 0 || (c == 0 && (r.Min.Exclusive || r.Max.Exclusive))
}

// lexScan restates Redis's listpack lex algorithms: after the
// zzlIsInLexRange test, the first (or last) match is found by a linear
// scan, and the walk continues while members stay within the far bound.
// It returns the indexes of the matches in walk order.
func (m *zmodel) lexScan(r LexRange, reverse bool) []int {
	n := len(m.es)
	if zLexEmpty(r) || n == 0 || !zLexGte(m.es[n-1].Member, r) || !zLexLte(m.es[0].Member, r) {
		return nil
	}
	var out []int
	if !reverse {
		i := 0
		for i < n && !zLexGte(m.es[i].Member, r) {
			i++
		}
		for ; i < n && zLexLte(m.es[i].Member, r); i++ {
			out = append(out, i)
		}
		return out
	}
	i := n - 1
	for i >= 0 && !zLexLte(m.es[i].Member, r) {
		i--
	}
	for ; i >= 0 && zLexGte(m.es[i].Member, r); i-- {
		out = append(out, i)
	}
	return out
}

// lexWalk is RangeByLex on a listpack: the matches of a walk, where LIMIT's
// offset skips members without testing them.
func (m *zmodel) lexWalk(r LexRange, reverse bool, offset, limit int) []ZEntry {
	idx := m.lexScan(r, reverse)
	if len(idx) == 0 || offset < 0 {
		return nil
	}
	var out []ZEntry
	i, step := idx[0]+offset, 1
	if reverse {
		i, step = idx[0]-offset, -1
	}
	for ; i >= 0 && i < len(m.es) && limit != 0; i += step {
		e := m.es[i]
		if (!reverse && !zLexLte(e.Member, r)) || (reverse && !zLexGte(e.Member, r)) {
			break
		}
		out = append(out, e)
		limit--
	}
	return out
}

func (m *zmodel) sameScores() bool {
	for _, e := range m.es {
		if e.Score != m.es[0].Score {
			return false
		}
	}
	return true
}

// modelRun drives a ZSet and a zmodel with the same random operations.
type modelRun struct {
	t      *testing.T
	seed   uint64
	step   int
	rng    *rand.Rand
	z      *ZSet
	m      *zmodel
	oneKey bool // every score is the same: lex queries are meaningful
}

func (r *modelRun) fatalf(format string, args ...any) {
	r.t.Helper()
	r.t.Fatalf("seed %d step %d (len %d, %s): %s", r.seed, r.step, len(r.m.es), r.z.Encoding(), fmt.Sprintf(format, args...))
}

var zModelScores = []float64{
	math.Inf(-1), math.Inf(1), 0, math.Copysign(0, -1), 1, 1, 1, 1.5, 2, 2, -1, 3,
	1e300, -1e300, 5e-324, 0.1, 7, 7,
}

func (r *modelRun) member() string {
	const alphabet = "ab\x00\xffz"
	n := r.rng.IntN(4)
	if r.rng.IntN(40) == 0 {
		n = 5 + r.rng.IntN(3) // long enough to exceed a small value limit
	}
	var b strings.Builder
	for range n {
		b.WriteByte(alphabet[r.rng.IntN(len(alphabet))])
	}
	return b.String()
}

func (r *modelRun) score() float64 {
	if r.oneKey {
		return 7
	}
	if r.rng.IntN(3) == 0 {
		return float64(r.rng.IntN(5))
	}
	return zModelScores[r.rng.IntN(len(zModelScores))]
}

func (r *modelRun) scoreBound() float64 {
	if r.rng.IntN(2) == 0 {
		return float64(r.rng.IntN(5)) - 0.5*float64(r.rng.IntN(2))
	}
	return zModelScores[r.rng.IntN(len(zModelScores))]
}

func (r *modelRun) scoreRange() ScoreRange {
	return ScoreRange{Min: r.scoreBound(), Max: r.scoreBound(), MinEx: r.rng.IntN(3) == 0, MaxEx: r.rng.IntN(3) == 0}
}

func (r *modelRun) lexBound() LexBound {
	switch r.rng.IntN(8) {
	case 0:
		return LexBound{Inf: -1, Exclusive: true}
	case 1:
		return LexBound{Inf: 1, Exclusive: true}
	}
	return LexBound{Value: r.member(), Exclusive: r.rng.IntN(2) == 0}
}

func (r *modelRun) lexRange() LexRange {
	return LexRange{Min: r.lexBound(), Max: r.lexBound()}
}

func (r *modelRun) offsetLimit() (int, int) {
	n := len(r.m.es)
	offset := r.rng.IntN(n+3) - 1
	if r.rng.IntN(3) == 0 {
		offset = 0
	}
	limit := r.rng.IntN(n+3) - 1
	if r.rng.IntN(3) == 0 {
		limit = -1
	}
	return offset, limit
}

func zCollect(f func(fn func(string, float64) bool)) []ZEntry {
	var out []ZEntry
	f(func(m string, s float64) bool {
		out = append(out, ZEntry{m, s})
		return true
	})
	return out
}

// show formats entries for failure messages.
func zShow(es []ZEntry) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = fmt.Sprintf("%q:%v", e.Member, e.Score)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func zSameEntries(a, b []ZEntry) bool {
	return slices.EqualFunc(a, b, func(x, y ZEntry) bool {
		return x.Member == y.Member && x.Score == y.Score && math.Signbit(x.Score) == math.Signbit(y.Score)
	})
}

// compareAll checks the whole content, the encoding, every score and rank,
// and the structural invariants.
func (r *modelRun) compareAll() {
	r.t.Helper()
	if got := slices.Collect(func(yield func(ZEntry) bool) {
		for m, s := range r.z.All() {
			if !yield(ZEntry{m, s}) {
				return
			}
		}
	}); !zSameEntries(got, r.m.es) {
		r.fatalf("All() = %s, want %s", zShow(got), zShow(r.m.es))
	}
	wantEnc := EncodingSkiplist
	if r.m.listpack {
		wantEnc = EncodingListpack
	}
	if got := r.z.Encoding(); got != wantEnc {
		r.fatalf("Encoding() = %q, want %q", got, wantEnc)
	}
	for i, e := range r.m.es {
		if s, ok := r.z.Score(e.Member); !ok || s != e.Score {
			r.fatalf("Score(%q) = %v, %v, want %v", e.Member, s, ok, e.Score)
		}
		if k, ok := r.z.Rank(e.Member, false); !ok || k != i {
			r.fatalf("Rank(%q, false) = %d, %v, want %d", e.Member, k, ok, i)
		}
		if k, ok := r.z.Rank(e.Member, true); !ok || k != len(r.m.es)-1-i {
			r.fatalf("Rank(%q, true) = %d, %v, want %d", e.Member, k, ok, len(r.m.es)-1-i)
		}
	}
	if msg := checkZSet(r.z); msg != "" {
		r.fatalf("invariant broken: %s", msg)
	}
}

func (r *modelRun) op() {
	r.t.Helper()
	z, m, rng := r.z, r.m, r.rng
	n := len(m.es)
	switch k := rng.IntN(22); k {
	case 0, 1, 2, 3:
		mem, sc := r.member(), r.score()
		ga, gc := z.Add(mem, sc)
		res, _ := m.addWith(mem, sc, 0)
		if ga != (res == ZAddAdded) || gc != (res == ZAddUpdated) {
			r.fatalf("Add(%q, %v) = %v, %v; model says %v", mem, sc, ga, gc, res)
		}
	case 4, 5:
		mem, sc := r.member(), r.score()
		flags := ZAddFlags(rng.IntN(32))
		if r.oneKey {
			flags &^= ZAddIncr
		}
		gr, gs := z.AddWith(mem, sc, flags)
		wr, ws := m.addWith(mem, sc, flags)
		if gr != wr || (gr != ZAddNaN && (gs != ws || math.Signbit(gs) != math.Signbit(ws))) {
			r.fatalf("AddWith(%q, %v, %05b) = %v, %v, want %v, %v", mem, sc, flags, gr, gs, wr, ws)
		}
	case 6, 7:
		mem := r.member()
		if got, want := z.Remove(mem), m.remove(mem); got != want {
			r.fatalf("Remove(%q) = %v, want %v", mem, got, want)
		}
	case 8:
		mem := r.member()
		i := m.index(mem)
		if k, ok := z.Rank(mem, rng.IntN(2) == 0); ok != (i >= 0) {
			r.fatalf("Rank(%q) = %d, %v, want present=%v", mem, k, ok, i >= 0)
		}
		if _, ok := z.Score(mem); ok != (i >= 0) {
			r.fatalf("Score(%q) present = %v, want %v", mem, ok, i >= 0)
		}
	case 9:
		i := rng.IntN(n+2) - 1
		gm, gs, ok := z.ElementAt(i)
		if ok != (i >= 0 && i < n) || (ok && (gm != m.es[i].Member || gs != m.es[i].Score)) {
			r.fatalf("ElementAt(%d) = %q, %v, %v", i, gm, gs, ok)
		}
	case 10:
		start, stop := rng.IntN(n+3)-1, rng.IntN(n+3)-1
		rev := rng.IntN(2) == 0
		got := zCollect(func(fn func(string, float64) bool) { z.RangeByRank(start, stop, rev, fn) })
		src := m.es
		if rev {
			src = zReversed(m.es)
		}
		var want []ZEntry
		for i := max(start, 0); i <= min(stop, n-1); i++ {
			want = append(want, src[i])
		}
		if !zSameEntries(got, want) {
			r.fatalf("RangeByRank(%d, %d, %v) = %s, want %s", start, stop, rev, zShow(got), zShow(want))
		}
	case 11, 12:
		sr := r.scoreRange()
		rev := rng.IntN(2) == 0
		offset, limit := r.offsetLimit()
		got := zCollect(func(fn func(string, float64) bool) { z.RangeByScore(sr, rev, offset, limit, fn) })
		want := m.byScore(sr)
		if rev {
			want = zReversed(want)
		}
		want = zWindow(want, offset, limit)
		if !zSameEntries(got, want) {
			r.fatalf("RangeByScore(%+v, %v, %d, %d) = %s, want %s", sr, rev, offset, limit, zShow(got), zShow(want))
		}
	case 13:
		sr := r.scoreRange()
		if got, want := z.CountByScore(sr), len(m.byScore(sr)); got != want {
			r.fatalf("CountByScore(%+v) = %d, want %d", sr, got, want)
		}
	case 14:
		lr := r.lexRange()
		rev := rng.IntN(2) == 0
		offset, limit := r.offsetLimit()
		got := zCollect(func(fn func(string, float64) bool) { z.RangeByLex(lr, rev, offset, limit, fn) })
		want := m.lexWalk(lr, rev, offset, limit)
		if (m.listpack || m.sameScores()) && !zSameEntries(got, want) {
			r.fatalf("RangeByLex(%+v, %v, %d, %d) = %s, want %s", lr, rev, offset, limit, zShow(got), zShow(want))
		}
		if m.sameScores() {
			var plain []ZEntry
			for _, e := range m.es {
				if zLexGte(e.Member, lr) && zLexLte(e.Member, lr) {
					plain = append(plain, e)
				}
			}
			if rev {
				plain = zReversed(plain)
			}
			if plain = zWindow(plain, offset, limit); !zSameEntries(got, plain) {
				r.fatalf("RangeByLex(%+v, %v, %d, %d) = %s, want %s", lr, rev, offset, limit, zShow(got), zShow(plain))
			}
		}
	case 15:
		lr := r.lexRange()
		got := z.CountByLex(lr)
		if want := len(m.lexScan(lr, false)); (m.listpack || m.sameScores()) && got != want {
			r.fatalf("CountByLex(%+v) = %d, want %d", lr, got, want)
		}
	case 16:
		sr := r.scoreRange()
		var gone []ZEntry
		got := z.RemoveRangeByScore(sr, func(m string, s float64) { gone = append(gone, ZEntry{m, s}) })
		want := m.byScore(sr)
		if got != len(want) || !zSameEntries(gone, want) {
			r.fatalf("RemoveRangeByScore(%+v) = %d %s, want %s", sr, got, zShow(gone), zShow(want))
		}
		for _, e := range want {
			m.remove(e.Member)
		}
	case 17:
		if !m.listpack && !m.sameScores() {
			return // which members go is unspecified; keep the runs in step
		}
		lr := r.lexRange()
		var gone []ZEntry
		got := z.RemoveRangeByLex(lr, func(m string, s float64) { gone = append(gone, ZEntry{m, s}) })
		var want []ZEntry
		for _, i := range m.lexScan(lr, false) {
			want = append(want, m.es[i])
		}
		if got != len(want) || !zSameEntries(gone, want) {
			r.fatalf("RemoveRangeByLex(%+v) = %d %s, want %s", lr, got, zShow(gone), zShow(want))
		}
		for _, e := range want {
			m.remove(e.Member)
		}
	case 18:
		start, stop := rng.IntN(n+3)-1, rng.IntN(n+3)-1
		if stop-start > 5 {
			stop = start + 5
		}
		var want []ZEntry
		for i := max(start, 0); i <= min(stop, n-1); i++ {
			want = append(want, m.es[i])
		}
		var gone []ZEntry
		got := z.RemoveRangeByRank(start, stop, func(m string, s float64) { gone = append(gone, ZEntry{m, s}) })
		if got != len(want) || !zSameEntries(gone, want) {
			r.fatalf("RemoveRangeByRank(%d, %d) = %d %s, want %s", start, stop, got, zShow(gone), zShow(want))
		}
		for _, e := range want {
			m.remove(e.Member)
		}
	case 19:
		count := rng.IntN(4) - 1
		var got, want []ZEntry
		if rng.IntN(2) == 0 {
			got = z.PopMin(count)
			want = slices.Clone(m.es[:max(0, min(count, n))])
		} else {
			got = z.PopMax(count)
			want = zReversed(m.es[n-max(0, min(count, n)):])
		}
		if !zSameEntries(got, want) {
			r.fatalf("Pop(%d) = %s, want %s", count, zShow(got), zShow(want))
		}
		for _, e := range want {
			m.remove(e.Member)
		}
	case 20:
		if rng.IntN(4) == 0 {
			z = z.Clone()
			r.z = z
			zMustCheck(r.t, z, fmt.Sprintf("seed %d step %d clone", r.seed, r.step))
		}
		if rng.IntN(4) == 0 {
			want := len(m.es) <= m.maxEntries
			for _, e := range m.es {
				want = want && len(e.Member) <= m.maxValue
			}
			want = want || m.listpack
			if got := z.ConvertToListpackIfFits(); got != want {
				r.fatalf("ConvertToListpackIfFits() = %v, want %v", got, want)
			}
			if want && !m.listpack {
				m.listpack = true
				for i := range m.es {
					if m.es[i].Score == 0 {
						m.es[i].Score = 0
					}
				}
			}
		}
	case 21:
		seen := map[string]float64{}
		cursor := uint64(0)
		count := 1 + rng.IntN(4) // one draw: the number of calls depends on the hash seed
		for calls := 0; ; calls++ {
			cursor = z.Scan(cursor, count, func(m string, s float64) { seen[m] = s })
			if cursor == 0 {
				break
			}
			if m.listpack || calls > 10000 {
				r.fatalf("Scan did not finish (listpack=%v)", m.listpack)
			}
		}
		if len(seen) != n {
			r.fatalf("Scan saw %d members, want %d", len(seen), n)
		}
		for _, e := range m.es {
			if s, ok := seen[e.Member]; !ok || s != e.Score {
				r.fatalf("Scan reported %q = %v, %v, want %v", e.Member, s, ok, e.Score)
			}
		}
	}
	if z.Len() != len(m.es) {
		r.fatalf("Len() = %d, want %d", z.Len(), len(m.es))
	}
}

func runModel(t *testing.T, seed uint64, steps int, oneKey bool) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	lim := NewZSetLimits()
	maxEntries, maxValue := 4+rng.IntN(40), 2+rng.IntN(6)
	lim.MaxListpackEntries.Store(int64(maxEntries))
	lim.MaxListpackValue.Store(int64(maxValue))
	r := &modelRun{
		t: t, seed: seed, rng: rng, oneKey: oneKey,
		z: NewZSet(lim),
		m: &zmodel{listpack: true, maxEntries: maxEntries, maxValue: maxValue},
	}
	for r.step = 0; r.step < steps; r.step++ {
		r.op()
		if r.step%25 == 0 || len(r.m.es) < 8 {
			r.compareAll()
		}
	}
	r.compareAll()
}

// TestZSetModel runs seeded random sequences of every operation against
// the naive model. Reproduce a failure with -zset.seed=N.
func TestZSetModel(t *testing.T) {
	seeds := 300
	steps := 1000
	if testing.Short() {
		seeds = 60
	}
	for s := uint64(1); s <= uint64(seeds); s++ {
		if *zsetSeed != 0 && s != *zsetSeed {
			continue
		}
		runModel(t, s, steps, s%3 == 0)
	}
	if *zsetSeed > uint64(seeds) {
		runModel(t, *zsetSeed, steps, *zsetSeed%3 == 0)
	}
}
