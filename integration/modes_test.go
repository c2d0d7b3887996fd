package integration

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Connection modes driven through go-redis's own APIs: pub/sub (PubSub,
// Channel), keyspace notifications, transactions (TxPipelined, Watch) and
// blocking commands, with RESP2 and RESP3.

// waitTimeout bounds every wait for the server to reach a state.
const waitTimeout = 10 * time.Second

// must1 fails the test on an error.
func must1(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// infoInt returns an integer field of an INFO section.
func infoInt(t *testing.T, ctx context.Context, c *redis.Client, section, field string) int {
	t.Helper()
	info := must(t, c.Info(ctx, section))
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("INFO %s: %q", field, line)
			}
			return n
		}
	}
	t.Fatalf("INFO %s lacks %s: %q", section, field, info)
	return 0
}

// waitFor polls cond until it holds, failing the test after waitTimeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitInfo waits until an INFO integer field satisfies cond.
func waitInfo(t *testing.T, ctx context.Context, c *redis.Client, section, field string, cond func(int) bool) int {
	t.Helper()
	var n int
	waitFor(t, "INFO "+field, func() bool {
		n = infoInt(t, ctx, c, section, field)
		return cond(n)
	})
	return n
}

// waitBlocked waits until at least n clients are blocked.
func waitBlocked(t *testing.T, ctx context.Context, c *redis.Client, n int) {
	t.Helper()
	waitInfo(t, ctx, c, "clients", "blocked_clients", func(v int) bool { return v >= n })
}

// The registry lags the confirmations: kevy can push a (un)subscribe
// confirmation before the subscription takes effect for other clients
// (see TestSubscribeConfirmationTakesEffect). The tests of other behaviour
// wait for the registry with these before publishing or asking PUBSUB.

// waitNumSub waits until PUBSUB NUMSUB reports n subscribers of channel.
func waitNumSub(t *testing.T, ctx context.Context, c *redis.Client, channel string, n int64) {
	t.Helper()
	waitFor(t, "NUMSUB "+channel, func() bool { return must(t, c.PubSubNumSub(ctx, channel))[channel] == n })
}

// waitShardNumSub waits until PUBSUB SHARDNUMSUB reports n subscribers of
// channel.
func waitShardNumSub(t *testing.T, ctx context.Context, c *redis.Client, channel string, n int64) {
	t.Helper()
	waitFor(t, "SHARDNUMSUB "+channel, func() bool { return must(t, c.PubSubShardNumSub(ctx, channel))[channel] == n })
}

// waitNumPat waits until PUBSUB NUMPAT reports n patterns.
func waitNumPat(t *testing.T, ctx context.Context, c *redis.Client, n int64) {
	t.Helper()
	waitFor(t, "NUMPAT", func() bool { return must(t, c.PubSubNumPat(ctx)) == n })
}

// warm runs a first command on each client before a test uses it from
// several goroutines: go-redis v9.23 races with itself (go test -race)
// when the first connections of a client are set up concurrently and its
// maintenance-notifications handshake falls back to disabled.
func warm(t *testing.T, ctx context.Context, cs ...redis.Cmdable) {
	t.Helper()
	for _, c := range cs {
		must(t, c.Ping(ctx))
	}
}

// closeLater closes ps when the test ends.
func closeLater(t *testing.T, ps *redis.PubSub) *redis.PubSub {
	t.Cleanup(func() { ps.Close() })
	return ps
}

// receive returns the next pushed item, failing after waitTimeout.
func receive(t *testing.T, ctx context.Context, ps *redis.PubSub) any {
	t.Helper()
	return receiveWithin(t, ctx, ps, waitTimeout)
}

// receiveWithin returns the next pushed item, failing after d.
func receiveWithin(t *testing.T, ctx context.Context, ps *redis.PubSub, d time.Duration) any {
	t.Helper()
	v, err := ps.ReceiveTimeout(ctx, d)
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	return v
}

// expectSub checks that the next item is a (un)subscribe confirmation.
func expectSub(t *testing.T, ctx context.Context, ps *redis.PubSub, kind, channel string, count int) {
	t.Helper()
	v := receive(t, ctx, ps)
	s, ok := v.(*redis.Subscription)
	if !ok || s.Kind != kind || s.Channel != channel || s.Count != count {
		t.Fatalf("got %#v, want %s %s %d", v, kind, channel, count)
	}
}

// expectMsg checks that the next item is a message (Pattern is "" for a
// channel message).
func expectMsg(t *testing.T, ctx context.Context, ps *redis.PubSub, pattern, channel, payload string) {
	t.Helper()
	expectMsgWithin(t, ctx, ps, waitTimeout, pattern, channel, payload)
}

// expectMsgWithin is expectMsg waiting at most d.
func expectMsgWithin(t *testing.T, ctx context.Context, ps *redis.PubSub, d time.Duration, pattern, channel, payload string) {
	t.Helper()
	v := receiveWithin(t, ctx, ps, d)
	m, ok := v.(*redis.Message)
	if !ok || m.Pattern != pattern || m.Channel != channel || m.Payload != payload {
		t.Fatalf("got %#v, want message %q %q %q", v, pattern, channel, payload)
	}
}

// TestPubSubCommands proves the PubSub API end to end: confirmations of
// SUBSCRIBE, PSUBSCRIBE and SSUBSCRIBE with Redis's counts, PUBLISH and
// SPUBLISH receiver counts, a channel and a pattern both matching (two
// deliveries, channel first), two subscribers on one channel, PING inside
// the subscription, PUBSUB CHANNELS/NUMSUB/NUMPAT/SHARDCHANNELS, and the
// UNSUBSCRIBE family with and without arguments.
func TestPubSubCommands(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		ps := closeLater(t, c.Subscribe(ctx, "news", "sports"))
		expectSub(t, ctx, ps, "subscribe", "news", 1)
		expectSub(t, ctx, ps, "subscribe", "sports", 2)
		must1(t, ps.PSubscribe(ctx, "n*"))
		expectSub(t, ctx, ps, "psubscribe", "n*", 3)
		must1(t, ps.SSubscribe(ctx, "orders"))
		expectSub(t, ctx, ps, "ssubscribe", "orders", 1)
		waitNumSub(t, ctx, c, "news", 1)
		waitNumSub(t, ctx, c, "sports", 1)
		waitNumPat(t, ctx, c, 1)
		waitShardNumSub(t, ctx, c, "orders", 1)

		must1(t, ps.Ping(ctx, "hi"))
		if v, ok := receive(t, ctx, ps).(*redis.Pong); !ok || v.Payload != "hi" {
			t.Fatalf("PING in subscription: %#v", v)
		}

		chans := must(t, c.PubSubChannels(ctx, "*"))
		slices.Sort(chans)
		eq(t, "PUBSUB CHANNELS", strings.Join(chans, ","), "news,sports")
		eq(t, "PUBSUB CHANNELS pattern", strings.Join(must(t, c.PubSubChannels(ctx, "s*")), ","), "sports")
		numsub := must(t, c.PubSubNumSub(ctx, "news", "sports", "none"))
		eq(t, "NUMSUB", fmt.Sprint(numsub), "map[news:1 none:0 sports:1]")
		eq(t, "NUMPAT", must(t, c.PubSubNumPat(ctx)), int64(1))
		eq(t, "SHARDCHANNELS", strings.Join(must(t, c.PubSubShardChannels(ctx, "*")), ","), "orders")
		eq(t, "SHARDNUMSUB", fmt.Sprint(must(t, c.PubSubShardNumSub(ctx, "orders", "x"))), "map[orders:1 x:0]")

		// A channel and a pattern both match: two deliveries, counted twice.
		eq(t, "PUBLISH news", must(t, c.Publish(ctx, "news", "hello")), int64(2))
		expectMsg(t, ctx, ps, "", "news", "hello")
		expectMsg(t, ctx, ps, "n*", "news", "hello")
		eq(t, "PUBLISH sports", must(t, c.Publish(ctx, "sports", "goal")), int64(1))
		expectMsg(t, ctx, ps, "", "sports", "goal")
		eq(t, "PUBLISH pattern only", must(t, c.Publish(ctx, "nature", "tree")), int64(1))
		expectMsg(t, ctx, ps, "n*", "nature", "tree")
		eq(t, "PUBLISH nobody", must(t, c.Publish(ctx, "zzz", "lost")), int64(0))
		eq(t, "SPUBLISH", must(t, c.SPublish(ctx, "orders", "o1")), int64(1))
		expectMsg(t, ctx, ps, "", "orders", "o1")
		eq(t, "SPUBLISH nobody", must(t, c.SPublish(ctx, "news", "x")), int64(0))

		// A second subscriber on the same channel.
		ps2 := closeLater(t, c.Subscribe(ctx, "news"))
		expectSub(t, ctx, ps2, "subscribe", "news", 1)
		waitNumSub(t, ctx, c, "news", 2)
		eq(t, "PUBLISH two subscribers", must(t, c.Publish(ctx, "news", "both")), int64(3))
		expectMsg(t, ctx, ps, "", "news", "both")
		expectMsg(t, ctx, ps, "n*", "news", "both")
		expectMsg(t, ctx, ps2, "", "news", "both")

		must1(t, ps.Unsubscribe(ctx, "news"))
		expectSub(t, ctx, ps, "unsubscribe", "news", 2) // sports and n* remain
		waitNumSub(t, ctx, c, "news", 1)
		eq(t, "PUBLISH after UNSUBSCRIBE", must(t, c.Publish(ctx, "news", "later")), int64(2))
		expectMsg(t, ctx, ps, "n*", "news", "later")
		expectMsg(t, ctx, ps2, "", "news", "later")

		must1(t, ps.Unsubscribe(ctx)) // all channels: only sports is left
		expectSub(t, ctx, ps, "unsubscribe", "sports", 1)
		must1(t, ps.PUnsubscribe(ctx))
		expectSub(t, ctx, ps, "punsubscribe", "n*", 0)
		must1(t, ps.SUnsubscribe(ctx))
		expectSub(t, ctx, ps, "sunsubscribe", "orders", 0)
		waitNumSub(t, ctx, c, "sports", 0)
		waitNumPat(t, ctx, c, 0)
		waitShardNumSub(t, ctx, c, "orders", 0)
		eq(t, "CHANNELS after", strings.Join(must(t, c.PubSubChannels(ctx, "*")), ","), "news")
		eq(t, "SHARDCHANNELS after", len(must(t, c.PubSubShardChannels(ctx, "*"))), 0)

		// Subscribing again after leaving every subscription works.
		must1(t, ps.Subscribe(ctx, "again"))
		expectSub(t, ctx, ps, "subscribe", "again", 1)
		waitNumSub(t, ctx, c, "again", 1)
		eq(t, "PUBLISH again", must(t, c.Publish(ctx, "again", "back")), int64(1))
		expectMsg(t, ctx, ps, "", "again", "back")
	})
}

// TestSubscribeConfirmationTakesEffect proves the guarantee a client
// relies on when it waits for a confirmation (as go-redis users do with
// Receive): once the confirmation is read, the change is in effect for
// every other client. A PUBLISH or SPUBLISH right after a SUBSCRIBE,
// PSUBSCRIBE or SSUBSCRIBE confirmation reaches the subscriber (counted 1),
// and PUBSUB NUMSUB, NUMPAT and SHARDNUMSUB right after the unsubscribe
// confirmations no longer count it. It repeats the round trips to catch a
// window between the confirmation and the registration.
func TestSubscribeConfirmationTakesEffect(t *testing.T) {
	const rounds = 500
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		ps := closeLater(t, c.Subscribe(ctx))
		var late struct{ sub, unsub, psub, punsub, ssub, sunsub int }
		for range rounds {
			must1(t, ps.Subscribe(ctx, "ch"))
			expectSub(t, ctx, ps, "subscribe", "ch", 1)
			if must(t, c.Publish(ctx, "ch", "m")) == 1 {
				expectMsg(t, ctx, ps, "", "ch", "m")
			} else {
				late.sub++
			}
			must1(t, ps.Unsubscribe(ctx, "ch"))
			expectSub(t, ctx, ps, "unsubscribe", "ch", 0)
			if must(t, c.PubSubNumSub(ctx, "ch"))["ch"] != 0 {
				late.unsub++
			}

			must1(t, ps.PSubscribe(ctx, "c*"))
			expectSub(t, ctx, ps, "psubscribe", "c*", 1)
			if must(t, c.Publish(ctx, "ch", "p")) == 1 {
				expectMsg(t, ctx, ps, "c*", "ch", "p")
			} else {
				late.psub++
			}
			must1(t, ps.PUnsubscribe(ctx, "c*"))
			expectSub(t, ctx, ps, "punsubscribe", "c*", 0)
			if must(t, c.PubSubNumPat(ctx)) != 0 {
				late.punsub++
			}

			must1(t, ps.SSubscribe(ctx, "sh"))
			expectSub(t, ctx, ps, "ssubscribe", "sh", 1)
			if must(t, c.SPublish(ctx, "sh", "s")) == 1 {
				expectMsg(t, ctx, ps, "", "sh", "s")
			} else {
				late.ssub++
			}
			must1(t, ps.SUnsubscribe(ctx, "sh"))
			expectSub(t, ctx, ps, "sunsubscribe", "sh", 0)
			if must(t, c.PubSubShardNumSub(ctx, "sh"))["sh"] != 0 {
				late.sunsub++
			}
		}
		if late.sub+late.unsub+late.psub+late.punsub+late.ssub+late.sunsub != 0 {
			t.Errorf("of %d rounds, the change was not yet in effect after the confirmation: "+
				"SUBSCRIBE (PUBLISH lost) %d, UNSUBSCRIBE (NUMSUB) %d, PSUBSCRIBE (PUBLISH lost) %d, "+
				"PUNSUBSCRIBE (NUMPAT) %d, SSUBSCRIBE (SPUBLISH lost) %d, SUNSUBSCRIBE (SHARDNUMSUB) %d",
				rounds, late.sub, late.unsub, late.psub, late.punsub, late.ssub, late.sunsub)
		}
	})
}

// TestPubSubOrderedDelivery proves that 10,000 messages published by one
// client in pipelines reach a ps.Channel() subscriber complete and in
// publishing order, each PUBLISH counting one channel and one pattern
// receiver, and that the pattern copies are in order too.
func TestPubSubOrderedDelivery(t *testing.T) {
	const total = 10000
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		ps := closeLater(t, c.Subscribe(ctx, "seq"))
		expectSub(t, ctx, ps, "subscribe", "seq", 1)
		must1(t, ps.PSubscribe(ctx, "se?"))
		expectSub(t, ctx, ps, "psubscribe", "se?", 2)
		waitNumSub(t, ctx, c, "seq", 1)
		waitNumPat(t, ctx, c, 1)
		ch := ps.Channel(redis.WithChannelSize(1000))

		pubErr := make(chan error, 1)
		go func() {
			pubErr <- func() error {
				for start := 0; start < total; start += 500 {
					cmds, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
						for i := start; i < start+500; i++ {
							p.Publish(ctx, "seq", strconv.Itoa(i))
						}
						return nil
					})
					if err != nil {
						return err
					}
					for _, cmd := range cmds {
						if n := cmd.(*redis.IntCmd).Val(); n != 2 {
							return fmt.Errorf("%v: %d receivers", cmd.Args(), n)
						}
					}
				}
				return nil
			}()
		}()

		next, nextPat := 0, 0
		timeout := time.NewTimer(60 * time.Second)
		defer timeout.Stop()
		for next < total || nextPat < total {
			select {
			case m, ok := <-ch:
				if !ok {
					t.Fatalf("channel closed after %d/%d messages", next, nextPat)
				}
				if m.Channel != "seq" {
					t.Fatalf("message on %q", m.Channel)
				}
				want := &next
				if m.Pattern == "se?" {
					want = &nextPat
				} else if m.Pattern != "" {
					t.Fatalf("pattern %q", m.Pattern)
				}
				if m.Payload != strconv.Itoa(*want) {
					t.Fatalf("message %q (pattern %q), want %d", m.Payload, m.Pattern, *want)
				}
				*want++
			case <-timeout.C:
				t.Fatalf("received %d channel and %d pattern messages of %d", next, nextPat, total)
			}
		}
		if err := <-pubErr; err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-ch:
			t.Fatalf("extra message %v", m)
		case <-time.After(100 * time.Millisecond):
		}
	})
}

// TestPubSubCloseReleasesConnection proves that closing subscribed PubSubs
// (some with a Channel() reader) releases their server connections: INFO
// connected_clients returns to its baseline, PUBSUB NUMSUB and NUMPAT drop
// to zero, and the process's goroutines (the server's serving, forwarding
// and push-writing goroutines) return to their count before.
func TestPubSubCloseReleasesConnection(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		base := infoInt(t, ctx, c, "clients", "connected_clients")
		// Warm up go-redis's lazily started machinery before counting.
		first := c.Subscribe(ctx, "first")
		expectSub(t, ctx, first, "subscribe", "first", 1)
		must1(t, first.Close())
		waitInfo(t, ctx, c, "clients", "connected_clients", func(n int) bool { return n == base })
		goroutines := runtime.NumGoroutine()

		var pss []*redis.PubSub
		for i := range 4 {
			ps := closeLater(t, c.Subscribe(ctx, "room"))
			expectSub(t, ctx, ps, "subscribe", "room", 1)
			must1(t, ps.PSubscribe(ctx, "ro*"))
			expectSub(t, ctx, ps, "psubscribe", "ro*", 2)
			if i%2 == 0 {
				ps.Channel()
			}
			pss = append(pss, ps)
		}
		eq(t, "connected_clients", infoInt(t, ctx, c, "clients", "connected_clients"), base+4)
		waitNumSub(t, ctx, c, "room", 4)
		waitNumPat(t, ctx, c, 1) // unique patterns
		eq(t, "PUBLISH", must(t, c.Publish(ctx, "room", "hi")), int64(8))
		for _, ps := range pss {
			must1(t, ps.Close())
		}
		waitInfo(t, ctx, c, "clients", "connected_clients", func(n int) bool { return n == base })
		eq(t, "NUMSUB after Close", must(t, c.PubSubNumSub(ctx, "room"))["room"], int64(0))
		eq(t, "NUMPAT after Close", must(t, c.PubSubNumPat(ctx)), int64(0))
		eq(t, "PUBLISH after Close", must(t, c.Publish(ctx, "room", "hi")), int64(0))
		waitFor(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= goroutines })
	})
}

// TestKeyspaceNotifications proves keyspace notifications through a
// pattern subscription: with "KEA", SET, DEL and EXPIRE (a long TTL)
// publish on __keyspace@0__:<key> and then __keyevent@0__:<event>, and a
// key given a 50 ms TTL publishes "expired" once the server reaps it; with
// "Ex" only the expired event is published. The server expires keys
// actively: each expired event is awaited for at most 5 s, no key access.
func TestKeyspaceNotifications(t *testing.T) {
	const expireWait = 5 * time.Second
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		eq(t, "CONFIG SET", must(t, c.ConfigSet(ctx, "notify-keyspace-events", "KEA")), "OK")
		ps := closeLater(t, c.PSubscribe(ctx, "__keyevent@0__:*", "__keyspace@0__:k*"))
		expectSub(t, ctx, ps, "psubscribe", "__keyevent@0__:*", 1)
		expectSub(t, ctx, ps, "psubscribe", "__keyspace@0__:k*", 2)
		waitNumPat(t, ctx, c, 2)
		event := func(key, ev string) {
			t.Helper()
			expectMsgWithin(t, ctx, ps, expireWait, "__keyspace@0__:k*", "__keyspace@0__:"+key, ev)
			expectMsg(t, ctx, ps, "__keyevent@0__:*", "__keyevent@0__:"+ev, key)
		}

		must(t, c.Set(ctx, "k1", "v", 0))
		event("k1", "set")
		eq(t, "DEL", must(t, c.Del(ctx, "k1")), int64(1))
		event("k1", "del")
		eq(t, "DEL missing", must(t, c.Del(ctx, "k1")), int64(0)) // no event
		must(t, c.Set(ctx, "k2", "v", 0))
		event("k2", "set")
		eq(t, "EXPIRE", must(t, c.Expire(ctx, "k2", time.Hour)), true)
		event("k2", "expire")
		must(t, c.Set(ctx, "k3", "v", 0))
		event("k3", "set")
		eq(t, "PEXPIRE", must(t, c.PExpire(ctx, "k3", 50*time.Millisecond)), true)
		event("k3", "expire")
		event("k3", "expired")
		eq(t, "EXISTS expired", must(t, c.Exists(ctx, "k3")), int64(0))

		eq(t, "CONFIG SET Ex", must(t, c.ConfigSet(ctx, "notify-keyspace-events", "Ex")), "OK")
		eq(t, "CONFIG GET", must(t, c.ConfigGet(ctx, "notify-keyspace-events"))["notify-keyspace-events"], "xE")
		must(t, c.Set(ctx, "k4", "v", 0))
		eq(t, "PEXPIRE k4", must(t, c.PExpire(ctx, "k4", 50*time.Millisecond)), true)
		must(t, c.Del(ctx, "k2"))
		// Events of SET, PEXPIRE or DEL would arrive before this one.
		expectMsgWithin(t, ctx, ps, expireWait, "__keyevent@0__:*", "__keyevent@0__:expired", "k4")
	})
}

// TestTxPipelinedAcrossShards proves MULTI/EXEC through TxPipelined over
// keys spread across the four shards: every reply comes back in order,
// every write is applied, and concurrent transactions that read all the
// keys never see a writing transaction half applied.
func TestTxPipelinedAcrossShards(t *testing.T) {
	const nkeys = 64
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		keys := make([]string, nkeys)
		for i := range keys {
			keys[i] = "tx:" + strconv.Itoa(i)
		}
		cmds, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for i, k := range keys {
				p.Set(ctx, k, i, 0)
				p.Incr(ctx, "tx:count")
			}
			p.MGet(ctx, keys...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "replies", len(cmds), 2*nkeys+1)
		for i := range nkeys {
			eq(t, "SET reply", cmds[2*i].(*redis.StatusCmd).Val(), "OK")
			eq(t, "INCR reply", cmds[2*i+1].(*redis.IntCmd).Val(), int64(i+1))
		}
		vals := cmds[2*nkeys].(*redis.SliceCmd).Val()
		for i, v := range vals {
			eq(t, "MGET in EXEC", v, any(strconv.Itoa(i)))
		}
		for i, v := range must(t, c.MGet(ctx, keys...)) {
			eq(t, "MGET after EXEC", v, any(strconv.Itoa(i)))
		}

		// A writer sets every key to one round number per transaction;
		// readers read them all in a transaction and must see one round.
		const rounds = 100
		if _, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range keys {
				p.Set(ctx, k, "start", 0)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errc := make(chan error, 3)
		done := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done)
			for r := range rounds {
				_, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
					for _, k := range keys {
						p.Set(ctx, k, "r"+strconv.Itoa(r), 0)
					}
					return nil
				})
				if err != nil {
					errc <- err
					return
				}
			}
		}()
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for reads := 0; ; reads++ {
					select {
					case <-done:
						if reads > 0 {
							return
						}
					default:
					}
					cmds, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
						for _, k := range keys {
							p.Get(ctx, k)
						}
						return nil
					})
					if err != nil {
						errc <- err
						return
					}
					first := cmds[0].(*redis.StringCmd).Val()
					for i, cmd := range cmds {
						if v := cmd.(*redis.StringCmd).Val(); v != first {
							errc <- fmt.Errorf("a transaction saw %s=%q and %s=%q", keys[0], first, keys[i], v)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		for _, v := range must(t, c.MGet(ctx, keys...)) {
			eq(t, "final round", v, any("r"+strconv.Itoa(rounds-1)))
		}
	})
}

// TestWatchRetryLoop proves WATCH's optimistic locking with go-redis's
// documented retry loop: 8 goroutines incrementing one counter 50 times
// each through GET + MULTI/SET/EXEC end with exactly 400, so no lost
// update got through.
func TestWatchRetryLoop(t *testing.T) {
	const workers, each = 8, 50
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		const key = "counter"
		warm(t, ctx, c)
		increment := func() error {
			txf := func(tx *redis.Tx) error {
				n, err := tx.Get(ctx, key).Int()
				if err != nil && err != redis.Nil {
					return err
				}
				_, err = tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
					pipe.Set(ctx, key, n+1, 0)
					return nil
				})
				return err
			}
			for range 100000 {
				err := c.Watch(ctx, txf, key)
				if err != redis.TxFailedErr {
					return err
				}
			}
			return errors.New("increment reached maximum number of retries")
		}
		errc := make(chan error, workers)
		for range workers {
			go func() {
				var err error
				for range each {
					if err = increment(); err != nil {
						break
					}
				}
				errc <- err
			}()
		}
		for range workers {
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		}
		eq(t, "counter", must(t, intCmd(c.Get(ctx, key))), workers*each)
	})
}

// TestWatchConflicts proves that EXEC fails with redis.TxFailedErr (nothing
// applied) when another client modifies a watched key between WATCH and
// EXEC, and succeeds when the other client touches an unwatched key or the
// key is UNWATCHed first.
func TestWatchConflicts(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		other := client(t, c.Options().Addr, c.Options().Protocol, nil)
		must(t, c.Set(ctx, "w", "0", 0))
		err := c.Watch(ctx, func(tx *redis.Tx) error {
			eq(t, "GET in WATCH", must(t, tx.Get(ctx, "w")), "0")
			eq(t, "other SET", must(t, other.Set(ctx, "w", "theirs", 0)), "OK")
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "w", "mine", 0)
				p.Set(ctx, "side", "effect", 0)
				return nil
			})
			return err
		}, "w")
		if err != redis.TxFailedErr {
			t.Fatalf("Watch with a conflicting write: %v", err)
		}
		eq(t, "w", must(t, c.Get(ctx, "w")), "theirs")
		eq(t, "side", must(t, c.Exists(ctx, "side")), int64(0))

		// A key deleted by another client counts as modified too.
		err = c.Watch(ctx, func(tx *redis.Tx) error {
			eq(t, "other DEL", must(t, other.Del(ctx, "w")), int64(1))
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "w", "mine", 0)
				return nil
			})
			return err
		}, "w")
		if err != redis.TxFailedErr {
			t.Fatalf("Watch with a conflicting DEL: %v", err)
		}
		eq(t, "w deleted", must(t, c.Exists(ctx, "w")), int64(0))

		err = c.Watch(ctx, func(tx *redis.Tx) error {
			must(t, other.Set(ctx, "unwatched", "x", 0))
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "w", "mine", 0)
				return nil
			})
			return err
		}, "w")
		if err != nil {
			t.Fatalf("Watch with an unrelated write: %v", err)
		}
		eq(t, "w mine", must(t, c.Get(ctx, "w")), "mine")

		err = c.Watch(ctx, func(tx *redis.Tx) error {
			eq(t, "UNWATCH", must(t, tx.Unwatch(ctx)), "OK")
			must(t, other.Set(ctx, "w", "theirs", 0))
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "w", "after-unwatch", 0)
				return nil
			})
			return err
		}, "w")
		if err != nil {
			t.Fatalf("Watch after UNWATCH: %v", err)
		}
		eq(t, "w after UNWATCH", must(t, c.Get(ctx, "w")), "after-unwatch")
	})
}

// TestExecErrors proves EXEC's error semantics: a command failing at run
// time (WRONGTYPE) returns its error in its slot while the others are
// applied; a command refused when queued (wrong arity) aborts the whole
// transaction with EXECABORT and applies nothing.
func TestExecErrors(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		cmds, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "s", "text", 0)
			p.LPush(ctx, "s", "x")
			p.Incr(ctx, "n")
			p.Append(ctx, "s", "!")
			return nil
		})
		if err == nil || !strings.HasPrefix(err.Error(), "WRONGTYPE") {
			t.Fatalf("TxPipelined error = %v", err)
		}
		eq(t, "SET", cmds[0].(*redis.StatusCmd).Val(), "OK")
		if e := cmds[1].Err(); e == nil || e.Error() != "WRONGTYPE Operation against a key holding the wrong kind of value" {
			t.Fatalf("LPUSH in EXEC: %v", e)
		}
		eq(t, "INCR", cmds[2].(*redis.IntCmd).Val(), int64(1))
		eq(t, "APPEND", cmds[3].(*redis.IntCmd).Val(), int64(5))
		eq(t, "s", must(t, c.Get(ctx, "s")), "text!")
		eq(t, "n", must(t, c.Get(ctx, "n")), "1")

		cmds, err = c.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Incr(ctx, "n")
			p.Do(ctx, "SET", "lonely")
			p.Set(ctx, "untouched", "v", 0)
			return nil
		})
		if err == nil || !strings.HasPrefix(err.Error(), "EXECABORT") {
			t.Fatalf("TxPipelined with a queueing error = %v", err)
		}
		if e := cmds[1].Err(); e == nil || !strings.Contains(e.Error(), "wrong number of arguments") {
			t.Fatalf("queued SET: %v", e)
		}
		eq(t, "n not incremented", must(t, c.Get(ctx, "n")), "1")
		eq(t, "untouched", must(t, c.Exists(ctx, "untouched")), int64(0))
	})
}

// TestMultiDiscard proves DISCARD on a pinned connection: queued commands
// reply QUEUED and are dropped, DISCARD releases WATCH, EXEC and DISCARD
// without MULTI and nested MULTI are errors, and (P)SUBSCRIBE inside MULTI
// is refused and aborts the transaction.
func TestMultiDiscard(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		conn := c.Conn()
		t.Cleanup(func() { conn.Close() })
		other := client(t, c.Options().Addr, c.Options().Protocol, nil)

		eq(t, "WATCH", must(t, conn.Do(ctx, "WATCH", "d")), any("OK"))
		eq(t, "MULTI", must(t, conn.Do(ctx, "MULTI")), any("OK"))
		if err := conn.Do(ctx, "MULTI").Err(); err == nil || err.Error() != "ERR MULTI calls can not be nested" {
			t.Fatalf("nested MULTI: %v", err)
		}
		eq(t, "queued SET", must(t, conn.Set(ctx, "d", "1", 0)), "QUEUED")
		eq(t, "queued INCR", must(t, conn.Do(ctx, "INCR", "d2")), any("QUEUED"))
		eq(t, "DISCARD", must(t, conn.Do(ctx, "DISCARD")), any("OK"))
		eq(t, "d discarded", must(t, c.Exists(ctx, "d", "d2")), int64(0))
		if err := conn.Do(ctx, "EXEC").Err(); err == nil || err.Error() != "ERR EXEC without MULTI" {
			t.Fatalf("EXEC after DISCARD: %v", err)
		}
		if err := conn.Do(ctx, "DISCARD").Err(); err == nil || err.Error() != "ERR DISCARD without MULTI" {
			t.Fatalf("DISCARD without MULTI: %v", err)
		}

		// DISCARD dropped the WATCH: a write by another client no longer
		// fails the next transaction.
		must(t, other.Set(ctx, "d", "theirs", 0))
		eq(t, "MULTI", must(t, conn.Do(ctx, "MULTI")), any("OK"))
		eq(t, "queued SET", must(t, conn.Set(ctx, "d", "mine", 0)), "QUEUED")
		eq(t, "EXEC", fmt.Sprint(must(t, conn.Do(ctx, "EXEC"))), "[OK]")
		eq(t, "d", must(t, c.Get(ctx, "d")), "mine")

		// Subscribing inside MULTI is refused and fails the transaction.
		eq(t, "MULTI", must(t, conn.Do(ctx, "MULTI")), any("OK"))
		eq(t, "queued SET", must(t, conn.Set(ctx, "d", "never", 0)), "QUEUED")
		for _, sub := range []string{"SUBSCRIBE", "PSUBSCRIBE"} {
			if err := conn.Do(ctx, sub, "ch").Err(); err == nil || err.Error() != "ERR Command not allowed inside a transaction" {
				t.Fatalf("%s in MULTI: %v", sub, err)
			}
		}
		if err := conn.Do(ctx, "EXEC").Err(); err == nil || !strings.HasPrefix(err.Error(), "EXECABORT") {
			t.Fatalf("EXEC after a refused SUBSCRIBE: %v", err)
		}
		eq(t, "d kept", must(t, c.Get(ctx, "d")), "mine")
		eq(t, "PING after", must(t, conn.Ping(ctx)), "PONG")
	})
}

// async runs f in a goroutine and returns a channel with its error.
func async(f func() error) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	return ch
}

// await returns the error the command run by async reported, failing
// after waitTimeout.
func await(t *testing.T, what string, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(waitTimeout):
		t.Fatalf("%s did not return", what)
		return nil
	}
}

// blockCase is a blocking command, the push that serves it, and the check
// of its result.
type blockCase struct {
	name  string
	block func() error
	push  func()
	check func()
}

// TestBlockingServedByPush proves every blocking command through its
// go-redis method: each one, blocked on empty keys (INFO blocked_clients
// shows it), is served by a push from another client with the right key
// and values, and the pushed elements it did not take stay.
func TestBlockingServedByPush(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		bc := client(t, c.Options().Addr, c.Options().Protocol, nil)
		warm(t, ctx, c, bc)
		var cases []blockCase
		var (
			blpop, brpop []string
			blmove, brpl string
			bzmin, bzmax *redis.ZWithKey
			lmKey, zmKey string
			lmVals       []string
			zmVals       []redis.Z
		)
		cases = append(cases,
			blockCase{"BLPOP",
				func() (err error) { blpop, err = bc.BLPop(ctx, 0, "l1", "l2").Result(); return },
				func() { must(t, c.RPush(ctx, "l2", "a", "b")) },
				func() {
					eq(t, "BLPOP", fmt.Sprint(blpop), "[l2 a]")
					eq(t, "l2 left", fmt.Sprint(must(t, c.LRange(ctx, "l2", 0, -1))), "[b]")
				}},
			blockCase{"BRPOP",
				func() (err error) { brpop, err = bc.BRPop(ctx, 0, "r1", "r2").Result(); return },
				func() { must(t, c.RPush(ctx, "r1", "a", "b")) },
				func() {
					eq(t, "BRPOP", fmt.Sprint(brpop), "[r1 b]")
					eq(t, "r1 left", fmt.Sprint(must(t, c.LRange(ctx, "r1", 0, -1))), "[a]")
				}},
			blockCase{"BLMOVE",
				func() (err error) {
					blmove, err = bc.BLMove(ctx, "src", "dst", "LEFT", "RIGHT", 0).Result()
					return
				},
				func() {
					must(t, c.RPush(ctx, "dst", "d0"))
					must(t, c.RPush(ctx, "src", "x", "y"))
				},
				func() {
					eq(t, "BLMOVE", blmove, "x")
					eq(t, "src left", fmt.Sprint(must(t, c.LRange(ctx, "src", 0, -1))), "[y]")
					eq(t, "dst", fmt.Sprint(must(t, c.LRange(ctx, "dst", 0, -1))), "[d0 x]")
				}},
			blockCase{"BRPOPLPUSH",
				func() (err error) { brpl, err = bc.BRPopLPush(ctx, "src2", "dst2", 0).Result(); return },
				func() { must(t, c.RPush(ctx, "src2", "x", "y")) },
				func() {
					eq(t, "BRPOPLPUSH", brpl, "y")
					eq(t, "src2 left", fmt.Sprint(must(t, c.LRange(ctx, "src2", 0, -1))), "[x]")
					eq(t, "dst2", fmt.Sprint(must(t, c.LRange(ctx, "dst2", 0, -1))), "[y]")
				}},
			blockCase{"BZPOPMIN",
				func() (err error) { bzmin, err = bc.BZPopMin(ctx, 0, "z0", "z1").Result(); return },
				func() {
					must(t, c.ZAdd(ctx, "z1", redis.Z{Score: 2, Member: "two"}, redis.Z{Score: 1, Member: "one"}))
				},
				func() {
					eq(t, "BZPOPMIN", fmt.Sprintf("%s %v %v", bzmin.Key, bzmin.Score, bzmin.Member), "z1 1 one")
					eq(t, "z1 left", must(t, c.ZCard(ctx, "z1")), int64(1))
				}},
			blockCase{"BZPOPMAX",
				func() (err error) { bzmax, err = bc.BZPopMax(ctx, 0, "z2").Result(); return },
				func() {
					must(t, c.ZAdd(ctx, "z2", redis.Z{Score: 2.5, Member: "big"}, redis.Z{Score: 1, Member: "small"}))
				},
				func() {
					eq(t, "BZPOPMAX", fmt.Sprintf("%s %v %v", bzmax.Key, bzmax.Score, bzmax.Member), "z2 2.5 big")
					eq(t, "z2 left", fmt.Sprint(must(t, c.ZRange(ctx, "z2", 0, -1))), "[small]")
				}},
			blockCase{"BLMPOP",
				func() (err error) { lmKey, lmVals, err = bc.BLMPop(ctx, 0, "right", 2, "m1", "m2").Result(); return },
				func() { must(t, c.RPush(ctx, "m2", "a", "b", "c")) },
				func() {
					eq(t, "BLMPOP", fmt.Sprintf("%s %v", lmKey, lmVals), "m2 [c b]")
					eq(t, "m2 left", fmt.Sprint(must(t, c.LRange(ctx, "m2", 0, -1))), "[a]")
				}},
			blockCase{"BZMPOP",
				func() (err error) { zmKey, zmVals, err = bc.BZMPop(ctx, 0, "min", 2, "zm1", "zm2").Result(); return },
				func() {
					must(t, c.ZAdd(ctx, "zm1", redis.Z{Score: 3, Member: "c"}, redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"}))
				},
				func() {
					eq(t, "BZMPOP", fmt.Sprintf("%s %v", zmKey, zmVals), "zm1 [{1 a} {2 b}]")
					eq(t, "zm1 left", fmt.Sprint(must(t, c.ZRange(ctx, "zm1", 0, -1))), "[c]")
				}},
		)
		for _, tc := range cases {
			done := async(tc.block)
			waitBlocked(t, ctx, c, 1)
			tc.push()
			if err := await(t, tc.name, done); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			tc.check()
			waitInfo(t, ctx, c, "clients", "blocked_clients", func(n int) bool { return n == 0 })
		}
	})
}

// TestBlockedServedRepeatedly proves that a blocked command always replies
// once a push serves it, however soon the push follows the block: rounds
// of BLPOP on one connection, each served by an RPUSH from another client
// sent as soon as INFO blocked_clients shows it blocked (polled without
// pause, to push while the server is still setting the wait up), each
// returning the element pushed in that round.
func TestBlockedServedRepeatedly(t *testing.T) {
	const rounds = 300
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		conn := c.Conn()
		t.Cleanup(func() { conn.Close() })
		warm(t, ctx, c, conn)
		for i := range rounds {
			done := make(chan *redis.StringSliceCmd, 1)
			go func() { done <- conn.BLPop(ctx, 0, "q") }()
			deadline := time.Now().Add(waitTimeout)
			for infoInt(t, ctx, c, "clients", "blocked_clients") == 0 {
				if time.Now().After(deadline) {
					t.Fatalf("round %d: BLPOP did not block", i)
				}
			}
			eq(t, "RPUSH", must(t, c.RPush(ctx, "q", strconv.Itoa(i))), int64(1))
			select {
			case cmd := <-done:
				eq(t, "BLPOP", fmt.Sprint(must(t, cmd)), fmt.Sprintf("[q %d]", i))
			case <-time.After(waitTimeout):
				t.Fatalf("round %d: BLPOP served by RPUSH did not reply (LLEN q = %d, blocked_clients = %d)",
					i, must(t, c.LLen(ctx, "q")), infoInt(t, ctx, c, "clients", "blocked_clients"))
			}
		}
	})
}

// TestBlockingTimeouts proves that every blocking command given a 1 s
// timeout on empty keys returns redis.Nil (a null reply) once it expires,
// and leaves no blocked client behind. The eight wait concurrently.
func TestBlockingTimeouts(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		const tmo = time.Second
		warm(t, ctx, c)
		calls := map[string]func() error{
			"BLPOP":      func() error { return c.BLPop(ctx, tmo, "e1", "e2").Err() },
			"BRPOP":      func() error { return c.BRPop(ctx, tmo, "e1").Err() },
			"BLMOVE":     func() error { return c.BLMove(ctx, "e1", "e2", "LEFT", "LEFT", tmo).Err() },
			"BRPOPLPUSH": func() error { return c.BRPopLPush(ctx, "e1", "e2", tmo).Err() },
			"BZPOPMIN":   func() error { return c.BZPopMin(ctx, tmo, "e3").Err() },
			"BZPOPMAX":   func() error { return c.BZPopMax(ctx, tmo, "e3", "e4").Err() },
			"BLMPOP":     func() error { return c.BLMPop(ctx, tmo, "left", 1, "e1").Err() },
			"BZMPOP":     func() error { return c.BZMPop(ctx, tmo, "max", 1, "e3").Err() },
		}
		start := time.Now()
		results := make(map[string]<-chan error, len(calls))
		for name, f := range calls {
			results[name] = async(f)
		}
		for name, ch := range results {
			if err := await(t, name, ch); err != redis.Nil {
				t.Errorf("%s after its timeout: %v, want redis.Nil", name, err)
			}
		}
		if d := time.Since(start); d < tmo-50*time.Millisecond {
			t.Errorf("the commands returned after %v, before their timeout", d)
		}
		eq(t, "blocked_clients", infoInt(t, ctx, c, "clients", "blocked_clients"), 0)
		eq(t, "keys created", must(t, c.DBSize(ctx)), int64(0))
	})
}

// TestBlockedClientGone proves that a client that leaves while blocked
// takes nothing: once its connection is closed (go-redis Close) or its
// context deadline passes (ContextTimeoutEnabled, the connection is
// dropped), the server stops counting it as blocked and a later push stays
// in the list.
func TestBlockedClientGone(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		addr, proto := c.Options().Addr, c.Options().Protocol
		base := infoInt(t, ctx, c, "clients", "connected_clients")

		// The client closes its connection.
		bc := client(t, addr, proto, &redis.Options{MaxRetries: -1})
		warm(t, ctx, bc)
		done := async(func() error { return bc.BLPop(ctx, 0, "gone1").Err() })
		waitBlocked(t, ctx, c, 1)
		must1(t, bc.Close())
		if err := await(t, "BLPOP", done); err == nil {
			t.Fatal("BLPOP on a closed client succeeded")
		}
		waitInfo(t, ctx, c, "clients", "blocked_clients", func(n int) bool { return n == 0 })
		waitInfo(t, ctx, c, "clients", "connected_clients", func(n int) bool { return n == base })
		eq(t, "RPUSH", must(t, c.RPush(ctx, "gone1", "kept")), int64(1))
		eq(t, "gone1", fmt.Sprint(must(t, c.LRange(ctx, "gone1", 0, -1))), "[kept]")

		// The client's context deadline passes.
		cc := client(t, addr, proto, &redis.Options{MaxRetries: -1, ContextTimeoutEnabled: true})
		warm(t, ctx, cc)
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		done = async(func() error { return cc.BZPopMin(dctx, 0, "gone2").Err() })
		waitFor(t, "BZPOPMIN to block or give up", func() bool {
			return infoInt(t, ctx, c, "clients", "blocked_clients") == 1 || len(done) == 1
		})
		if err := await(t, "BZPOPMIN", done); err == nil {
			t.Fatal("BZPOPMIN past its context deadline succeeded")
		}
		waitInfo(t, ctx, c, "clients", "blocked_clients", func(n int) bool { return n == 0 })
		eq(t, "ZADD", must(t, c.ZAdd(ctx, "gone2", redis.Z{Score: 1, Member: "kept"})), int64(1))
		eq(t, "gone2", fmt.Sprint(must(t, c.ZRange(ctx, "gone2", 0, -1))), "[kept]")
		eq(t, "cc still works", must(t, cc.Ping(ctx)), "PONG") // on a new connection
	})
}

// TestClientUnblock proves CLIENT UNBLOCK through ClientUnblock and
// ClientUnblockWithError: the first ends a blocked BLPOP as a timeout
// (redis.Nil), the second with Redis's UNBLOCKED error; either returns 1
// for a blocked client and 0 otherwise, the unblocked connection stays
// usable, and a later push is not consumed by it.
func TestClientUnblock(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		conn := c.Conn()
		t.Cleanup(func() { conn.Close() })
		id := must(t, conn.ClientID(ctx))
		eq(t, "UNBLOCK idle", must(t, c.ClientUnblock(ctx, id)), int64(0))

		done := async(func() error { return conn.BLPop(ctx, 0, "u1").Err() })
		waitBlocked(t, ctx, c, 1)
		eq(t, "UNBLOCK", must(t, c.ClientUnblock(ctx, id)), int64(1))
		if err := await(t, "BLPOP", done); err != redis.Nil {
			t.Fatalf("BLPOP after CLIENT UNBLOCK: %v, want redis.Nil", err)
		}
		eq(t, "blocked_clients", infoInt(t, ctx, c, "clients", "blocked_clients"), 0)
		eq(t, "UNBLOCK again", must(t, c.ClientUnblock(ctx, id)), int64(0))

		done = async(func() error { return conn.BZMPop(ctx, 0, "min", 1, "u2").Err() })
		waitBlocked(t, ctx, c, 1)
		eq(t, "UNBLOCK ERROR", must(t, c.ClientUnblockWithError(ctx, id)), int64(1))
		if err := await(t, "BZMPOP", done); err == nil || err.Error() != "UNBLOCKED client unblocked via CLIENT UNBLOCK" {
			t.Fatalf("BZMPOP after CLIENT UNBLOCK ERROR: %v", err)
		}
		eq(t, "UNBLOCK ERROR idle", must(t, c.ClientUnblockWithError(ctx, id)), int64(0))

		eq(t, "RPUSH", must(t, c.RPush(ctx, "u1", "kept")), int64(1))
		eq(t, "u1", fmt.Sprint(must(t, c.LRange(ctx, "u1", 0, -1))), "[kept]")
		eq(t, "PING unblocked conn", must(t, conn.Ping(ctx)), "PONG")
		eq(t, "same connection", must(t, conn.ClientID(ctx)), id)
		eq(t, "LPOP on it", must(t, conn.LPop(ctx, "u1")), "kept")
	})
}
