package engine

import (
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/pubsub"
	"github.com/kevy-go/kevy/internal/redistest"
	"github.com/kevy-go/kevy/internal/resp"
)

// subConn is a test connection in subscribed mode: a RESPWriter whose
// subscription the subscribe commands use, as the server's will.
type subConn struct {
	RESPWriter
	en  *Engine
	sub *pubsub.Subscription
}

func (c *subConn) Subscription() (*pubsub.Subscription, error) {
	if c.sub == nil {
		s, err := c.en.PubSub().NewSubscription(pubsub.Options{QueueSize: 4096, Confirmations: true})
		if err != nil {
			return nil, err
		}
		c.sub = s
	}
	return c.sub, nil
}

// exec runs a command on the connection and returns what it wrote
// directly (nothing for a subscribe command that worked).
func (c *subConn) exec(args ...string) string {
	c.Buf = c.Buf[:0]
	c.en.Exec(&Ctx{Args: args, W: c})
	return string(c.Buf)
}

// pushes renders the queued messages as Redis's push replies.
func (c *subConn) pushes() []string {
	var out []string
	if c.sub == nil {
		return out
	}
	for len(c.sub.C()) > 0 {
		m := <-c.sub.C()
		switch m.Kind {
		case pubsub.KindMessage, pubsub.KindSMessage:
			out = append(out, fmt.Sprintf("%s %s %s", m.Kind, m.Channel, m.Payload))
		case pubsub.KindPMessage:
			out = append(out, fmt.Sprintf("%s %s %s %s", m.Kind, m.Pattern, m.Channel, m.Payload))
		default:
			name := m.Channel
			if m.Kind == pubsub.KindPSubscribe || m.Kind == pubsub.KindPUnsubscribe {
				name = m.Pattern
			}
			if m.Null {
				name = "(nil)"
			}
			out = append(out, fmt.Sprintf("%s %s %d", m.Kind, name, m.Count))
		}
	}
	return out
}

// redisSub is a subscriber connection to Redis.
type redisSub struct {
	conn net.Conn
	rd   *resp.Reader
}

// do sends a command (none: only the PING) followed by PING and returns the
// pushes before the PING's reply.
func (r *redisSub) do(t *testing.T, args ...string) []string {
	t.Helper()
	var b []byte
	if len(args) > 0 {
		b = resp.AppendCommand(b, args...)
	}
	r.conn.Write(resp.AppendCommand(b, "PING"))
	r.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var out []string
	for {
		v, err := r.rd.ReadValue()
		if err != nil {
			t.Fatal(err)
		}
		if v.Kind == resp.SimpleString && v.Str == "PONG" || len(v.Elems) == 2 && v.Elems[0].Str == "pong" {
			return out
		}
		parts := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			switch {
			case e.IsNull():
				parts[i] = "(nil)"
			case e.Kind == resp.Integer:
				parts[i] = strconv.FormatInt(e.Int, 10)
			default:
				parts[i] = e.Str
			}
		}
		out = append(out, strings.Join(parts, " "))
	}
}

// TestPubSubAgainstRedis drives four subscribers on each side with the
// same random (un)subscribe commands, publishes, and PUBSUB queries, and
// compares every confirmation, every delivered message, and every reply.
func TestPubSubAgainstRedis(t *testing.T) {
	srv := redistest.Start(t)
	rc := srv.Dial(t)
	en := New(Config{ManualReaper: true})
	defer en.Close()
	const nsubs = 4
	rs := make([]*redisSub, nsubs)
	ks := make([]*subConn, nsubs)
	for i := range rs {
		conn, err := net.Dial("tcp", srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		rs[i] = &redisSub{conn, resp.NewReader(conn)}
		ks[i] = &subConn{en: en}
	}
	seed := *diffSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	r := rand.New(rand.NewPCG(seed, 7))
	chans := []string{"c0", "c1", "c2", "news.a", "news.b", ""}
	pats := []string{"c*", "c[01]", "?1", "*", "news.*", "x", "[", "*.b"}
	names := func(pool []string) []string {
		out := make([]string, r.IntN(4))
		for i := range out {
			out[i] = pick(r, pool...)
		}
		return out
	}
	sortedIf := func(b bool, xs []string) []string {
		if b {
			xs = slices.Clone(xs)
			slices.Sort(xs)
		}
		return xs
	}
	compared := 0
	for step := range 20000 {
		var args []string
		switch r.IntN(10) {
		case 0, 1:
			args = append([]string{pick(r, "SUBSCRIBE", "SSUBSCRIBE")}, names(chans)...)
		case 2:
			args = append([]string{pick(r, "UNSUBSCRIBE", "SUNSUBSCRIBE")}, names(chans)...)
		case 3:
			args = append([]string{"PSUBSCRIBE"}, names(pats)...)
		case 4:
			args = append([]string{"PUNSUBSCRIBE"}, names(pats)...)
		}
		if args != nil {
			if len(args) == 1 && strings.HasSuffix(args[0], "SUBSCRIBE") && !strings.Contains(args[0], "UNSUB") {
				args = append(args, pick(r, chans...))
			}
			i := r.IntN(nsubs)
			want := rs[i].do(t, args...)
			direct := ks[i].exec(args...)
			got := ks[i].pushes()
			if direct != "" {
				t.Fatalf("step %d: %q wrote %q directly", step, args, direct)
			}
			// UNSUBSCRIBE with no names walks the subscriptions in an
			// unspecified order: compare the names as a set and the
			// counts in order.
			if len(args) == 1 {
				want, got = splitCounts(want), splitCounts(got)
			}
			if !slices.Equal(want, got) {
				t.Fatalf("seed %d step %d: subscriber %d %q\nredis %q\nkevy  %q", seed, step, i, args, want, got)
			}
			compared++
			continue
		}
		switch r.IntN(6) {
		case 0, 1, 2:
			args = []string{pick(r, "PUBLISH", "PUBLISH", "SPUBLISH"), pick(r, chans...), "m" + strconv.Itoa(step)}
		case 3:
			args = []string{"PUBSUB", pick(r, "CHANNELS", "SHARDCHANNELS")}
			if r.IntN(2) == 0 {
				args = append(args, pick(r, pats...))
			}
		case 4:
			args = append([]string{"PUBSUB", pick(r, "NUMSUB", "SHARDNUMSUB")}, names(chans)...)
		default:
			args = []string{"PUBSUB", "NUMPAT"}
		}
		want, err := rc.Do(args...)
		if err != nil {
			t.Fatal(err)
		}
		got := execRESP(t, en, args)
		mode := cmpExact
		if strings.HasSuffix(args[1], "CHANNELS") {
			mode = cmpUnordered
		}
		if !same(mode, want, got) {
			t.Fatalf("seed %d step %d: %q\nredis %v\nkevy  %v", seed, step, args, want, got)
		}
		compared++
		if args[0] == "PUBSUB" {
			continue
		}
		for i := range nsubs {
			// A subscriber matching several patterns gets them in an
			// unspecified order.
			want, got := sortedIf(true, rs[i].do(t)), sortedIf(true, ks[i].pushes())
			if !slices.Equal(want, got) {
				t.Fatalf("seed %d step %d: %q: subscriber %d received\nredis %q\nkevy  %q", seed, step, args, i, want, got)
			}
		}
	}
	t.Logf("seed %d: %d commands compared", seed, compared)
}

// splitCounts turns confirmations "kind name count" into the sorted
// "kind name" followed by the counts in order.
func splitCounts(cs []string) []string {
	var names, counts []string
	for _, c := range cs {
		i := strings.LastIndexByte(c, ' ')
		names = append(names, c[:i])
		counts = append(counts, c[i+1:])
	}
	slices.Sort(names)
	return append(names, counts...)
}

func TestSubscribeNeedsAConnection(t *testing.T) {
	en := New(Config{ManualReaper: true})
	defer en.Close()
	v := execRESP(t, en, []string{"SUBSCRIBE", "a"})
	if !v.IsError() || !strings.Contains(v.Str, "SUBSCRIBE") {
		t.Fatalf("SUBSCRIBE through a plain writer = %v", v)
	}
	for _, args := range [][]string{{"SUBSCRIBE"}, {"PSUBSCRIBE"}, {"SSUBSCRIBE"}} {
		if v := execRESP(t, en, args); v.Str != ArityError(strings.ToLower(args[0])).Error() {
			t.Errorf("%v = %v", args, v)
		}
	}
}

// TestEngineClosesSubscriptions: the registry closes with the engine.
func TestEngineClosesSubscriptions(t *testing.T) {
	en := New(Config{ManualReaper: true})
	s, err := en.PubSub().NewSubscription(pubsub.Options{})
	if err != nil {
		t.Fatal(err)
	}
	en.Close()
	select {
	case _, ok := <-s.C():
		if ok {
			t.Fatal("message after Close")
		}
	case <-time.After(time.Second):
		t.Fatal("subscription still open after the engine closed")
	}
	if s.Err() != ErrClosed {
		t.Fatalf("Err = %v", s.Err())
	}
}
