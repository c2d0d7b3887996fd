package engine

import (
	"strconv"

	"github.com/kevy-go/kevy/internal/glob"
)

// scanOpts are the options of SCAN, HSCAN, SSCAN and ZSCAN.
type scanOpts struct {
	cursor uint64
	match  string // "" = no MATCH
	count  int
	typ    string // SCAN's TYPE, lowercased; "" = any
}

// scanArgs parses "cursor [MATCH pattern] [COUNT n] [TYPE t]" starting at
// argument i (the cursor), replying with Redis's errors. TYPE is accepted
// only when allowType (SCAN).
func (c *Ctx) scanArgs(i int, allowType bool) (scanOpts, bool) {
	o := scanOpts{count: 10}
	cur, ok := parseCursor(c.Args[i])
	if !ok {
		c.err(errorf("ERR invalid cursor"))
		return o, false
	}
	o.cursor = cur
	for j := i + 1; j < len(c.Args); j += 2 {
		if j+1 >= len(c.Args) {
			c.err(ErrSyntax)
			return o, false
		}
		opt, val := c.Args[j], c.Args[j+1]
		switch {
		case eq(opt, "count"):
			n, ok := ParseInt(val)
			if !ok {
				c.err(ErrNotInteger)
				return o, false
			}
			if n < 1 {
				c.err(ErrSyntax)
				return o, false
			}
			o.count = int(min(n, 1<<30))
		case eq(opt, "match"):
			o.match = val
			if val == "*" {
				o.match = ""
			}
		case eq(opt, "type") && allowType:
			o.typ = val
		default:
			c.err(ErrSyntax)
			return o, false
		}
	}
	return o, true
}

// matches reports whether s passes the MATCH filter.
func (o *scanOpts) matches(s string) bool { return o.match == "" || glob.Match(o.match, s) }

// writeScan replies [cursor, [items...]].
func (c *Ctx) writeScan(next uint64, items []string) {
	c.W.WriteArray(2)
	c.W.WriteBulk(strconv.FormatUint(next, 10))
	c.strings(items)
}

// parseCursor reads a SCAN cursor as Redis's strtoul-based parser does: an
// optional sign ("-1" wraps to 2^64-1), decimal digits, nothing after them,
// no leading space, no overflow; the empty string is 0.
func parseCursor(s string) (uint64, bool) {
	if s == "" {
		return 0, true
	}
	neg := false
	p := s
	if p[0] == '+' || p[0] == '-' {
		neg = p[0] == '-'
		p = p[1:]
	}
	if p == "" {
		return 0, false
	}
	v, err := strconv.ParseUint(p, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}
