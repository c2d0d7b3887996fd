package engine

import "github.com/kevy-go/kevy/internal/keyspace"

// LCS: the longest common subsequence of two strings, computed with Redis's
// dynamic-programming table so that ties resolve to the same subsequence and
// the same match ranges.

var (
	errLCSType    = errorf("ERR The specified keys must contain string values")
	errLCSLenIdx  = errorf("ERR If you want both the length and indexes, please just use IDX.")
	errLCSTooLong = errorf("ERR String too long for LCS")
	errLCSMemory  = errorf("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
)

// LCSMatch is one range of LCS IDX: A[AStart..AEnd] matches B[BStart..BEnd]
// (inclusive), Len bytes long.
type LCSMatch struct {
	AStart, AEnd, BStart, BEnd int
	Len                        int
}

// LCSResult is what LCS computes: the subsequence (unless only its length
// was asked for), its length, and with IDX the matching ranges from the end
// of the strings backwards.
type LCSResult struct {
	Str     string
	Len     int
	Matches []LCSMatch
}

// LCS computes the longest common subsequence of a and b. With str it
// builds the subsequence itself; with idx it collects the matching ranges
// at least minLen long. The table costs 4*(len(a)+1)*(len(b)+1) bytes,
// refused past proto-max-bulk-len as Redis does.
func LCS(a, b string, str, idx bool, minLen int64) (LCSResult, error) {
	if uint64(len(a)) >= 1<<32-2 || uint64(len(b)) >= 1<<32-2 {
		return LCSResult{}, errLCSTooLong
	}
	alen, blen := len(a), len(b)
	cells := uint64(alen+1) * uint64(blen+1)
	if cells*4 > maxStringLen {
		return LCSResult{}, errLCSMemory
	}
	w := blen + 1
	dp := make([]uint32, cells)
	for i := 1; i <= alen; i++ {
		row, prev := dp[i*w:(i+1)*w], dp[(i-1)*w:i*w]
		ai := a[i-1]
		for j := 1; j <= blen; j++ {
			if ai == b[j-1] {
				row[j] = prev[j-1] + 1
			} else {
				row[j] = max(prev[j], row[j-1])
			}
		}
	}
	n := int(dp[alen*w+blen])
	res := LCSResult{Len: n}
	if !str && !idx {
		return res, nil
	}
	out := make([]byte, n)
	k := n
	// The current range; aStart == alen means none is open.
	aStart, aEnd, bStart, bEnd := alen, 0, 0, 0
	i, j := alen, blen
	for i > 0 && j > 0 {
		emit := false
		if a[i-1] == b[j-1] {
			out[k-1] = a[i-1]
			if aStart == alen {
				aStart, aEnd, bStart, bEnd = i-1, i-1, j-1, j-1
			} else if aStart == i && bStart == j {
				aStart--
				bStart--
			} else {
				emit = true
			}
			if aStart == 0 || bStart == 0 {
				emit = true
			}
			k--
			i--
			j--
		} else {
			if dp[(i-1)*w+j] > dp[i*w+j-1] {
				i--
			} else {
				j--
			}
			if aStart != alen {
				emit = true
			}
		}
		if emit {
			l := aEnd - aStart + 1
			if idx && (minLen == 0 || int64(l) >= minLen) {
				res.Matches = append(res.Matches, LCSMatch{aStart, aEnd, bStart, bEnd, l})
			}
			aStart = alen
		}
	}
	res.Str = string(out)
	return res, nil
}

func init() {
	register(
		&Command{Name: "lcs", Arity: -3, Flags: FlagReadOnly, First: 1, Last: 2, Step: 1, Run: lcsCmd},
	)
}

// LCSValues reads the two strings LCS compares, missing keys as "". Either
// key holding another type is an error. The caller holds both keys' shards
// (either lock).
func (en *Engine) LCSValues(key1, key2 string) (string, string, error) {
	var vals [2]string
	for i, k := range [2]string{key1, key2} {
		e := en.ShardOf(k).lookupRead(k)
		if e == nil {
			continue
		}
		if e.Kind() != keyspace.KindString {
			return "", "", errLCSType
		}
		vals[i] = e.Str()
	}
	return vals[0], vals[1], nil
}

func lcsCmd(c *Ctx) {
	a, b, err := c.En.LCSValues(c.Args[1], c.Args[2])
	if err != nil {
		c.err(err)
		return
	}
	var getLen, getIdx, withLen bool
	var minLen int64
	for j := 3; j < len(c.Args); j++ {
		opt := c.Args[j]
		switch {
		case eq(opt, "idx"):
			getIdx = true
		case eq(opt, "len"):
			getLen = true
		case eq(opt, "withmatchlen"):
			withLen = true
		case eq(opt, "minmatchlen") && j+1 < len(c.Args):
			v, ok := c.intArg(j + 1)
			if !ok {
				return
			}
			minLen = max(v, 0)
			j++
		default:
			c.err(ErrSyntax)
			return
		}
	}
	if getIdx && getLen {
		c.err(errLCSLenIdx)
		return
	}
	r, err := LCS(a, b, !getLen, getIdx, minLen)
	if err != nil {
		c.err(err)
		return
	}
	switch {
	case getIdx:
		c.W.WriteMap(2)
		c.W.WriteBulk("matches")
		c.W.WriteArray(len(r.Matches))
		for _, m := range r.Matches {
			if withLen {
				c.W.WriteArray(3)
			} else {
				c.W.WriteArray(2)
			}
			c.W.WriteArray(2)
			c.W.WriteInt(int64(m.AStart))
			c.W.WriteInt(int64(m.AEnd))
			c.W.WriteArray(2)
			c.W.WriteInt(int64(m.BStart))
			c.W.WriteInt(int64(m.BEnd))
			if withLen {
				c.W.WriteInt(int64(m.Len))
			}
		}
		c.W.WriteBulk("len")
		c.W.WriteInt(int64(r.Len))
	case getLen:
		c.W.WriteInt(int64(r.Len))
	default:
		c.W.WriteBulk(r.Str)
	}
}
