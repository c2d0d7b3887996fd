package pubsub

import (
	"sync"
	"sync/atomic"
	"time"
)

// Subscription is one subscriber: a set of channels, patterns and shard
// channels, and the queue their messages arrive on. Its methods are safe for
// concurrent use.
type Subscription struct {
	r       *Registry
	ch      chan Message
	block   bool
	stalls  bool // block, and not Drained: counted in Registry.blocking
	timeout time.Duration
	confirm bool

	done     chan struct{} // closed when the subscription closes: wakes a waiting publisher
	doneOnce sync.Once
	closed   atomic.Bool // set, under mu, when the subscription closes
	queued   atomic.Uint64

	opMu sync.Mutex // serialises the handle's Subscribe and Unsubscribe calls

	mu       sync.Mutex // protects sends on ch, the maps, err and chClosed
	names    [3]map[string]*reg
	err      error
	chClosed bool
}

// NewSubscription returns a subscription with no channels, or the registry's
// closing reason once it was closed.
func (r *Registry) NewSubscription(o Options) (*Subscription, error) {
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.BlockTimeout <= 0 {
		o.BlockTimeout = DefaultBlockTimeout
	}
	s := &Subscription{
		r: r, ch: make(chan Message, o.QueueSize), done: make(chan struct{}),
		block: o.Overflow == BlockPublisher, timeout: o.BlockTimeout, confirm: o.Confirmations,
	}
	s.stalls = s.block && !o.Drained
	r.allMu.Lock()
	defer r.allMu.Unlock()
	if r.closed != nil {
		return nil, r.closed
	}
	r.all[s] = struct{}{}
	if s.stalls {
		r.blocking.Add(1)
	}
	return s, nil
}

// C returns the queue of messages. It is closed, after the messages queued
// before, when the subscription closes (Close, overflow, or the registry's
// Close); Err then says why.
func (s *Subscription) C() <-chan Message { return s.ch }

// Queued returns the number of messages queued so far (confirmations
// included). A reader that has received that many from C has seen every
// message queued before the call.
func (s *Subscription) Queued() uint64 { return s.queued.Load() }

// Err returns nil while the subscription is open, ErrOverflow if it was
// dropped because its queue was full, or the reason it was closed
// (ErrClosed after Close).
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Subscribe adds channels (SUBSCRIBE). Channels already subscribed stay
// subscribed once (with Confirmations, each still gets its confirmation).
func (s *Subscription) Subscribe(channels ...string) error {
	return s.subscribe(nsChan, KindSubscribe, channels)
}

// PSubscribe adds patterns (PSUBSCRIBE), Redis glob patterns matched
// case-sensitively against the channels published to.
func (s *Subscription) PSubscribe(patterns ...string) error {
	return s.subscribe(nsPat, KindPSubscribe, patterns)
}

// SSubscribe adds shard channels (SSUBSCRIBE), which only SPublish reaches.
func (s *Subscription) SSubscribe(channels ...string) error {
	return s.subscribe(nsShard, KindSSubscribe, channels)
}

// Unsubscribe removes channels (UNSUBSCRIBE); no argument removes every
// channel. No message of a removed channel is queued after it returns.
func (s *Subscription) Unsubscribe(channels ...string) error {
	return s.unsubscribe(nsChan, KindUnsubscribe, channels)
}

// PUnsubscribe removes patterns (PUNSUBSCRIBE); no argument removes every
// pattern.
func (s *Subscription) PUnsubscribe(patterns ...string) error {
	return s.unsubscribe(nsPat, KindPUnsubscribe, patterns)
}

// SUnsubscribe removes shard channels (SUNSUBSCRIBE); no argument removes
// every shard channel.
func (s *Subscription) SUnsubscribe(channels ...string) error {
	return s.unsubscribe(nsShard, KindSUnsubscribe, channels)
}

// Counts returns how many channels, patterns and shard channels the
// subscription holds.
func (s *Subscription) Counts() (channels, patterns, shardChannels int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.names[nsChan]), len(s.names[nsPat]), len(s.names[nsShard])
}

// names0 returns the names the subscription holds in namespace ns.
func (s *Subscription) names0(ns int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.names[ns]))
	for n := range s.names[ns] {
		out = append(out, n)
	}
	return out
}

// Channels returns the subscribed channels, in no particular order.
func (s *Subscription) Channels() []string { return s.names0(nsChan) }

// Patterns returns the subscribed patterns, in no particular order.
func (s *Subscription) Patterns() []string { return s.names0(nsPat) }

// ShardChannels returns the subscribed shard channels, in no particular order.
func (s *Subscription) ShardChannels() []string { return s.names0(nsShard) }

// Close removes every registration of the subscription at once (no message
// is queued after it returns) and closes C after the messages already
// queued. A publisher waiting for room is released. Close is idempotent.
func (s *Subscription) Close() error {
	s.drop(ErrClosed)
	return nil
}

// count is the subscription count Redis replies in a confirmation. mu held.
func (s *Subscription) count(ns int) int {
	if ns == nsShard {
		return len(s.names[nsShard])
	}
	return len(s.names[nsChan]) + len(s.names[nsPat])
}

func confirmation(kind Kind, ns int, name string, count int) Message {
	m := Message{Kind: kind, Count: count}
	if ns == nsPat {
		m.Pattern = name
	} else {
		m.Channel = name
	}
	return m
}

func (s *Subscription) subscribe(ns int, kind Kind, names []string) error {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	for _, name := range names {
		s.mu.Lock()
		if s.chClosed {
			err := s.err
			s.mu.Unlock()
			return err
		}
		var g *reg
		if s.names[ns][name] == nil {
			g = &reg{sub: s, name: name, active: true}
			if s.names[ns] == nil {
				s.names[ns] = map[string]*reg{}
			}
			s.names[ns][name] = g
			// Registered before the confirmation is queued: a reader that
			// saw the confirmation gets every message published after.
			// (No path takes s.mu while holding a registry lock.)
			s.r.add(ns, g)
		}
		overflow := s.confirm && s.enqueue(confirmation(kind, ns, name, s.count(ns)))
		s.mu.Unlock()
		if overflow {
			s.drop(ErrOverflow)
			return ErrOverflow
		}
	}
	return nil
}

func (s *Subscription) unsubscribe(ns int, kind Kind, names []string) error {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	all := len(names) == 0
	if all {
		names = s.names0(ns)
	}
	if all && len(names) == 0 && s.confirm {
		s.mu.Lock()
		if s.chClosed {
			err := s.err
			s.mu.Unlock()
			return err
		}
		m := confirmation(kind, ns, "", s.count(ns))
		m.Null = true
		overflow := s.enqueue(m)
		s.mu.Unlock()
		if overflow {
			s.drop(ErrOverflow)
			return ErrOverflow
		}
		return nil
	}
	for _, name := range names {
		s.mu.Lock()
		if s.chClosed {
			err := s.err
			s.mu.Unlock()
			return err
		}
		g := s.names[ns][name]
		if g != nil {
			g.active = false
			delete(s.names[ns], name)
			s.r.remove(ns, g) // before the confirmation, as add
		}
		overflow := s.confirm && s.enqueue(confirmation(kind, ns, name, s.count(ns)))
		s.mu.Unlock()
		if overflow {
			s.drop(ErrOverflow)
			return ErrOverflow
		}
	}
	return nil
}

// deliver queues m for registration g, reporting whether g was live.
func (s *Subscription) deliver(g *reg, m Message) bool {
	s.mu.Lock()
	if !g.active {
		s.mu.Unlock()
		return false
	}
	overflow := s.enqueue(m)
	s.mu.Unlock()
	if overflow {
		s.drop(ErrOverflow)
	}
	return true
}

// enqueue sends m on the queue, waiting under the BlockPublisher policy; it
// reports an overflow the caller must turn into a drop. mu held.
func (s *Subscription) enqueue(m Message) (overflow bool) {
	select {
	case s.ch <- m:
		s.queued.Add(1)
		return false
	default:
	}
	if !s.block {
		return true
	}
	t := time.NewTimer(s.timeout)
	defer t.Stop()
	select {
	case s.ch <- m:
		s.queued.Add(1)
		return false
	case <-s.done: // closing: the message goes nowhere
		return false
	case <-t.C:
		return true
	}
}

// drop closes the subscription with reason, unless it is closed already.
func (s *Subscription) drop(reason error) {
	s.doneOnce.Do(func() { close(s.done) }) // release a waiting publisher before taking mu
	s.mu.Lock()
	if s.chClosed {
		s.mu.Unlock()
		return
	}
	s.chClosed = true
	s.closed.Store(true)
	s.err = reason
	close(s.ch)
	names := s.names
	s.names = [3]map[string]*reg{}
	for _, m := range names {
		for _, g := range m {
			g.active = false
		}
	}
	s.mu.Unlock()
	for ns, m := range names {
		for _, g := range m {
			s.r.remove(ns, g)
		}
	}
	s.r.allMu.Lock()
	delete(s.r.all, s)
	s.r.allMu.Unlock()
	if s.stalls {
		s.r.blocking.Add(-1)
	}
}
