package server

import (
	"sync/atomic"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
	"github.com/kevy-go/kevy/internal/pubsub"
	"github.com/kevy-go/kevy/internal/resp"
)

// Subscribed connections.
//
// A connection's first (P|S)SUBSCRIBE makes its pubsub.Subscription, with
// confirmations, and moves the connection's output to its push sink: from
// then on the replies of its own commands and the messages a forwarder
// goroutine takes from the subscription's queue reach the socket in the
// order they were appended to the sink, as Redis's single output buffer
// orders them. After each command the serving goroutine waits until the
// forwarder has moved every message queued so far, so the confirmations of
// a SUBSCRIBE, or a message the command published to the connection itself,
// come before the replies of later commands.
//
// The subscription's queue is short and makes publishers wait (the
// forwarder only copies into the sink and never waits on the network); a
// client that does not read is cut off by the pubsub class of
// client-output-buffer-limit, applied by the sink, as in Redis.

// subQueueSize is the queue between the registry and a connection's
// forwarder.
const subQueueSize = 256

// subState is a connection's subscription and its forwarder.
type subState struct {
	sub  *pubsub.Subscription
	sink *pushSink
	fwd  atomic.Uint64 // messages the forwarder moved to the sink
	tick chan struct{} // the forwarder moved some
	done chan struct{} // the forwarder ended (the subscription closed)
}

// connWriter is a connection's reply writer. It is an engine.SubscriberConn,
// so the engine's subscribe commands reach the connection's subscription.
type connWriter struct {
	engine.RESPWriter
	c *conn
}

// Subscription implements engine.SubscriberConn.
func (w *connWriter) Subscription() (*pubsub.Subscription, error) {
	c := w.c
	if st := c.ps.Load(); st != nil {
		return st.sub, nil
	}
	sub, err := c.s.en.PubSub().NewSubscription(pubsub.Options{
		QueueSize: subQueueSize, Overflow: pubsub.BlockPublisher,
		BlockTimeout: 10 * time.Second, Confirmations: true, Drained: true,
	})
	if err != nil {
		return nil, err
	}
	if c.push == nil {
		c.push = newPushSink(c)
	}
	c.pushReplies() // the replies so far go before the confirmations
	st := &subState{sub: sub, sink: c.push, tick: make(chan struct{}, 1), done: make(chan struct{})}
	c.ps.Store(st)
	go c.forward(st)
	return sub, nil
}

// forward moves messages from the subscription's queue to the sink until
// the subscription closes. A subscription dropped for overflow (a publisher
// waited too long) disconnects the client.
func (c *conn) forward(st *subState) {
	defer close(st.done)
	var buf []byte
	ch := st.sub.C()
	for m := range ch {
		resp3 := c.resp3.Load()
		buf = appendMessage(buf[:0], m, resp3)
		n := uint64(1)
		open := true
	batch: // what else is queued, in one write
		for len(buf) < 64<<10 {
			select {
			case m, ok := <-ch:
				if !ok {
					open = false
					break batch
				}
				buf = appendMessage(buf, m, resp3)
				n++
			default:
				break batch
			}
		}
		st.sink.write(buf)
		st.fwd.Add(n)
		select {
		case st.tick <- struct{}{}:
		default:
		}
		if cap(buf) > maxRetainedReply {
			buf = nil
		}
		if !open {
			break
		}
	}
	if st.sub.Err() == pubsub.ErrOverflow {
		c.s.log.Warn("client closed for overcoming of output buffer limits", "addr", c.addr, "id", c.id)
		c.kill()
	}
}

// settle waits until the forwarder has moved every message queued before
// the call.
func (st *subState) settle() {
	target := st.sub.Queued()
	for st.fwd.Load() < target {
		select {
		case <-st.tick:
		case <-st.done:
			return
		}
	}
}

// appendMessage encodes m as Redis pushes it.
func appendMessage(b []byte, m pubsub.Message, resp3 bool) []byte {
	switch m.Kind {
	case pubsub.KindMessage, pubsub.KindSMessage:
		b = resp.AppendPushLen(b, 3, resp3)
		b = resp.AppendBulk(b, string(m.Kind))
		b = resp.AppendBulk(b, m.Channel)
		return resp.AppendBulk(b, m.Payload)
	case pubsub.KindPMessage:
		b = resp.AppendPushLen(b, 4, resp3)
		b = resp.AppendBulk(b, string(m.Kind))
		b = resp.AppendBulk(b, m.Pattern)
		b = resp.AppendBulk(b, m.Channel)
		return resp.AppendBulk(b, m.Payload)
	}
	b = resp.AppendPushLen(b, 3, resp3)
	b = resp.AppendBulk(b, string(m.Kind))
	name := m.Channel
	if m.Kind == pubsub.KindPSubscribe || m.Kind == pubsub.KindPUnsubscribe {
		name = m.Pattern
	}
	if m.Null {
		b = resp.AppendNull(b, resp3)
	} else {
		b = resp.AppendBulk(b, name)
	}
	return resp.AppendInt(b, int64(m.Count))
}

// pushReplies moves the pending replies to the push sink, after every
// message queued so far was forwarded: a message published before a
// reply was produced comes before it, as in Redis's single output buffer.
func (c *conn) pushReplies() {
	if st := c.ps.Load(); st != nil {
		st.settle()
	}
	if len(c.w.Buf) == 0 {
		return
	}
	c.push.write(c.w.Buf)
	if cap(c.w.Buf) > maxRetainedReply {
		c.w.Buf = make([]byte, 0, 1024)
	} else {
		c.w.Buf = c.w.Buf[:0]
	}
}

// subscribed reports whether the connection holds any subscription.
func (c *conn) subscribed() bool { return c.flags.Load()&flagPubSub != 0 }

// afterSubscribe records the subscription counts after a (un)subscribe
// command: CLIENT LIST shows them, and the connection is in subscribed
// mode (flag P, the pubsub output-limit class) while any is held.
func (c *conn) afterSubscribe() {
	st := c.ps.Load()
	if st == nil {
		return
	}
	chans, pats, shard := st.sub.Counts()
	c.subCounts.Store(uint64(chans) | uint64(pats)<<21 | uint64(shard)<<42)
	if chans+pats+shard > 0 {
		c.flags.Or(flagPubSub)
	} else {
		c.flags.And(^flagPubSub)
	}
}

// counts returns the subscription counts CLIENT LIST shows.
func (c *conn) counts() (chans, pats, shard int) {
	v := c.subCounts.Load()
	const m = 1<<21 - 1
	return int(v & m), int(v >> 21 & m), int(v >> 42 & m)
}

// unsubscribeAll ends the subscription without confirmations (RESET, a
// closing connection) and waits for the forwarder to move what was queued.
func (c *conn) unsubscribeAll() {
	st := c.ps.Load()
	if st == nil {
		return
	}
	st.sub.Close()
	<-st.done
	c.ps.Store(nil)
	c.subCounts.Store(0)
	c.flags.And(^flagPubSub)
}

// isSubscribeCmd reports whether name is one of the six (un)subscribe
// commands.
func isSubscribeCmd(name string) bool {
	switch name {
	case "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe":
		return true
	}
	return false
}

// allowedSubscribed reports whether a RESP2 connection in subscribed mode
// may run the command (Redis: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT,
// RESET).
func allowedSubscribed(name string) bool {
	return isSubscribeCmd(name) || name == "ping" || name == "quit" || name == "reset"
}

// subscribedPing is PING in RESP2 subscribed mode: a two-element array.
func subscribedPing(c *conn, args []string) {
	if len(args) > 2 {
		c.w.WriteError(engine.ArityError("ping"))
		return
	}
	msg := ""
	if len(args) == 2 {
		msg = args[1]
	}
	c.w.WriteArray(2)
	c.w.WriteBulk("pong")
	c.w.WriteBulk(msg)
}
