// Package pubsub is kevy's publish/subscribe registry: channel, pattern and
// shard-channel subscriptions, Redis 7.0's three namespaces, with a bounded
// queue per subscription.
//
// # Locking
//
// The registry has its own locks and never touches the keyspace's. Channel
// subscriptions live in 32 maps, each behind its own RWMutex, picked by a
// hash of the channel; the subscriber list of a channel is an immutable slice
// replaced on every change, so a publisher holds a read lock only for one map
// lookup. Pattern subscriptions are an immutable snapshot swapped atomically
// on change (patterns are few and change rarely), so publishing reads them
// with no lock at all. A publisher then delivers to each subscription under
// that subscription's own mutex. Publishing therefore never waits for a data
// write, and a data write that publishes (a keyspace notification) waits only
// for the subscriptions it delivers to.
//
// # Backpressure
//
// Each subscription has a bounded queue, a buffered Go channel of
// Options.QueueSize messages (default 1024), read through C. What happens
// when a publisher finds the queue full is chosen when the subscription is
// made:
//
//   - DropSubscription (the default, Redis's behaviour when a subscriber
//     exceeds client-output-buffer-limit pubsub): the subscription is closed
//     at once. Every registration is removed, the messages already queued
//     stay readable, then C is closed and Err returns ErrOverflow. The
//     publisher never waits, so one slow reader cannot slow anyone else.
//   - BlockPublisher: the publisher waits for room, up to
//     Options.BlockTimeout (default one second). If the timeout passes, the
//     subscription is dropped as above (Err returns ErrOverflow): a message
//     is never silently lost from a live subscription. While it waits, the
//     publisher (which may be a data write announcing a keyspace event)
//     is held up, and so are other publishers to the same subscription and
//     that subscription's own Subscribe/Unsubscribe calls; Close never
//     waits.
//
// Messages from one publisher (one goroutine calling Publish in sequence)
// reach every subscription in the order they were published. Messages from
// different publishers may interleave.
//
// The package starts no goroutines: delivery runs on the publisher's
// goroutine, and a closed subscription holds nothing once its reader has
// drained C.
package pubsub

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevy-go/kevy/internal/glob"
)

// Kind is the kind of a Message, named as Redis names its push messages.
type Kind string

// Message kinds. Message, PMessage and SMessage carry published payloads;
// the others confirm a change of subscriptions and are queued only for
// subscriptions made with Options.Confirmations (a server connection needs
// them, in order with the messages).
const (
	KindMessage      Kind = "message"      // published on a subscribed channel
	KindPMessage     Kind = "pmessage"     // published on a channel matching a subscribed pattern
	KindSMessage     Kind = "smessage"     // published on a subscribed shard channel (SPUBLISH)
	KindSubscribe    Kind = "subscribe"    // confirms SUBSCRIBE of Channel
	KindUnsubscribe  Kind = "unsubscribe"  // confirms UNSUBSCRIBE of Channel
	KindPSubscribe   Kind = "psubscribe"   // confirms PSUBSCRIBE of Pattern
	KindPUnsubscribe Kind = "punsubscribe" // confirms PUNSUBSCRIBE of Pattern
	KindSSubscribe   Kind = "ssubscribe"   // confirms SSUBSCRIBE of Channel
	KindSUnsubscribe Kind = "sunsubscribe" // confirms SUNSUBSCRIBE of Channel
)

// Message is one item of a subscription's queue.
type Message struct {
	Kind    Kind
	Pattern string // the matching pattern (pmessage), or the pattern confirmed (psubscribe, punsubscribe)
	Channel string // the channel published to, or the channel confirmed
	Payload string // the published payload
	// Count, on a confirmation, is the number of subscriptions the
	// subscriber holds after the change, as Redis replies it: channels plus
	// patterns, or shard channels for ssubscribe and sunsubscribe.
	Count int
	// Null marks the confirmation of an unsubscribe that found nothing to
	// remove: Redis replies a null in place of the name.
	Null bool
}

// Overflow is the policy applied when a publisher finds a subscription's
// queue full.
type Overflow int

const (
	// DropSubscription closes the subscription with ErrOverflow; the
	// publisher never waits. The default.
	DropSubscription Overflow = iota
	// BlockPublisher makes the publisher wait for room up to BlockTimeout,
	// then drop the subscription with ErrOverflow.
	BlockPublisher
)

// Defaults of Options.
const (
	DefaultQueueSize    = 1024
	DefaultBlockTimeout = time.Second
)

// Options configure a subscription. The zero value is a queue of
// DefaultQueueSize messages with the DropSubscription policy.
type Options struct {
	QueueSize    int           // capacity of the queue; <= 0 means DefaultQueueSize
	Overflow     Overflow      // what a publisher does when the queue is full
	BlockTimeout time.Duration // BlockPublisher's bound; <= 0 means DefaultBlockTimeout
	// Drained says a goroutine that never waits on anything else drains
	// the queue (a server connection's forwarder), so a BlockPublisher
	// publisher waits only briefly: MayBlock leaves the subscription out.
	Drained bool
	// Confirmations queues a confirmation message for every channel or
	// pattern subscribed or unsubscribed, in order with the published
	// messages, as a RESP connection in subscribed mode replies them.
	Confirmations bool
}

// Errors a subscription reports through Err.
var (
	// ErrOverflow: the subscription's queue was full (see Overflow).
	ErrOverflow = errors.New("pubsub: subscriber queue overflowed; subscription dropped")
	// ErrClosed: the subscription (or the registry) was closed.
	ErrClosed = errors.New("pubsub: subscription closed")
)

const nShards = 32

// Registry holds every subscription of one keyspace.
type Registry struct {
	chans  [nShards]chanShard // SUBSCRIBE channels
	schans [nShards]chanShard // SSUBSCRIBE shard channels

	patMu   sync.Mutex                // serialises pattern changes; protects pats
	pats    map[string][]*reg         // pattern → registrations, oldest first
	patSnap atomic.Pointer[[]patSubs] // immutable copy of pats for publishers

	live atomic.Int64 // registrations of any namespace: 0 makes Publish a no-op
	// blocking counts the open subscriptions MayBlock looks for.
	blocking atomic.Int64

	allMu  sync.Mutex // protects all and closed
	all    map[*Subscription]struct{}
	closed error
}

type chanShard struct {
	mu sync.RWMutex
	m  map[string][]*reg // channel → registrations (immutable slices), oldest first
	_  [40]byte          // keep shards on separate cache lines
}

type patSubs struct {
	pattern string
	regs    []*reg
}

// reg is one subscription to one channel or pattern. active is read and
// written under sub.mu: a publisher that took the registration from the
// registry before it was removed still finds it inactive.
type reg struct {
	sub    *Subscription
	name   string
	active bool
}

// New returns an empty registry.
func New() *Registry {
	r := &Registry{pats: map[string][]*reg{}, all: map[*Subscription]struct{}{}}
	for i := range r.chans {
		r.chans[i].m = map[string][]*reg{}
		r.schans[i].m = map[string][]*reg{}
	}
	return r
}

func shardOf(s string) int {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return int(h % nShards)
}

// MayBlock reports whether a publisher may have to wait for long: an open
// subscription that is not Drained has the BlockPublisher policy. A caller
// that must never wait (an event loop serving many connections) publishes
// elsewhere then.
func (r *Registry) MayBlock() bool { return r.blocking.Load() > 0 }

// Active reports whether any subscription exists, so a caller can skip
// building a message nobody would receive.
func (r *Registry) Active() bool { return r.live.Load() > 0 }

// Publish delivers payload to the subscribers of channel and to the
// subscribers of every pattern matching it (Redis glob rules, case
// sensitive), and returns the number of deliveries, as Redis's PUBLISH
// counts them: a subscription on the channel and on two matching patterns
// counts three times. Channel subscribers come first, in subscription
// order, then pattern subscribers.
func (r *Registry) Publish(channel, payload string) int {
	if r.live.Load() == 0 {
		return 0
	}
	n := 0
	sh := &r.chans[shardOf(channel)]
	sh.mu.RLock()
	regs := sh.m[channel]
	sh.mu.RUnlock()
	for _, g := range regs {
		if g.sub.deliver(g, Message{Kind: KindMessage, Channel: channel, Payload: payload}) {
			n++
		}
	}
	if ps := r.patSnap.Load(); ps != nil {
		for _, p := range *ps {
			if !glob.Match(p.pattern, channel) {
				continue
			}
			for _, g := range p.regs {
				if g.sub.deliver(g, Message{Kind: KindPMessage, Pattern: p.pattern, Channel: channel, Payload: payload}) {
					n++
				}
			}
		}
	}
	return n
}

// SPublish delivers payload to the subscribers of shard channel channel
// (SPUBLISH) and returns their number. Patterns do not apply.
func (r *Registry) SPublish(channel, payload string) int {
	if r.live.Load() == 0 {
		return 0
	}
	sh := &r.schans[shardOf(channel)]
	sh.mu.RLock()
	regs := sh.m[channel]
	sh.mu.RUnlock()
	n := 0
	for _, g := range regs {
		if g.sub.deliver(g, Message{Kind: KindSMessage, Channel: channel, Payload: payload}) {
			n++
		}
	}
	return n
}

// Channels returns the channels with at least one subscriber, matching
// pattern when it is not empty (PUBSUB CHANNELS), in no particular order.
func (r *Registry) Channels(pattern string) []string { return channels(&r.chans, pattern) }

// ShardChannels is Channels for shard channels (PUBSUB SHARDCHANNELS).
func (r *Registry) ShardChannels(pattern string) []string { return channels(&r.schans, pattern) }

func channels(shards *[nShards]chanShard, pattern string) []string {
	out := []string{}
	for i := range shards {
		sh := &shards[i]
		sh.mu.RLock()
		for ch := range sh.m {
			if pattern == "" || glob.Match(pattern, ch) {
				out = append(out, ch)
			}
		}
		sh.mu.RUnlock()
	}
	return out
}

// NumSub returns the number of subscribers of channel (PUBSUB NUMSUB).
func (r *Registry) NumSub(channel string) int { return numSub(&r.chans, channel) }

// ShardNumSub returns the number of subscribers of shard channel channel
// (PUBSUB SHARDNUMSUB).
func (r *Registry) ShardNumSub(channel string) int { return numSub(&r.schans, channel) }

func numSub(shards *[nShards]chanShard, channel string) int {
	sh := &shards[shardOf(channel)]
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return len(sh.m[channel])
}

// NumPat returns the number of distinct patterns subscribed to by anyone
// (PUBSUB NUMPAT).
func (r *Registry) NumPat() int {
	r.patMu.Lock()
	defer r.patMu.Unlock()
	return len(r.pats)
}

// Close closes every subscription with reason (nil means ErrClosed) and
// makes later NewSubscription calls fail with it. Queued messages stay
// readable.
func (r *Registry) Close(reason error) {
	if reason == nil {
		reason = ErrClosed
	}
	r.allMu.Lock()
	if r.closed != nil {
		r.allMu.Unlock()
		return
	}
	r.closed = reason
	subs := make([]*Subscription, 0, len(r.all))
	for s := range r.all {
		subs = append(subs, s)
	}
	r.allMu.Unlock()
	for _, s := range subs {
		s.drop(reason)
	}
}

// namespaces of a subscription.
const (
	nsChan = iota
	nsPat
	nsShard
)

func (r *Registry) add(ns int, g *reg) {
	// A subscription closed since g was made must not be registered:
	// its closer has already removed what it found (see Subscription.drop).
	if ns == nsPat {
		r.patMu.Lock()
		if !g.sub.closed.Load() {
			r.pats[g.name] = append(slices.Clip(r.pats[g.name]), g)
			r.live.Add(1)
			r.snapPatterns()
		}
		r.patMu.Unlock()
		return
	}
	sh := r.shard(ns, g.name)
	sh.mu.Lock()
	if !g.sub.closed.Load() {
		sh.m[g.name] = append(slices.Clip(sh.m[g.name]), g)
		r.live.Add(1)
	}
	sh.mu.Unlock()
}

func (r *Registry) remove(ns int, g *reg) {
	del := func(regs []*reg) ([]*reg, bool) {
		i := slices.Index(regs, g)
		if i < 0 {
			return regs, false
		}
		if len(regs) == 1 {
			return nil, true
		}
		return slices.Delete(slices.Clone(regs), i, i+1), true
	}
	if ns == nsPat {
		r.patMu.Lock()
		regs, ok := del(r.pats[g.name])
		if ok {
			r.live.Add(-1)
			if regs == nil {
				delete(r.pats, g.name)
			} else {
				r.pats[g.name] = regs
			}
			r.snapPatterns()
		}
		r.patMu.Unlock()
		return
	}
	sh := r.shard(ns, g.name)
	sh.mu.Lock()
	regs, ok := del(sh.m[g.name])
	if ok {
		r.live.Add(-1)
		if regs == nil {
			delete(sh.m, g.name)
		} else {
			sh.m[g.name] = regs
		}
	}
	sh.mu.Unlock()
}

func (r *Registry) shard(ns int, name string) *chanShard {
	if ns == nsShard {
		return &r.schans[shardOf(name)]
	}
	return &r.chans[shardOf(name)]
}

// snapPatterns publishes a new snapshot of pats. patMu held.
func (r *Registry) snapPatterns() {
	if len(r.pats) == 0 {
		r.patSnap.Store(nil)
		return
	}
	ps := make([]patSubs, 0, len(r.pats))
	for p, regs := range r.pats {
		ps = append(ps, patSubs{p, regs})
	}
	slices.SortFunc(ps, func(a, b patSubs) int { return strings.Compare(a.pattern, b.pattern) })
	r.patSnap.Store(&ps)
}
