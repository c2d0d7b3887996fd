package kevy

import (
	"errors"
	"time"

	"github.com/kevy-go/kevy/internal/pubsub"
)

// Pub/sub and keyspace notifications.
//
// Publish posts a payload on a channel; a Subscription receives the
// messages of the channels and patterns it subscribed to through a Go
// channel, C. Patterns follow Redis's glob rules (the same matcher as KEYS
// and SCAN), case-sensitively. The same registry serves PUBLISH and PUBSUB
// through Do and the RESP server, so in-process subscribers and network
// clients see each other's messages.
//
// Keyspace notifications are Redis's: after
// SetNotifyKeyspaceEvents("KEA") (or CONFIG SET notify-keyspace-events),
// every write publishes its event name (set, del, lpush, expired,
// evicted...) on __keyspace@0__:<key> and the key on __keyevent@0__:<event>,
// which makes a pattern subscription to __keyspace@0__:user:* an
// invalidation feed for those keys.
//
// # Backpressure
//
// Each Subscription has a bounded queue (SubscribeOptions.QueueSize
// messages, default 1024). When a publisher finds it full, the policy chosen
// at subscribe time applies:
//
//   - DropSubscription (the default, like Redis's client-output-buffer-limit
//     for pub/sub clients): the subscription is closed at once. The messages
//     already queued can still be read; then C is closed and Err returns
//     ErrSubscriptionOverflow. Publishers never wait, so a slow reader cannot
//     slow down writers or other readers.
//   - BlockPublisher: the publisher waits for room, up to
//     SubscribeOptions.BlockTimeout (default one second), then drops the
//     subscription as above. No message is lost while the subscription
//     lives, but the publisher waits, and with keyspace notifications the
//     publisher is the goroutine doing the write (no shard lock is held
//     while it waits; its own call returns late).
//
// Messages published one after another by one goroutine arrive in that
// order at every subscription. Publishing takes no lock that data writes
// need: subscriptions have their own locks.
//
// A Subscription holds no goroutine. Close it when done; closing the last
// Store handle closes every subscription (Err then returns ErrClosed).

// Message is a message received on a Subscription: Kind is
// KindMessage (Channel, Payload) or KindPMessage (Pattern, Channel,
// Payload).
type Message = pubsub.Message

// MessageKind is the kind of a Message.
type MessageKind = pubsub.Kind

// Message kinds a Subscription delivers.
const (
	KindMessage  MessageKind = pubsub.KindMessage  // published on a subscribed channel
	KindPMessage MessageKind = pubsub.KindPMessage // published on a channel matching a subscribed pattern
)

// OverflowPolicy says what a publisher does when a subscription's queue is
// full.
type OverflowPolicy = pubsub.Overflow

// Overflow policies.
const (
	// DropSubscription closes the subscription with ErrSubscriptionOverflow;
	// the publisher never waits. The default.
	DropSubscription OverflowPolicy = pubsub.DropSubscription
	// BlockPublisher makes the publisher wait for room up to BlockTimeout,
	// then drop the subscription with ErrSubscriptionOverflow.
	BlockPublisher OverflowPolicy = pubsub.BlockPublisher
)

// ErrSubscriptionOverflow is Subscription.Err after the subscription was
// dropped because its queue was full.
var ErrSubscriptionOverflow = pubsub.ErrOverflow

// SubscribeOptions configure a Subscription. The zero value is a queue of
// 1024 messages with the DropSubscription policy.
type SubscribeOptions struct {
	// QueueSize is the capacity of the queue (default 1024).
	QueueSize int
	// Overflow is the policy applied when the queue is full.
	Overflow OverflowPolicy
	// BlockTimeout bounds how long a BlockPublisher publisher waits
	// (default one second).
	BlockTimeout time.Duration
}

// Subscription is a set of subscribed channels and patterns and the queue
// their messages arrive on. Its methods are safe for concurrent use.
type Subscription struct{ s *pubsub.Subscription }

// Publish posts payload on channel and returns how many subscriptions
// received it (a subscription reached through the channel and through a
// pattern counts twice, as in Redis's PUBLISH).
func (s *Store) Publish(channel, payload string) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	return s.en.Publish(channel, payload), nil
}

// Subscribe returns a subscription to channels (none is allowed: subscribe
// later with its methods), with default options.
func (s *Store) Subscribe(channels ...string) (*Subscription, error) {
	return s.SubscribeWith(SubscribeOptions{}, channels...)
}

// PSubscribe returns a subscription to patterns, with default options.
func (s *Store) PSubscribe(patterns ...string) (*Subscription, error) {
	return s.PSubscribeWith(SubscribeOptions{}, patterns...)
}

// SubscribeWith is Subscribe with options.
func (s *Store) SubscribeWith(opts SubscribeOptions, channels ...string) (*Subscription, error) {
	sub, err := s.newSubscription(opts)
	if err != nil {
		return nil, err
	}
	if len(channels) > 0 {
		if err := sub.Subscribe(channels...); err != nil {
			sub.Close()
			return nil, err
		}
	}
	return sub, nil
}

// PSubscribeWith is PSubscribe with options.
func (s *Store) PSubscribeWith(opts SubscribeOptions, patterns ...string) (*Subscription, error) {
	sub, err := s.newSubscription(opts)
	if err != nil {
		return nil, err
	}
	if len(patterns) > 0 {
		if err := sub.PSubscribe(patterns...); err != nil {
			sub.Close()
			return nil, err
		}
	}
	return sub, nil
}

func (s *Store) newSubscription(o SubscribeOptions) (*Subscription, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	if o.QueueSize < 0 || o.BlockTimeout < 0 || (o.Overflow != DropSubscription && o.Overflow != BlockPublisher) {
		return nil, errors.New("kevy: invalid SubscribeOptions")
	}
	ps, err := s.en.PubSub().NewSubscription(pubsub.Options{
		QueueSize: o.QueueSize, Overflow: o.Overflow, BlockTimeout: o.BlockTimeout})
	if err != nil {
		return nil, subErr(err)
	}
	return &Subscription{ps}, nil
}

// subErr reports a closed subscription with the package's ErrClosed.
func subErr(err error) error {
	if errors.Is(err, pubsub.ErrClosed) {
		return ErrClosed
	}
	return err
}

// C returns the queue of messages. It is closed, after the messages queued
// before, when the subscription is closed or dropped; Err then says why.
func (sub *Subscription) C() <-chan Message { return sub.s.C() }

// Err returns nil while the subscription is open, ErrSubscriptionOverflow
// if it was dropped because its queue was full, and ErrClosed after Close or
// once the store closed.
func (sub *Subscription) Err() error { return subErr(sub.s.Err()) }

// Subscribe adds channels.
func (sub *Subscription) Subscribe(channels ...string) error {
	return subErr(sub.s.Subscribe(channels...))
}

// PSubscribe adds patterns.
func (sub *Subscription) PSubscribe(patterns ...string) error {
	return subErr(sub.s.PSubscribe(patterns...))
}

// Unsubscribe removes channels, or every channel when called with none. No
// message of a removed channel is queued after it returns.
func (sub *Subscription) Unsubscribe(channels ...string) error {
	return subErr(sub.s.Unsubscribe(channels...))
}

// PUnsubscribe removes patterns, or every pattern when called with none.
func (sub *Subscription) PUnsubscribe(patterns ...string) error {
	return subErr(sub.s.PUnsubscribe(patterns...))
}

// Channels returns the subscribed channels, in no particular order.
func (sub *Subscription) Channels() []string { return sub.s.Channels() }

// Patterns returns the subscribed patterns, in no particular order.
func (sub *Subscription) Patterns() []string { return sub.s.Patterns() }

// Close removes every channel and pattern of the subscription at once (no
// message is queued after it returns), releases a publisher waiting on a
// full queue, and closes C after the messages already queued. It is
// idempotent.
func (sub *Subscription) Close() error { return sub.s.Close() }

// PubSubChannels returns the channels that have at least one subscriber,
// matching pattern unless it is empty (PUBSUB CHANNELS), in no particular
// order.
func (s *Store) PubSubChannels(pattern string) ([]string, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	return s.en.PubSub().Channels(pattern), nil
}

// PubSubNumSub returns the number of subscribers of each channel, pattern
// subscriptions excluded (PUBSUB NUMSUB).
func (s *Store) PubSubNumSub(channels ...string) (map[string]int, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	reg := s.en.PubSub()
	out := make(map[string]int, len(channels))
	for _, ch := range channels {
		out[ch] = reg.NumSub(ch)
	}
	return out, nil
}

// PubSubNumPat returns the number of distinct patterns subscribed to
// (PUBSUB NUMPAT).
func (s *Store) PubSubNumPat() (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	return s.en.PubSub().NumPat(), nil
}

// SetNotifyKeyspaceEvents sets Redis's notify-keyspace-events: K (publish on
// __keyspace@0__:<key>), E (on __keyevent@0__:<event>) and the event
// classes g (generic: del, expire, rename...), $ (strings), l (lists), s
// (sets), h (hashes), z (sorted sets), x (expired), e (evicted), n (new
// keys), A (all of g$lshzxetd); t, d and m are accepted and raise nothing
// in kevy. "" turns notifications off (the default). An unknown character
// is Redis's CONFIG SET error.
func (s *Store) SetNotifyKeyspaceEvents(flags string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	return s.en.ConfigSet("notify-keyspace-events", flags)
}

// NotifyKeyspaceEvents returns the notify-keyspace-events setting in
// Redis's canonical form ("AKE" after "KEA").
func (s *Store) NotifyKeyspaceEvents() string { return s.en.NotifyKeyspaceEvents() }
