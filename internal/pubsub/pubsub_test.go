package pubsub

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/redistest"
	"github.com/kevy-go/kevy/internal/resp"
)

func sub(t testing.TB, r *Registry, o Options) *Subscription {
	t.Helper()
	s, err := r.NewSubscription(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// recv reads one message or fails after a second.
func recv(t testing.TB, s *Subscription) Message {
	t.Helper()
	select {
	case m, ok := <-s.C():
		if !ok {
			t.Fatalf("queue closed: %v", s.Err())
		}
		return m
	case <-time.After(time.Second):
		t.Fatal("no message")
	}
	return Message{}
}

// empty checks that nothing is queued.
func empty(t testing.TB, s *Subscription) {
	t.Helper()
	select {
	case m, ok := <-s.C():
		t.Fatalf("unexpected message %+v (open %v)", m, ok)
	default:
	}
}

func TestPublishBasics(t *testing.T) {
	r := New()
	if n := r.Publish("news", "x"); n != 0 {
		t.Fatalf("Publish with no subscribers = %d", n)
	}
	a := sub(t, r, Options{})
	b := sub(t, r, Options{})
	must(t, a.Subscribe("news", "sport", "news"))
	must(t, b.PSubscribe("n*", "*s", "x*"))
	must(t, b.Subscribe("news"))
	if n := r.Publish("news", "hello"); n != 4 { // a; b's channel; b's n* and *s
		t.Fatalf("Publish = %d, want 4", n)
	}
	if m := recv(t, a); m != (Message{Kind: KindMessage, Channel: "news", Payload: "hello"}) {
		t.Fatalf("a got %+v", m)
	}
	empty(t, a)
	want := []Message{
		{Kind: KindMessage, Channel: "news", Payload: "hello"},
		{Kind: KindPMessage, Pattern: "*s", Channel: "news", Payload: "hello"},
		{Kind: KindPMessage, Pattern: "n*", Channel: "news", Payload: "hello"},
	}
	for _, w := range want {
		if m := recv(t, b); m != w {
			t.Fatalf("b got %+v, want %+v", m, w)
		}
	}
	empty(t, b)

	if got := sorted(r.Channels("")); !slices.Equal(got, []string{"news", "sport"}) {
		t.Errorf("Channels = %q", got)
	}
	if got := r.Channels("s*"); !slices.Equal(got, []string{"sport"}) {
		t.Errorf("Channels(s*) = %q", got)
	}
	if r.NumSub("news") != 2 || r.NumSub("sport") != 1 || r.NumSub("none") != 0 || r.NumPat() != 3 {
		t.Errorf("NumSub %d %d %d NumPat %d", r.NumSub("news"), r.NumSub("sport"), r.NumSub("none"), r.NumPat())
	}
	must(t, a.Unsubscribe("news"))
	if n := r.Publish("news", "2"); n != 3 {
		t.Fatalf("Publish after unsubscribe = %d", n)
	}
	empty(t, a)
	must(t, b.PUnsubscribe())
	if r.NumPat() != 0 {
		t.Fatalf("NumPat after PUnsubscribe() = %d", r.NumPat())
	}
	if c, p, s := b.Counts(); c != 1 || p != 0 || s != 0 {
		t.Fatalf("Counts = %d %d %d", c, p, s)
	}

	// Shard channels are a namespace of their own.
	must(t, a.SSubscribe("news"))
	if n := r.SPublish("news", "s"); n != 1 {
		t.Fatalf("SPublish = %d", n)
	}
	if m := recv(t, a); m != (Message{Kind: KindSMessage, Channel: "news", Payload: "s"}) {
		t.Fatalf("smessage %+v", m)
	}
	if r.ShardNumSub("news") != 1 || !slices.Equal(r.ShardChannels(""), []string{"news"}) {
		t.Fatalf("shard counts")
	}
}

func TestConfirmations(t *testing.T) {
	r := New()
	s := sub(t, r, Options{Confirmations: true})
	must(t, s.Unsubscribe())
	must(t, s.Subscribe("a", "b", "a"))
	must(t, s.PSubscribe("p*"))
	must(t, s.SSubscribe("x"))
	r.Publish("a", "1")
	must(t, s.Unsubscribe("b", "zz"))
	must(t, s.PUnsubscribe())
	must(t, s.SUnsubscribe())
	must(t, s.SUnsubscribe())
	want := []Message{
		{Kind: KindUnsubscribe, Count: 0, Null: true},
		{Kind: KindSubscribe, Channel: "a", Count: 1},
		{Kind: KindSubscribe, Channel: "b", Count: 2},
		{Kind: KindSubscribe, Channel: "a", Count: 2},
		{Kind: KindPSubscribe, Pattern: "p*", Count: 3},
		{Kind: KindSSubscribe, Channel: "x", Count: 1},
		{Kind: KindMessage, Channel: "a", Payload: "1"},
		{Kind: KindUnsubscribe, Channel: "b", Count: 2},
		{Kind: KindUnsubscribe, Channel: "zz", Count: 2},
		{Kind: KindPUnsubscribe, Pattern: "p*", Count: 1},
		{Kind: KindSUnsubscribe, Channel: "x", Count: 0},
		{Kind: KindSUnsubscribe, Null: true},
	}
	for i, w := range want {
		if m := recv(t, s); m != w {
			t.Fatalf("message %d = %+v, want %+v", i, m, w)
		}
	}
	empty(t, s)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func sorted(s []string) []string { slices.Sort(s); return s }

// TestOrderPerPublisher runs several publishers at once; every subscriber
// must see each publisher's messages in the order published.
func TestOrderPerPublisher(t *testing.T) {
	r := New()
	const pubs, per, subs = 4, 2000, 5
	var wg sync.WaitGroup
	errs := make(chan error, subs)
	for i := range subs {
		s := sub(t, r, Options{QueueSize: 64, Overflow: BlockPublisher, BlockTimeout: 10 * time.Second})
		if i%2 == 0 {
			must(t, s.Subscribe("ch"))
		} else {
			must(t, s.PSubscribe("c?"))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := make([]int, pubs)
			for range pubs * per {
				m := <-s.C()
				p, seq := 0, 0
				fmt.Sscanf(m.Payload, "%d:%d", &p, &seq)
				if seq != next[p] {
					errs <- fmt.Errorf("publisher %d: got %d, want %d", p, seq, next[p])
					return
				}
				next[p]++
			}
		}()
	}
	var pw sync.WaitGroup
	for p := range pubs {
		pw.Add(1)
		go func() {
			defer pw.Done()
			for i := range per {
				if n := r.Publish("ch", strconv.Itoa(p)+":"+strconv.Itoa(i)); n != subs {
					errs <- fmt.Errorf("Publish reached %d", n)
					return
				}
			}
		}()
	}
	pw.Wait()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestOverflowDrop(t *testing.T) {
	r := New()
	s := sub(t, r, Options{QueueSize: 3})
	must(t, s.Subscribe("c"))
	must(t, s.PSubscribe("*"))
	other := sub(t, r, Options{QueueSize: 100})
	must(t, other.Subscribe("c"))
	r.Publish("c", "1") // 2 queued for s
	start := time.Now()
	r.Publish("c", "2") // the fourth message overflows s
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Fatalf("a dropping publisher waited %v", d)
	}
	if n := r.Publish("c", "3"); n != 1 {
		t.Fatalf("Publish after drop reached %d, want 1", n)
	}
	var got []string
	for m := range s.C() {
		got = append(got, m.Payload)
	}
	if !slices.Equal(got, []string{"1", "1", "2"}) {
		t.Fatalf("queued before the drop: %q", got)
	}
	if !errors.Is(s.Err(), ErrOverflow) {
		t.Fatalf("Err = %v", s.Err())
	}
	if err := s.Subscribe("d"); !errors.Is(err, ErrOverflow) {
		t.Fatalf("Subscribe after drop = %v", err)
	}
	if r.NumSub("c") != 1 || r.NumPat() != 0 {
		t.Fatalf("registrations left: %d %d", r.NumSub("c"), r.NumPat())
	}
	if len(other.C()) != 3 {
		t.Fatalf("other subscriber got %d", len(other.C()))
	}
}

func TestOverflowBlock(t *testing.T) {
	r := New()
	s := sub(t, r, Options{QueueSize: 2, Overflow: BlockPublisher, BlockTimeout: 5 * time.Second})
	must(t, s.Subscribe("c"))
	r.Publish("c", "1")
	r.Publish("c", "2")
	done := make(chan int)
	go func() { done <- r.Publish("c", "3") }()
	select {
	case <-done:
		t.Fatal("publisher did not block on a full queue")
	case <-time.After(50 * time.Millisecond):
	}
	if m := recv(t, s); m.Payload != "1" {
		t.Fatalf("got %q", m.Payload)
	}
	if n := <-done; n != 1 {
		t.Fatalf("blocked Publish = %d", n)
	}
	if recv(t, s).Payload != "2" || recv(t, s).Payload != "3" {
		t.Fatal("order after blocking")
	}

	// The timeout drops the subscription.
	q := sub(t, r, Options{QueueSize: 1, Overflow: BlockPublisher, BlockTimeout: 30 * time.Millisecond})
	must(t, q.Subscribe("q"))
	r.Publish("q", "1")
	start := time.Now()
	r.Publish("q", "2")
	if d := time.Since(start); d < 25*time.Millisecond {
		t.Fatalf("publisher gave up after %v", d)
	}
	if !errors.Is(q.Err(), ErrOverflow) || r.NumSub("q") != 0 {
		t.Fatalf("Err = %v, NumSub = %d", q.Err(), r.NumSub("q"))
	}

	// Close releases a waiting publisher at once.
	w := sub(t, r, Options{QueueSize: 1, Overflow: BlockPublisher, BlockTimeout: time.Hour})
	must(t, w.Subscribe("w"))
	r.Publish("w", "1")
	go func() { done <- r.Publish("w", "2") }()
	time.Sleep(20 * time.Millisecond)
	must(t, w.Close())
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Close did not release the publisher")
	}
	if !errors.Is(w.Err(), ErrClosed) {
		t.Fatalf("Err after Close = %v", w.Err())
	}
}

// TestUnsubscribeRaces subscribes, unsubscribes and closes while publishers
// run; run it with -race. After Unsubscribe returns no message of that
// channel may arrive, and nothing may stay registered at the end.
func TestUnsubscribeRaces(t *testing.T) {
	r := New()
	stop := make(chan struct{})
	var pw sync.WaitGroup
	for p := range 3 {
		pw.Add(1)
		go func() {
			defer pw.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				r.Publish("c"+strconv.Itoa(i%4), strconv.Itoa(p))
				r.SPublish("s", "x")
			}
		}()
	}
	var sw sync.WaitGroup
	for w := range 6 {
		sw.Add(1)
		go func() {
			defer sw.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for range 300 {
				o := Options{QueueSize: 1 + rng.IntN(8)}
				if rng.IntN(2) == 0 {
					o.Overflow, o.BlockTimeout = BlockPublisher, time.Millisecond
				}
				s, err := r.NewSubscription(o)
				if err != nil {
					t.Error(err)
					return
				}
				s.Subscribe("c0", "c1")
				s.PSubscribe("c*")
				s.SSubscribe("s")
				for range rng.IntN(5) {
					select {
					case <-s.C():
					default:
					}
				}
				if rng.IntN(2) == 0 {
					s.Unsubscribe("c1")
					s.PUnsubscribe()
					// Drain what is queued; then no c1 or pattern message may come.
					for len(s.C()) > 0 {
						<-s.C()
					}
					for range 50 {
						select {
						case m, ok := <-s.C():
							if ok && (m.Channel == "c1" || m.Kind == KindPMessage) {
								t.Errorf("message after unsubscribe: %+v", m)
							}
						default:
						}
					}
				}
				s.Close()
			}
		}()
	}
	sw.Wait()
	close(stop)
	pw.Wait()
	if r.live.Load() != 0 || r.NumPat() != 0 || len(r.Channels("")) != 0 || len(r.all) != 0 {
		t.Fatalf("left registered: live %d, pats %d, channels %q, subs %d", r.live.Load(), r.NumPat(), r.Channels(""), len(r.all))
	}
}

func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	r := New()
	var subs []*Subscription
	for i := range 50 {
		s, _ := r.NewSubscription(Options{QueueSize: 4, Overflow: Overflow(i % 2), BlockTimeout: time.Millisecond})
		s.Subscribe("a")
		s.PSubscribe("*")
		subs = append(subs, s)
	}
	for range 10 {
		r.Publish("a", "x")
	}
	for _, s := range subs[:25] {
		s.Close()
	}
	r.Close(nil)
	for _, s := range subs {
		for range s.C() {
		}
		if s.Err() == nil {
			t.Fatal("subscription open after the registry closed")
		}
	}
	if _, err := r.NewSubscription(Options{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("NewSubscription after Close = %v", err)
	}
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines, %d before", n, before)
	}
}

// patternTable is checked against real Redis: which channels each pattern
// receives.
var (
	patterns = []string{
		"*", "?", "a*", "*a", "a?c", "a[bc]d", "a[^b]d", "a[b-d]", "a[d-b]", "a\\*", "a\\?",
		"[abc", "a[", "*a*b*", "h?llo", "h[a-]llo", "\\", "a\\", "[\\]]", "[a-]", "news.*",
		"__keyspace@0__:*", "**", "*?", "[^", "x[^]y",
	}
	channelsToTry = []string{
		"", "a", "b", "ab", "abc", "acc", "abd", "acd", "aed", "a*", "a?", "a\\", "\\", "]", "-",
		"hello", "hallo", "h-llo", "h]llo", "news.sport", "news", "aXbYb", "[", "x]y", "xzy",
		"__keyspace@0__:k", "\xff", "a\x00c",
	}
)

func TestPatternTableAgainstRedis(t *testing.T) {
	srv := redistest.Start(t)
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rd := resp.NewReader(conn)
	conn.Write(resp.AppendCommand(nil, append([]string{"PSUBSCRIBE"}, patterns...)...))
	for range patterns {
		if _, err := rd.ReadValue(); err != nil {
			t.Fatal(err)
		}
	}
	pub := srv.Dial(t)
	type hit struct{ pattern, channel string }
	var want []hit
	for _, ch := range channelsToTry {
		if _, err := pub.Do("PUBLISH", ch, "x"); err != nil {
			t.Fatal(err)
		}
	}
	pub.Do("PUBLISH", "end-marker-channel", "end")
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		v, err := rd.ReadValue()
		if err != nil {
			t.Fatal(err)
		}
		if v.Elems[2].Str == "end-marker-channel" {
			break
		}
		want = append(want, hit{v.Elems[1].Str, v.Elems[2].Str})
	}

	r := New()
	s := sub(t, r, Options{QueueSize: 10000})
	must(t, s.PSubscribe(patterns...))
	var got []hit
	for _, ch := range channelsToTry {
		r.Publish(ch, "x")
	}
	for len(s.C()) > 0 {
		m := <-s.C()
		got = append(got, hit{m.Pattern, m.Channel})
	}
	key := func(h hit) string { return h.pattern + "\x00" + h.channel }
	ks := func(hs []hit) []string {
		var out []string
		for _, h := range hs {
			out = append(out, key(h))
		}
		slices.Sort(out)
		return out
	}
	if w, g := ks(want), ks(got); !slices.Equal(w, g) {
		t.Fatalf("pattern matches differ from Redis:\nredis %q\nkevy  %q", w, g)
	}
	t.Logf("%d patterns x %d channels: %d matches, identical to Redis", len(patterns), len(channelsToTry), len(want))
}

func benchPublish(b *testing.B, nsubs int) {
	r := New()
	var wg sync.WaitGroup
	for range nsubs {
		s, _ := r.NewSubscription(Options{QueueSize: 4096, Overflow: BlockPublisher, BlockTimeout: time.Minute})
		s.Subscribe("bench")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range s.C() {
			}
		}()
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		r.Publish("bench", "payload")
	}
	r.Close(nil)
	wg.Wait()
	el := time.Since(start)
	b.ReportMetric(float64(b.N)*float64(nsubs)/el.Seconds(), "msgs/s")
}

func BenchmarkPublish1(b *testing.B)  { benchPublish(b, 1) }
func BenchmarkPublish50(b *testing.B) { benchPublish(b, 50) }

// TestMayBlock: the registry says a publisher may wait exactly while a
// BlockPublisher subscription is open, however it closes.
func TestMayBlock(t *testing.T) {
	r := New()
	d := sub(t, r, Options{})
	f := sub(t, r, Options{Overflow: BlockPublisher, Drained: true})
	if r.MayBlock() {
		t.Fatal("MayBlock with only a DropSubscription and a Drained subscription")
	}
	must(t, f.Close())
	b1 := sub(t, r, Options{Overflow: BlockPublisher})
	b2 := sub(t, r, Options{QueueSize: 1, Overflow: BlockPublisher, BlockTimeout: time.Millisecond})
	must(t, b2.Subscribe("c"))
	if !r.MayBlock() {
		t.Fatal("no MayBlock with two BlockPublisher subscriptions")
	}
	must(t, b1.Close())
	must(t, b1.Close()) // a second close counts nothing
	if !r.MayBlock() {
		t.Fatal("no MayBlock with one BlockPublisher subscription left")
	}
	r.Publish("c", "1")
	r.Publish("c", "2") // the full queue times out and drops b2
	if !errors.Is(b2.Err(), ErrOverflow) || r.MayBlock() {
		t.Fatalf("after the overflow: Err = %v, MayBlock = %v", b2.Err(), r.MayBlock())
	}
	b3 := sub(t, r, Options{Overflow: BlockPublisher})
	r.Close(nil)
	if r.MayBlock() || !errors.Is(b3.Err(), ErrClosed) || d.Err() == nil {
		t.Fatalf("after the registry closed: MayBlock = %v, Err = %v", r.MayBlock(), b3.Err())
	}
}
