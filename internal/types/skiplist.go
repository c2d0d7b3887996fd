package types

import (
	"math/bits"
	"math/rand/v2"
	"unsafe"
)

// The skiplist below follows Redis's t_zset.c design: Pugh's skiplist with
// repeated scores allowed, elements ordered by (score, member) with members
// compared bytewise, a backward pointer on level 0 for reverse walks, and a
// span on every forward link counting the level-0 steps it jumps, so that
// ranks are computed while descending in O(log n).

const (
	// slMaxLevel is the highest level a node can have (ZSKIPLIST_MAXLEVEL).
	slMaxLevel = 32
	// slHeadInline is how many head levels live inside the skiplist struct
	// before the head grows to slMaxLevel; enough for a few hundred nodes.
	slHeadInline = 4
)

// slLevel is one forward link of a node.
type slLevel struct {
	next *slNode
	span int // level-0 steps from this node to next (to the end when next is nil)
}

// slNode is a skiplist element. Its levels usually share its allocation
// (see newSLNode).
type slNode struct {
	member string
	score  float64
	prev   *slNode // nil for the first node
	lv     []slLevel
}

// Node variants whose level array is allocated together with the node, so
// that inserting costs one allocation. With p = 1/4, levels 1-4 cover 99.6%
// of nodes; taller nodes allocate their levels separately.
type (
	slNode1 struct {
		n slNode
		l [1]slLevel
	}
	slNode2 struct {
		n slNode
		l [2]slLevel
	}
	slNode3 struct {
		n slNode
		l [3]slLevel
	}
	slNode4 struct {
		n slNode
		l [4]slLevel
	}
)

// newSLNode returns a node with level forward links.
func newSLNode(level int, score float64, member string) *slNode {
	var n *slNode
	switch level {
	case 1:
		x := new(slNode1)
		x.n.lv = x.l[:]
		n = &x.n
	case 2:
		x := new(slNode2)
		x.n.lv = x.l[:]
		n = &x.n
	case 3:
		x := new(slNode3)
		x.n.lv = x.l[:]
		n = &x.n
	case 4:
		x := new(slNode4)
		x.n.lv = x.l[:]
		n = &x.n
	default:
		n = &slNode{lv: make([]slLevel, level)}
	}
	n.score = score
	n.member = member
	return n
}

// slNodeCost returns the heap bytes of a node with level links, member
// bytes excluded.
func slNodeCost(level int) int {
	base := int(unsafe.Sizeof(slNode{}))
	lvl := int(unsafe.Sizeof(slLevel{}))
	if level <= 4 {
		return allocSize(base+level*lvl, true)
	}
	return allocSize(base, true) + allocSize(level*lvl, true)
}

// slRandomLevel returns a level in [1, slMaxLevel] where each extra level
// has probability 1/4, as zslRandomLevel does: every two trailing zero bits
// of a random word add a level.
func slRandomLevel() int {
	return 1 + bits.TrailingZeros64(rand.Uint64()|1<<62)/2
}

// skiplist is the ordered half of a sorted set. It must not be copied once
// used: head.lv may point into headInline.
type skiplist struct {
	head       slNode // sentinel; only head.lv is used
	headInline [slHeadInline]slLevel
	tail       *slNode
	length     int
	level      int // levels in use, >= 1
	nodeBytes  int // heap bytes of all nodes, members excluded
}

// init prepares an empty skiplist.
func (sl *skiplist) init() {
	sl.headInline = [slHeadInline]slLevel{}
	sl.head = slNode{lv: sl.headInline[:]}
	sl.tail = nil
	sl.length = 0
	sl.level = 1
	sl.nodeBytes = 0
}

// lessThan reports whether node x sorts before (score, member).
func (x *slNode) lessThan(score float64, member string) bool {
	return x.score < score || (x.score == score && x.member < member)
}

// insert adds a new node for (score, member), which must not be present.
func (sl *skiplist) insert(score float64, member string) *slNode {
	n := newSLNode(slRandomLevel(), score, member)
	sl.nodeBytes += slNodeCost(len(n.lv))
	sl.link(n)
	return n
}

// link places the unlinked node n at its position for (n.score, n.member).
func (sl *skiplist) link(n *slNode) {
	var update [slMaxLevel]*slNode
	var rank [slMaxLevel]int
	x := &sl.head
	for i := sl.level - 1; i >= 0; i-- {
		if i < sl.level-1 {
			rank[i] = rank[i+1]
		}
		for next := x.lv[i].next; next != nil && next.lessThan(n.score, n.member); next = x.lv[i].next {
			rank[i] += x.lv[i].span
			x = next
		}
		update[i] = x
	}
	level := len(n.lv)
	if level > sl.level {
		if level > len(sl.head.lv) {
			lv := make([]slLevel, slMaxLevel)
			copy(lv, sl.head.lv)
			sl.head.lv = lv
		}
		for i := sl.level; i < level; i++ {
			rank[i] = 0
			update[i] = &sl.head
			sl.head.lv[i] = slLevel{span: sl.length}
		}
		sl.level = level
	}
	for i := 0; i < level; i++ {
		u := &update[i].lv[i]
		n.lv[i].next = u.next
		u.next = n
		n.lv[i].span = u.span - (rank[0] - rank[i])
		u.span = rank[0] - rank[i] + 1
	}
	for i := level; i < sl.level; i++ {
		update[i].lv[i].span++
	}
	if update[0] == &sl.head {
		n.prev = nil
	} else {
		n.prev = update[0]
	}
	if next := n.lv[0].next; next != nil {
		next.prev = n
	} else {
		sl.tail = n
	}
	sl.length++
}

// unlink removes node x; update[i] must be the last node before x at level
// i (or before x's position, for levels x does not have).
func (sl *skiplist) unlink(x *slNode, update *[slMaxLevel]*slNode) {
	for i := 0; i < sl.level; i++ {
		u := &update[i].lv[i]
		if u.next == x {
			u.span += x.lv[i].span - 1
			u.next = x.lv[i].next
		} else {
			u.span--
		}
	}
	if next := x.lv[0].next; next != nil {
		next.prev = x.prev
	} else {
		sl.tail = x.prev
	}
	for sl.level > 1 && sl.head.lv[sl.level-1].next == nil {
		sl.level--
	}
	sl.length--
}

// release forgets a node that was unlinked for good.
func (sl *skiplist) release(x *slNode) {
	sl.nodeBytes -= slNodeCost(len(x.lv))
}

// findUpdate fills update with, for each level, the last node sorting
// before (score, member), and returns the level-0 successor of update[0].
func (sl *skiplist) findUpdate(score float64, member string, update *[slMaxLevel]*slNode) *slNode {
	x := &sl.head
	for i := sl.level - 1; i >= 0; i-- {
		for next := x.lv[i].next; next != nil && next.lessThan(score, member); next = x.lv[i].next {
			x = next
		}
		update[i] = x
	}
	return x.lv[0].next
}

// delete removes the node (score, member) and reports whether it existed.
func (sl *skiplist) delete(score float64, member string) bool {
	var update [slMaxLevel]*slNode
	x := sl.findUpdate(score, member, &update)
	if x == nil || x.score != score || x.member != member {
		return false
	}
	sl.unlink(x, &update)
	sl.release(x)
	return true
}

// updateScore moves the node (cur, member), which must exist, to newScore.
// Like zslUpdateScore it changes the score in place when the node keeps its
// position, and otherwise relinks the same node.
func (sl *skiplist) updateScore(cur float64, member string, newScore float64) *slNode {
	var update [slMaxLevel]*slNode
	x := sl.findUpdate(cur, member, &update)
	if x == nil || x.score != cur || x.member != member {
		return nil // cannot happen while the dictionary and skiplist agree
	}
	if (x.prev == nil || x.prev.score < newScore) &&
		(x.lv[0].next == nil || x.lv[0].next.score > newScore) {
		x.score = newScore
		return x
	}
	sl.unlink(x, &update)
	x.score = newScore
	x.prev = nil
	for i := range x.lv {
		x.lv[i] = slLevel{}
	}
	sl.link(x)
	return x
}

// rank returns the 1-based rank of (score, member), or 0 if absent.
func (sl *skiplist) rank(score float64, member string) int {
	x := &sl.head
	r := 0
	for i := sl.level - 1; i >= 0; i-- {
		for next := x.lv[i].next; next != nil && (next.score < score || (next.score == score && next.member <= member)); next = x.lv[i].next {
			r += x.lv[i].span
			x = next
		}
		if x != &sl.head && x.score == score && x.member == member {
			return r
		}
	}
	return 0
}

// byRank returns the node of 1-based rank r, or nil when out of range.
func (sl *skiplist) byRank(r int) *slNode {
	if r < 1 || r > sl.length {
		return nil
	}
	x := &sl.head
	traversed := 0
	for i := sl.level - 1; i >= 0; i-- {
		for x.lv[i].next != nil && traversed+x.lv[i].span <= r {
			traversed += x.lv[i].span
			x = x.lv[i].next
		}
		if traversed == r {
			return x
		}
	}
	return nil
}

// first returns the lowest node, or nil.
func (sl *skiplist) first() *slNode { return sl.head.lv[0].next }

// firstWhere descends to the first node for which below is false, assuming
// below holds for a prefix of the list (Redis's "go forward while out of
// range"). It returns that node and its 1-based rank, or nil and
// length+1.
func (sl *skiplist) firstWhere(below func(*slNode) bool) (*slNode, int) {
	x := &sl.head
	r := 0
	for i := sl.level - 1; i >= 0; i-- {
		for next := x.lv[i].next; next != nil && below(next); next = x.lv[i].next {
			r += x.lv[i].span
			x = next
		}
	}
	return x.lv[0].next, r + 1
}

// lastWhere descends to the last node for which within is true, assuming
// within holds for a prefix of the list. It returns that node and its
// 1-based rank, or nil and 0.
func (sl *skiplist) lastWhere(within func(*slNode) bool) (*slNode, int) {
	x := &sl.head
	r := 0
	for i := sl.level - 1; i >= 0; i-- {
		for next := x.lv[i].next; next != nil && within(next); next = x.lv[i].next {
			r += x.lv[i].span
			x = next
		}
	}
	if x == &sl.head {
		return nil, 0
	}
	return x, r
}

// deleteFrom removes consecutive nodes starting at the first node for which
// below is false, while keep holds, calling gone (if not nil) for each. It
// returns how many nodes it removed.
func (sl *skiplist) deleteFrom(below, keep func(*slNode) bool, gone func(*slNode)) int {
	var update [slMaxLevel]*slNode
	x := &sl.head
	for i := sl.level - 1; i >= 0; i-- {
		for next := x.lv[i].next; next != nil && below(next); next = x.lv[i].next {
			x = next
		}
		update[i] = x
	}
	return sl.deleteRun(x.lv[0].next, &update, keep, gone)
}

// deleteRanks removes the nodes of 1-based ranks start..end inclusive.
func (sl *skiplist) deleteRanks(start, end int, gone func(*slNode)) int {
	var update [slMaxLevel]*slNode
	x := &sl.head
	traversed := 0
	for i := sl.level - 1; i >= 0; i-- {
		for x.lv[i].next != nil && traversed+x.lv[i].span < start {
			traversed += x.lv[i].span
			x = x.lv[i].next
		}
		update[i] = x
	}
	r := traversed + 1
	return sl.deleteRun(x.lv[0].next, &update, func(*slNode) bool {
		ok := r <= end
		r++
		return ok
	}, gone)
}

// deleteRun unlinks x and its successors while keep holds; update holds
// x's predecessors.
func (sl *skiplist) deleteRun(x *slNode, update *[slMaxLevel]*slNode, keep func(*slNode) bool, gone func(*slNode)) int {
	removed := 0
	for x != nil && keep(x) {
		next := x.lv[0].next
		sl.unlink(x, update)
		sl.release(x)
		if gone != nil {
			gone(x)
		}
		removed++
		x = next
	}
	return removed
}
