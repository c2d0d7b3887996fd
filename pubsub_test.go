package kevy

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// next reads one message or fails after a second.
func nextMessage(t testing.TB, sub *Subscription) Message {
	t.Helper()
	select {
	case m, ok := <-sub.C():
		if !ok {
			t.Fatalf("subscription closed: %v", sub.Err())
		}
		return m
	case <-time.After(time.Second):
		t.Fatal("no message")
	}
	return Message{}
}

func noErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// drain returns the messages queued now.
func drain(sub *Subscription) []string {
	var out []string
	for {
		select {
		case m, ok := <-sub.C():
			if !ok {
				return out
			}
			out = append(out, m.Channel+" "+m.Payload)
		default:
			return out
		}
	}
}

func TestPublishSubscribe(t *testing.T) {
	s := open(t, nil)
	sub := must[*Subscription](t)(s.Subscribe("news", "sport"))
	defer sub.Close()
	psub := must[*Subscription](t)(s.PSubscribe("n*"))
	defer psub.Close()

	tests := []struct {
		channel string
		want    int
	}{{"news", 2}, {"sport", 1}, {"nothing", 1}, {"other", 0}}
	for _, tt := range tests {
		if n := must[int](t)(s.Publish(tt.channel, "hi")); n != tt.want {
			t.Errorf("Publish(%q) = %d, want %d", tt.channel, n, tt.want)
		}
	}
	if m := nextMessage(t, sub); m != (Message{Kind: KindMessage, Channel: "news", Payload: "hi"}) {
		t.Errorf("got %+v", m)
	}
	if m := nextMessage(t, sub); m.Channel != "sport" {
		t.Errorf("got %+v", m)
	}
	if m := nextMessage(t, psub); m != (Message{Kind: KindPMessage, Pattern: "n*", Channel: "news", Payload: "hi"}) {
		t.Errorf("got %+v", m)
	}
	if m := nextMessage(t, psub); m.Channel != "nothing" {
		t.Errorf("got %+v", m)
	}

	// The same registry answers PUBSUB and PUBLISH through Do.
	if r, _ := s.Do("PUBLISH", "news", "x"); r.Int != 2 {
		t.Errorf("PUBLISH through Do = %v", r)
	}
	if r, _ := s.Do("PUBSUB", "NUMSUB", "news", "none"); fmt.Sprintf("%s %d %d", r.Elems[0].Str, r.Elems[1].Int, r.Elems[3].Int) != "news 1 0" {
		t.Errorf("PUBSUB NUMSUB = %+v", r)
	}
	if n := must[int](t)(s.PubSubNumPat()); n != 1 {
		t.Errorf("PubSubNumPat = %d", n)
	}
	chans := must[[]string](t)(s.PubSubChannels(""))
	slices.Sort(chans)
	if !slices.Equal(chans, []string{"news", "sport"}) {
		t.Errorf("PubSubChannels = %q", chans)
	}
	if m := must[map[string]int](t)(s.PubSubNumSub("news", "x")); m["news"] != 1 || m["x"] != 0 {
		t.Errorf("PubSubNumSub = %v", m)
	}
	if _, err := s.Do("SUBSCRIBE", "x"); err == nil {
		t.Error("SUBSCRIBE through Do succeeded")
	}

	noErr(t, sub.Unsubscribe("news"))
	if got := sub.Channels(); !slices.Equal(got, []string{"sport"}) {
		t.Errorf("Channels after Unsubscribe = %q", got)
	}
	noErr(t, psub.PUnsubscribe())
	if n := must[int](t)(s.Publish("news", "y")); n != 0 {
		t.Errorf("Publish after unsubscribing = %d", n)
	}
}

func TestSubscriptionErrors(t *testing.T) {
	s := open(t, nil)
	if _, err := s.SubscribeWith(SubscribeOptions{QueueSize: -1}); err == nil {
		t.Error("negative QueueSize accepted")
	}
	sub := must[*Subscription](t)(s.SubscribeWith(SubscribeOptions{QueueSize: 2}, "c"))
	for range 3 {
		s.Publish("c", "x")
	}
	if got := len(drain(sub)); got != 2 {
		t.Errorf("%d messages queued before the drop, want 2", got)
	}
	if !errors.Is(sub.Err(), ErrSubscriptionOverflow) {
		t.Errorf("Err = %v, want ErrSubscriptionOverflow", sub.Err())
	}
	if err := sub.Subscribe("d"); !errors.Is(err, ErrSubscriptionOverflow) {
		t.Errorf("Subscribe on a dropped subscription: %v", err)
	}

	blk := must[*Subscription](t)(s.SubscribeWith(SubscribeOptions{QueueSize: 1, Overflow: BlockPublisher, BlockTimeout: 20 * time.Millisecond}, "b"))
	s.Publish("b", "1")
	start := time.Now()
	s.Publish("b", "2")
	if time.Since(start) < 15*time.Millisecond || !errors.Is(blk.Err(), ErrSubscriptionOverflow) {
		t.Errorf("blocking publisher: waited %v, Err %v", time.Since(start), blk.Err())
	}

	c := must[*Subscription](t)(s.Subscribe("e"))
	c.Close()
	c.Close()
	if !errors.Is(c.Err(), ErrClosed) {
		t.Errorf("Err after Close = %v", c.Err())
	}
	if _, ok := <-c.C(); ok {
		t.Error("C open after Close")
	}
}

// TestStoreCloseEndsSubscriptions: closing the last handle closes every
// subscription and leaves no goroutine behind.
func TestStoreCloseEndsSubscriptions(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := Open(&Options{Reaper: ReaperManual})
	if err != nil {
		t.Fatal(err)
	}
	clone := s.Clone()
	sub := must[*Subscription](t)(s.Subscribe("a"))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range sub.C() {
		}
	}()
	s.Publish("a", "1")
	s.Close()
	if n, _ := clone.Publish("a", "2"); n != 1 {
		t.Errorf("subscription did not outlive a non-last handle")
	}
	clone.Close()
	wg.Wait()
	if !errors.Is(sub.Err(), ErrClosed) {
		t.Errorf("Err after the store closed = %v", sub.Err())
	}
	if _, err := s.Subscribe("x"); !errors.Is(err, ErrClosed) {
		t.Errorf("Subscribe on a closed store: %v", err)
	}
	if _, err := s.Publish("x", "y"); !errors.Is(err, ErrClosed) {
		t.Errorf("Publish on a closed store: %v", err)
	}
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close, %d before", n, before)
	}
}

func TestKeyspaceNotifications(t *testing.T) {
	s, clk := openClock(t, 4)
	if err := s.SetNotifyKeyspaceEvents("KEA?"); err == nil || err.Error() != "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'." {
		t.Fatalf("bad flags: %v", err)
	}
	noErr(t, s.SetNotifyKeyspaceEvents("KEA"))
	if got := s.NotifyKeyspaceEvents(); got != "AKE" {
		t.Fatalf("NotifyKeyspaceEvents = %q", got)
	}
	sub := must[*Subscription](t)(s.PSubscribe("__keyspace@0__:user:*"))
	defer sub.Close()
	ev := must[*Subscription](t)(s.Subscribe("__keyevent@0__:expired", "__keyevent@0__:del"))
	defer ev.Close()

	s.Set("user:1", "ada")                   // typed fast path
	s.HSet("user:2", "name", "grace")        // typed container write
	s.Do("LPUSH", "user:3", "a")             // command table
	s.Set("other", "x")                      // not matched
	s.SetWithTTL("user:4", "x", time.Second) // set + expire
	s.Del("user:1")                          // del
	want := []string{"__keyspace@0__:user:1 set", "__keyspace@0__:user:2 hset", "__keyspace@0__:user:3 lpush",
		"__keyspace@0__:user:4 set", "__keyspace@0__:user:4 expire", "__keyspace@0__:user:1 del"}
	if got := drain(sub); !slices.Equal(got, want) {
		t.Errorf("keyspace notifications:\n got %q\nwant %q", got, want)
	}
	clk.Advance(2 * time.Second)
	s.Tick() // active expiry
	want = []string{"__keyevent@0__:del user:1", "__keyevent@0__:expired user:4"}
	if got := drain(ev); !slices.Equal(got, want) {
		t.Errorf("keyevent notifications:\n got %q\nwant %q", got, want)
	}
	if got := drain(sub); !slices.Equal(got, []string{"__keyspace@0__:user:4 expired"}) {
		t.Errorf("expired keyspace notification: %q", got)
	}

	// Off: nothing more is published.
	noErr(t, s.SetNotifyKeyspaceEvents(""))
	s.Set("user:5", "x")
	if got := drain(sub); len(got) != 0 {
		t.Errorf("notifications while off: %q", got)
	}
}

func TestEvictedNotification(t *testing.T) {
	s, _ := openLimited(t, AllKeysRandom, 1)
	noErr(t, s.SetNotifyKeyspaceEvents("Ee"))
	sub := must[*Subscription](t)(s.SubscribeWith(SubscribeOptions{QueueSize: 100000}, "__keyevent@0__:evicted"))
	defer sub.Close()
	fill(t, s, "k", 2000, 0)
	got := drain(sub)
	if len(got) == 0 || uint64(len(got)) != s.EvictionsTotal() {
		t.Fatalf("%d evicted notifications for %d evictions", len(got), s.EvictionsTotal())
	}
}

func benchmarkStorePublish(b *testing.B, nsubs int) {
	s := open(b, &Options{Reaper: ReaperManual})
	var wg sync.WaitGroup
	for range nsubs {
		sub, _ := s.SubscribeWith(SubscribeOptions{QueueSize: 4096, Overflow: BlockPublisher, BlockTimeout: time.Minute}, "bench")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range sub.C() {
			}
		}()
		defer sub.Close()
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		s.Publish("bench", "payload")
	}
	s.en.PubSub().Close(nil) // end the readers once they drained the queues
	wg.Wait()
	b.ReportMetric(float64(b.N)*float64(nsubs)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkPublish1 and BenchmarkPublish50 measure messages delivered per
// second (published, queued and read by the subscribers' goroutines).
func BenchmarkPublish1(b *testing.B)  { benchmarkStorePublish(b, 1) }
func BenchmarkPublish50(b *testing.B) { benchmarkStorePublish(b, 50) }

// SET on a key whose TTL passed first expires it, as Redis's lookupKeyWrite
// does: an "expired" event and one more expired key, whether the write
// comes through the typed fast path or the command table.
func TestSetOnExpiredKeyExpiresItFirst(t *testing.T) {
	for _, typed := range []bool{true, false} {
		s, clk := openClock(t, 1)
		noErr(t, s.SetNotifyKeyspaceEvents("Ex"))
		ev := must[*Subscription](t)(s.Subscribe("__keyevent@0__:expired"))
		noErr(t, s.SetWithTTL("k", "old", time.Second))
		clk.Advance(2 * time.Second)
		if typed {
			noErr(t, s.Set("k", "new"))
		} else {
			must[Reply](t)(s.Do("SET", "k", "new"))
		}
		if got := drain(ev); !slices.Equal(got, []string{"__keyevent@0__:expired k"}) {
			t.Errorf("typed %v: events %q, want the expiry of k", typed, got)
		}
		if n := s.ExpiredKeysTotal(); n != 1 {
			t.Errorf("typed %v: ExpiredKeysTotal = %d, want 1", typed, n)
		}
		if v, _ := s.Get("k"); v != "new" {
			t.Errorf("typed %v: k = %q", typed, v)
		}
		if ttl, _ := s.PTTL("k"); ttl != -1 {
			t.Errorf("typed %v: PTTL = %d, want -1", typed, ttl)
		}
		ev.Close()
	}
}
