package engine

import "testing"

// TestArityOK checks Redis's argument counts: a positive arity is exact,
// a negative one a minimum, both counting the command's name.
func TestArityOK(t *testing.T) {
	for _, tc := range []struct {
		arity, n int
		want     bool
	}{
		{2, 2, true}, {2, 1, false}, {2, 3, false},
		{-3, 3, true}, {-3, 7, true}, {-3, 2, false},
		{-1, 1, true}, {1, 1, true}, {1, 2, false},
	} {
		if got := ArityOK(tc.arity, tc.n); got != tc.want {
			t.Errorf("ArityOK(%d, %d) = %v, want %v", tc.arity, tc.n, got, tc.want)
		}
	}
}
