package engine

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kevy-go/kevy/internal/pubsub"
)

// Pub/sub: PUBLISH, SPUBLISH, PUBSUB and the subscribe commands, over the
// engine's pubsub.Registry. The registry has its own locks: publishing takes
// no shard lock, and no handler here runs with one held (none declares
// keys), except inside a block that already holds shards (a transaction),
// where PUBLISH delivers before the block releases them.

// psState is an engine's pub/sub registry and keyspace-notification setting.
type psState struct {
	reg *pubsub.Registry

	mu     sync.Mutex    // serialises notify-keyspace-events changes; protects remove
	flags  atomic.Uint32 // notify-keyspace-events, notifyK|notifyE|EventClass bits
	remove func()        // unregisters the keyspace-notification listener
}

// pubsub returns en's state.
func (en *Engine) pubsub() *psState { return &en.ps }

// PubSub returns the engine's pub/sub registry: the one the typed API, the
// PUBLISH command, keyspace notifications and the server's subscribed
// connections share. It is closed, with ErrClosed, when the engine closes.
func (en *Engine) PubSub() *pubsub.Registry { return en.pubsub().reg }

// Publish posts payload on channel and returns the number of deliveries
// (PUBLISH).
func (en *Engine) Publish(channel, payload string) int {
	return en.pubsub().reg.Publish(channel, payload)
}

// SubscriberConn is implemented by the Writer of a connection that can
// enter Redis's subscribed mode (the RESP server's). The subscribe commands
// find the connection's subscription through it; a Writer without it (the
// embedded Do) gets an error reply.
type SubscriberConn interface {
	// Subscription returns the connection's subscription, creating it on
	// first use (with Registry.NewSubscription). The connection makes it
	// with Options.Confirmations, so the command's replies (one
	// confirmation per channel) arrive on the subscription's queue in order
	// with the messages, and the handler writes nothing to the Writer.
	Subscription() (*pubsub.Subscription, error)
}

func init() {
	const ps = FlagPubSub | FlagLoading | FlagStale
	register(
		&Command{Name: "publish", Arity: 3, Flags: ps | FlagFast, Run: publishCmd},
		// Redis declares SPUBLISH's channel (and SSUBSCRIBE's) as a key for
		// cluster routing; kevy does not, so that no shard lock is held
		// while publishing.
		&Command{Name: "spublish", Arity: 3, Flags: ps | FlagFast, Run: publishCmd},
		&Command{Name: "pubsub", Arity: -2, Run: pubsubCmd},
		&Command{Name: "subscribe", Arity: -2, Flags: ps | FlagNoScript, Run: subscribeCmd},
		&Command{Name: "unsubscribe", Arity: -1, Flags: ps | FlagNoScript, Run: subscribeCmd},
		&Command{Name: "psubscribe", Arity: -2, Flags: ps | FlagNoScript, Run: subscribeCmd},
		&Command{Name: "punsubscribe", Arity: -1, Flags: ps | FlagNoScript, Run: subscribeCmd},
		&Command{Name: "ssubscribe", Arity: -2, Flags: ps | FlagNoScript, Run: subscribeCmd},
		&Command{Name: "sunsubscribe", Arity: -1, Flags: ps | FlagNoScript, Run: subscribeCmd},
	)
	subcommands["pubsub"] = []subcommand{ // in Redis 7.0's COMMAND INFO order
		{"pubsub|help", 2, FlagLoading | FlagStale, 0},
		{"pubsub|channels", -2, ps, 0},
		{"pubsub|numsub", -2, ps, 0},
		{"pubsub|shardnumsub", -2, ps, 0},
		{"pubsub|shardchannels", -2, ps, 0},
		{"pubsub|numpat", 2, ps, 0},
	}
}

func publishCmd(c *Ctx) {
	reg := c.En.PubSub()
	if c.Cmd.Name == "spublish" {
		c.W.WriteInt(int64(reg.SPublish(c.Args[1], c.Args[2])))
		return
	}
	c.W.WriteInt(int64(reg.Publish(c.Args[1], c.Args[2])))
}

var pubsubHelp = []string{
	"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CHANNELS [<pattern>]",
	"    Return the currently active channels matching a <pattern> (default: '*').",
	"NUMPAT",
	"    Return number of subscriptions to patterns.",
	"NUMSUB [<channel> ...]",
	"    Return the number of subscribers for the specified channels, excluding",
	"    pattern subscriptions(default: no channels).",
	"SHARDCHANNELS [<pattern>]",
	"    Return the currently active shard level channels matching a <pattern> (default: '*').",
	"SHARDNUMSUB [<shardchannel> ...]",
	"    Return the number of subscribers for the specified shard level channel(s)",
	"HELP",
	"    Prints this help.",
}

func pubsubCmd(c *Ctx) {
	sub, ok := c.sub()
	if !ok {
		return
	}
	reg := c.En.PubSub()
	switch sub {
	case "channels", "shardchannels":
		if len(c.Args) > 3 {
			c.err(errorf("ERR unknown subcommand or wrong number of arguments for '%s'. Try PUBSUB HELP.", trunc(c.Args[1], 128)))
			return
		}
		pat := ""
		if len(c.Args) == 3 {
			pat = c.Args[2]
		}
		if sub == "channels" {
			c.strings(reg.Channels(pat))
		} else {
			c.strings(reg.ShardChannels(pat))
		}
	case "numsub", "shardnumsub":
		c.W.WriteArray(2 * (len(c.Args) - 2))
		for _, ch := range c.Args[2:] {
			c.W.WriteBulk(ch)
			if sub == "numsub" {
				c.W.WriteInt(int64(reg.NumSub(ch)))
			} else {
				c.W.WriteInt(int64(reg.ShardNumSub(ch)))
			}
		}
	case "numpat":
		c.W.WriteInt(int64(reg.NumPat()))
	default:
		c.writeHelp(pubsubHelp)
	}
}

// subscribeCmd runs the six (un)subscribe commands on a connection's
// subscription. Their replies are the confirmations queued on it.
func subscribeCmd(c *Ctx) {
	conn, ok := c.W.(SubscriberConn)
	if !ok {
		c.err(errorf("ERR %s is only available on a connection; use the Subscribe API", strings.ToUpper(c.Cmd.Name)))
		return
	}
	s, err := conn.Subscription()
	if err != nil {
		c.err(err)
		return
	}
	args := c.Args[1:]
	switch c.Cmd.Name {
	case "subscribe":
		err = s.Subscribe(args...)
	case "unsubscribe":
		err = s.Unsubscribe(args...)
	case "psubscribe":
		err = s.PSubscribe(args...)
	case "punsubscribe":
		err = s.PUnsubscribe(args...)
	case "ssubscribe":
		err = s.SSubscribe(args...)
	default:
		err = s.SUnsubscribe(args...)
	}
	if err != nil {
		c.err(err)
	}
}
