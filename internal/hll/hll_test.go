package hll

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// hdr builds a header: encoding, then the 8 cache bytes.
func hdr(enc byte, card string) string {
	return magic + string([]byte{enc, 0, 0, 0}) + card
}

const (
	staleCard = "\x00\x00\x00\x00\x00\x00\x00\x80"
	zeroCard  = "\x00\x00\x00\x00\x00\x00\x00\x00"
)

// Golden values were produced by redis-server 7.0.15 with PFADD on a new
// key and read back with GET.
func TestAddGolden(t *testing.T) {
	tests := []struct {
		elems []string
		want  string
	}{
		{nil, hdr(1, staleCard) + "\x7f\xff"},
		{[]string{"x"}, hdr(1, staleCard) + "\x7f\xf5\x84\x08"},
		{[]string{"x", "y", "z"}, hdr(1, staleCard) + "\x61\x84\x80\x58\xcd\x88\x45\xa0\x84\x08"},
		{[]string{"foo", "bar", "baz", "hello", "world"},
			hdr(1, staleCard) + "\x4a\xb5\x88\x4e\xe6\x8c\x43\x14\x90\x47\x4a\x80\x43\x15\x80\x58\xe7"},
	}
	for _, tt := range tests {
		got, changed, err := Add("", false, DefaultSparseMax, tt.elems...)
		if err != nil || !changed || got != tt.want {
			t.Errorf("Add(new, %q) = %q, %v, %v, want %q, true, nil", tt.elems, got, changed, err, tt.want)
		}
	}
}

func TestCountGolden(t *testing.T) {
	v, _, _ := Add("", false, DefaultSparseMax, "foo", "bar", "baz", "hello", "world")
	n, updated, err := Count([]string{v})
	want := hdr(1, "\x05\x00\x00\x00\x00\x00\x00\x00") + v[hdrSize:]
	if n != 5 || updated != want || err != nil {
		t.Fatalf("Count(%q) = %d, %q, %v, want 5, %q, nil", v, n, updated, err, want)
	}
	// Now the cache is fresh: same answer, nothing to store.
	if n, updated, err := Count([]string{want}); n != 5 || updated != "" || err != nil {
		t.Errorf("Count(%q) = %d, %q, %v, want 5, \"\", nil", want, n, updated, err)
	}
}

func TestPatLen(t *testing.T) {
	// From the golden value for "x": XZERO:16374 VAL:2,1 ZERO:9.
	if index, count := patLen("x"); index != 16374 || count != 2 {
		t.Errorf("patLen(%q) = %d, %d, want 16374, 2", "x", index, count)
	}
	for _, e := range []string{"", "a", "abcdefgh", "abcdefghi", strings.Repeat("z", 1000)} {
		index, count := patLen(e)
		if index < 0 || index >= numRegisters || count < 1 || count > hllQ+1 {
			t.Errorf("patLen(%q) = %d, %d, out of range", e, index, count)
		}
	}
}

func TestValid(t *testing.T) {
	dense := hdr(0, zeroCard) + strings.Repeat("\x00", denseSize-hdrSize)
	tests := []struct {
		v    string
		want bool
	}{
		{"", false},
		{"HYLL", false},
		{hdr(1, zeroCard)[:15], false},
		{hdr(1, zeroCard), true}, // header only: valid type, corrupt registers
		{hdr(1, zeroCard) + "\x7f\xff", true},
		{hdr(2, zeroCard) + "\x7f\xff", false},
		{"HYLX" + hdr(1, zeroCard)[4:] + "\x7f\xff", false},
		{"hyll" + hdr(1, zeroCard)[4:] + "\x7f\xff", false},
		{dense, true},
		{dense + "\x00", false},
		{dense[:len(dense)-1], false},
		{"12345678901234567890", false},
	}
	for _, tt := range tests {
		if got := Valid(tt.v); got != tt.want {
			t.Errorf("Valid(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

func TestAddErrors(t *testing.T) {
	tests := []struct {
		name string
		cur  string
		want error
	}{
		{"not hll", "hello world, this is a string", ErrInvalid},
		{"short", "HYLL", ErrInvalid},
		{"no opcodes", hdr(1, staleCard), ErrCorrupt},
		{"too few registers", hdr(1, staleCard) + "\x40\x00", ErrCorrupt},
	}
	for _, tt := range tests {
		next, changed, err := Add(tt.cur, true, DefaultSparseMax, "a", "b", "c")
		if err != tt.want || changed {
			t.Errorf("%s: Add(%q) = %q, %v, %v, want error %v", tt.name, tt.cur, next, changed, err, tt.want)
		}
		if err == ErrCorrupt && next != tt.cur {
			t.Errorf("%s: Add(%q) next = %q, want the value unchanged", tt.name, tt.cur, next)
		}
	}
	// No elements: Redis does not look at the registers.
	if next, changed, err := Add(hdr(1, zeroCard), true, DefaultSparseMax); err != nil || changed || next != hdr(1, zeroCard) {
		t.Errorf("Add(header only, no elements) = %q, %v, %v, want unchanged, false, nil", next, changed, err)
	}
}

func TestAddUnchanged(t *testing.T) {
	v, _, _ := Add("", false, DefaultSparseMax, "a", "b", "c")
	_, v, _ = Count([]string{v}) // make the cache fresh
	next, changed, err := Add(v, true, DefaultSparseMax, "a", "c", "b", "a")
	if next != v || changed || err != nil {
		t.Errorf("Add(existing elements) = %q, %v, %v, want %q, false, nil", next, changed, err, v)
	}
	next, changed, err = Add(v, true, DefaultSparseMax, "a", "d")
	if !changed || err != nil || next[staleByte]&staleBit == 0 {
		t.Errorf("Add(new element) = %q, %v, %v, want a change with a stale cache", next, changed, err)
	}
}

// registersOf decodes a well-formed value into its registers.
func registersOf(t *testing.T, v string) [numRegisters]uint8 {
	t.Helper()
	var regs [numRegisters]uint8
	if !Valid(v) || !mergeMax(&regs, v) {
		t.Fatalf("registersOf(%d-byte value): not a well-formed HyperLogLog", len(v))
	}
	return regs
}

func elems(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}

func TestSparseGrowsToDense(t *testing.T) {
	all := elems("g", 5000)
	v, _, _ := Add("", false, DefaultSparseMax)
	dense, _, _ := Add("", false, 0, all...) // sparseMax 0: dense at once
	if len(dense) != denseSize {
		t.Fatalf("Add with sparseMax 0 gave %d bytes, want dense (%d)", len(dense), denseSize)
	}
	promoted := false
	for i, e := range all {
		next, _, err := Add(v, true, DefaultSparseMax, e)
		if err != nil {
			t.Fatalf("Add(%q) error %v", e, err)
		}
		if next[encByte] == encSparse && len(next) > DefaultSparseMax {
			t.Fatalf("after %d elements: sparse value of %d bytes, over the %d limit", i+1, len(next), DefaultSparseMax)
		}
		if next[encByte] == encDense && !promoted {
			promoted = true
			if len(v) > DefaultSparseMax || len(v) < DefaultSparseMax-3 {
				t.Errorf("promoted from a %d-byte sparse value, want one within 3 bytes of the %d limit", len(v), DefaultSparseMax)
			}
		}
		v = next
	}
	if !promoted {
		t.Fatalf("5000 elements never promoted the value to dense")
	}
	if got, want := registersOf(t, v), registersOf(t, dense); got != want {
		t.Errorf("registers built one element at a time differ from those built dense")
	}
}

func TestSparseEdits(t *testing.T) {
	sk := newSketch()
	steps := []struct {
		index int
		count uint8
		want  string // opcodes after the step
	}{
		{0, 2, "\x84\x7f\xfe"},                                   // VAL:2,1 XZERO:16383
		{1, 2, "\x85\x7f\xfd"},                                   // joined: VAL:2,2 XZERO:16382
		{1, 1, "\x85\x7f\xfd"},                                   // lower: no change
		{3, 5, "\x85\x00\x90\x7f\xfb"},                           // VAL:2,2 ZERO:1 VAL:5,1 XZERO:16380
		{2, 3, "\x85\x88\x90\x7f\xfb"},                           // the ZERO:1 becomes VAL:3,1
		{68, 1, "\x85\x88\x90\x3f\x80\x7f\xba"},                  // ZERO:64 VAL:1,1 XZERO:16315
		{16383, 32, "\x85\x88\x90\x3f\x80\x7f\xb9\xfc"},          // XZERO:16314 VAL:32,1
		{200, 3, "\x85\x88\x90\x3f\x80\x40\x82\x88\x7f\x35\xfc"}, // XZERO:131 VAL:3,1 XZERO:16182
	}
	for _, s := range steps {
		sk.set(s.index, s.count, DefaultSparseMax)
		if got := sk.String()[hdrSize:]; got != s.want {
			t.Errorf("set(%d, %d): opcodes %q, want %q", s.index, s.count, got, s.want)
		}
	}
	if sk.set(5, valMaxValue+1, DefaultSparseMax) != 1 || sk.n != denseSize {
		t.Fatalf("set(5, 33) did not promote to dense")
	}
	regs := registersOf(t, sk.String())
	want := map[int]uint8{0: 2, 1: 2, 2: 3, 3: 5, 5: 33, 68: 1, 200: 3, 16383: 32}
	for i, r := range regs {
		if r != want[i] {
			t.Errorf("after promotion register %d = %d, want %d", i, r, want[i])
		}
	}
}

func TestEstimateAccuracy(t *testing.T) {
	relErr := 1.04 / math.Sqrt(numRegisters)
	v, _, _ := Add("", false, DefaultSparseMax)
	added := 0
	for _, n := range []int{10, 100, 1000, 10000, 100000} {
		var err error
		v, _, err = Add(v, true, DefaultSparseMax, elems("acc", n)[added:]...)
		if err != nil {
			t.Fatal(err)
		}
		added = n
		got, _, err := Count([]string{v})
		maxErr := math.Ceil(relErr * 6 * float64(n))
		if err != nil || math.Abs(float64(got)-float64(n)) > maxErr {
			t.Errorf("Count after %d distinct elements = %d, %v, want within %.0f", n, got, err, maxErr)
		}
	}
}

func TestEstimateEdges(t *testing.T) {
	tests := []struct {
		regs uint8
		want uint64
	}{
		{0, 0},
		{49, 6653256548922161152}, // observed on redis-server 7.0.15
		{50, 1 << 63},             // overflow, as on redis-server 7.0.15
		{51, 1 << 63},
		{63, 1 << 63},
	}
	for _, tt := range tests {
		v := denseAll(tt.regs)
		got, _, err := Count([]string{v})
		if got != tt.want || err != nil {
			t.Errorf("Count(dense, all registers %d) = %d, %v, want %d", tt.regs, got, err, tt.want)
		}
		if got, err := CountUnion(v, v); got != tt.want || err != nil {
			t.Errorf("CountUnion(dense, all registers %d) = %d, %v, want %d", tt.regs, got, err, tt.want)
		}
	}
}

func TestCountCache(t *testing.T) {
	// A fresh cache is returned without decoding the (corrupt) registers.
	v := hdr(1, "\x2a\x00\x00\x00\x00\x00\x00\x00")
	if n, updated, err := Count([]string{v}); n != 42 || updated != "" || err != nil {
		t.Errorf("Count(fresh cache 42, no registers) = %d, %q, %v, want 42, \"\", nil", n, updated, err)
	}
	// With several keys the registers are always decoded.
	if n, err := CountUnion(v); err != ErrCorrupt {
		t.Errorf("CountUnion(no registers) = %d, %v, want %v", n, err, ErrCorrupt)
	}
	stale := hdr(1, "\x2a\x00\x00\x00\x00\x00\x00\x80")
	if n, updated, err := Count([]string{stale}); err != ErrCorrupt || updated != "" {
		t.Errorf("Count(stale cache, no registers) = %d, %q, %v, want %v", n, updated, err, ErrCorrupt)
	}
	if n, updated, err := Count([]string{"not an hll, not at all"}); err != ErrInvalid {
		t.Errorf("Count(string) = %d, %q, %v, want %v", n, updated, err, ErrInvalid)
	}
	if n, updated, err := Count(nil); n != 0 || updated != "" || err != nil {
		t.Errorf("Count(nil) = %d, %q, %v, want 0", n, updated, err)
	}
}

func TestCountUnion(t *testing.T) {
	a, _, _ := Add("", false, DefaultSparseMax, elems("u", 3000)...)
	b, _, _ := Add("", false, DefaultSparseMax, elems("u", 200)...)
	c, _, _ := Add("", false, DefaultSparseMax, elems("w", 100)...)
	merged, err := Merge("", false, DefaultSparseMax, a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := Count([]string{merged})
	got, updated, err := Count([]string{a, b, c})
	if got != want || updated != "" || err != nil {
		t.Errorf("Count(a, b, c) = %d, %q, %v, want %d (Count of their merge)", got, updated, err, want)
	}
	if got, err := CountUnion(b, "corrupt: not a hyperloglog"); err != ErrInvalid {
		t.Errorf("CountUnion(b, string) = %d, %v, want %v", got, err, ErrInvalid)
	}
	if got, err := CountUnion(); got != 0 || err != nil {
		t.Errorf("CountUnion() = %d, %v, want 0", got, err)
	}
}

func TestMerge(t *testing.T) {
	sparse, _, _ := Add("", false, DefaultSparseMax, elems("m", 50)...)
	dense, _, _ := Add("", false, DefaultSparseMax, elems("m", 5000)...)
	corrupt := hdr(1, staleCard)
	tests := []struct {
		name       string
		dest       string
		destExists bool
		srcs       []string
		wantEnc    byte
		wantErr    error
	}{
		{"new empty", "", false, nil, encSparse, nil},
		{"sparse into new", "", false, []string{sparse}, encSparse, nil},
		{"dense into new", "", false, []string{sparse, dense}, encDense, nil},
		{"dense dest", dense, true, []string{sparse}, encDense, nil},
		{"sparse dest", sparse, true, nil, encSparse, nil},
		{"invalid dest first", "not hll", true, []string{corrupt}, 0, ErrInvalid},
		{"corrupt dest", corrupt, true, []string{"not hll"}, 0, ErrCorrupt},
		{"corrupt src", sparse, true, []string{corrupt}, 0, ErrCorrupt},
	}
	for _, tt := range tests {
		got, err := Merge(tt.dest, tt.destExists, DefaultSparseMax, tt.srcs...)
		if err != tt.wantErr {
			t.Errorf("%s: Merge error %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if !Valid(got) || got[encByte] != tt.wantEnc || got[staleByte]&staleBit == 0 {
			t.Errorf("%s: Merge = %d bytes, encoding %d, stale %v, want encoding %d and a stale cache",
				tt.name, len(got), got[encByte], got[staleByte]&staleBit != 0, tt.wantEnc)
			continue
		}
		var want [numRegisters]uint8
		for _, v := range append([]string{tt.dest}, tt.srcs...) {
			if Valid(v) {
				mergeMax(&want, v)
			}
		}
		if registersOf(t, got) != want {
			t.Errorf("%s: Merge registers are not the maximum of the inputs", tt.name)
		}
	}
}

func TestSparseMaxBoundary(t *testing.T) {
	v, _, _ := Add("", false, DefaultSparseMax, elems("s", 100)...)
	tested := 0
	for _, e := range elems("t", 50) {
		grown, changed, err := Add(v, true, 1<<20, e)
		if err != nil || !changed || len(grown) <= len(v) {
			continue // this element does not grow the value
		}
		limit := len(grown)
		if got, _, _ := Add(v, true, limit, e); got != grown {
			t.Errorf("Add(%q) with sparseMax %d (exactly the new size) = %d bytes, encoding %d, want the %d-byte sparse value",
				e, limit, len(got), got[encByte], limit)
		}
		if got, _, _ := Add(v, true, limit-1, e); len(got) != denseSize {
			t.Errorf("Add(%q) with sparseMax %d (one less than the new size) = %d bytes, want dense", e, limit-1, len(got))
		}
		tested++
	}
	if tested == 0 {
		t.Fatal("no element grew the sparse value; the test checks nothing")
	}
}
