package engine

import (
	"strconv"
	"testing"

	"github.com/kevy-go/kevy/internal/resp"
)

// TestRandomCountBound: a negative count (members that may repeat) past
// MaxRandomCount is refused by all three random-member commands, before
// any reply is built; redis-server 7.0.15 tries to build it and dies on
// ZRANDMEMBER key -922337203685477580 (found by FuzzExec hanging).
func TestRandomCountBound(t *testing.T) {
	en := New(Config{ManualReaper: true})
	defer en.Close()
	for _, args := range [][]string{{"SADD", "s", "a", "b"}, {"HSET", "h", "a", "1"}, {"ZADD", "z", "1", "a", "2", "b"}} {
		execRESP(t, en, args)
	}
	over := strconv.Itoa(-MaxRandomCount - 1)
	for _, args := range [][]string{
		{"SRANDMEMBER", "s", over}, {"HRANDFIELD", "h", over}, {"ZRANDMEMBER", "z", over},
		{"ZRANDMEMBER", "z", "-922337203685477580"}, {"SRANDMEMBER", "s", "-922337203685477580"},
	} {
		if v := execRESP(t, en, args); v.Kind != resp.ErrorReply || v.Str != "ERR value is out of range" {
			t.Errorf("%q = %v, want ERR value is out of range", args, v)
		}
	}
	for _, args := range [][]string{{"SRANDMEMBER", "s", "-5"}, {"HRANDFIELD", "h", "-5"}, {"ZRANDMEMBER", "z", "-5"}} {
		if v := execRESP(t, en, args); v.Kind != resp.Array || len(v.Elems) != 5 {
			t.Errorf("%q = %v, want 5 elements", args, v)
		}
	}
}
