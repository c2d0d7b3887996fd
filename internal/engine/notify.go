package engine

import (
	"strings"
)

// Keyspace notifications: the notify-keyspace-events parameter and the
// listener that turns key events into pub/sub messages on
// __keyspace@0__:<key> (payload: the event) and __keyevent@0__:<event>
// (payload: the key), as Redis's notify.c does. The events come from the
// write cores through sh.notify (events.go) with Redis's event names.
//
// Class m (key misses, which Redis raises on reads) is accepted and
// reported by CONFIG GET but raises no events: kevy's reads do not emit.

// Bits of notify-keyspace-events beyond the EventClass bits.
const (
	notifyK   uint32 = 1 << 16 // K: publish on __keyspace@0__:<key>
	notifyE   uint32 = 1 << 17 // E: publish on __keyevent@0__:<event>
	notifyAll        = uint32(ClassGeneric | ClassString | ClassList | ClassSet | ClassHash |
		ClassZSet | ClassExpired | ClassEvicted | ClassStream | ClassModule) // A
	notifyClasses = notifyAll | uint32(ClassKeyMiss|ClassNew)
)

// parseNotifyFlags parses a notify-keyspace-events value as Redis's
// keyspaceEventsStringToFlags; ok is false for an unknown character.
func parseNotifyFlags(s string) (flags uint32, ok bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'A':
			flags |= notifyAll
		case 'g':
			flags |= uint32(ClassGeneric)
		case '$':
			flags |= uint32(ClassString)
		case 'l':
			flags |= uint32(ClassList)
		case 's':
			flags |= uint32(ClassSet)
		case 'h':
			flags |= uint32(ClassHash)
		case 'z':
			flags |= uint32(ClassZSet)
		case 'x':
			flags |= uint32(ClassExpired)
		case 'e':
			flags |= uint32(ClassEvicted)
		case 'K':
			flags |= notifyK
		case 'E':
			flags |= notifyE
		case 't':
			flags |= uint32(ClassStream)
		case 'm':
			flags |= uint32(ClassKeyMiss)
		case 'd':
			flags |= uint32(ClassModule)
		case 'n':
			flags |= uint32(ClassNew)
		default:
			return 0, false
		}
	}
	return flags, true
}

// formatNotifyFlags is Redis's keyspaceEventsFlagsToString: "A" stands for
// all of g$lshzxetd, and hides n when it is set.
func formatNotifyFlags(f uint32) string {
	var b strings.Builder
	if f&notifyAll == notifyAll {
		b.WriteByte('A')
	} else {
		for _, c := range []struct {
			bit EventClass
			ch  byte
		}{
			{ClassGeneric, 'g'}, {ClassString, '$'}, {ClassList, 'l'}, {ClassSet, 's'},
			{ClassHash, 'h'}, {ClassZSet, 'z'}, {ClassExpired, 'x'}, {ClassEvicted, 'e'},
			{ClassStream, 't'}, {ClassModule, 'd'}, {ClassNew, 'n'},
		} {
			if f&uint32(c.bit) != 0 {
				b.WriteByte(c.ch)
			}
		}
	}
	if f&notifyK != 0 {
		b.WriteByte('K')
	}
	if f&notifyE != 0 {
		b.WriteByte('E')
	}
	if f&uint32(ClassKeyMiss) != 0 {
		b.WriteByte('m')
	}
	return b.String()
}

func init() {
	registerConfig(&configParam{
		name: "notify-keyspace-events",
		get:  func(en *Engine) string { return en.NotifyKeyspaceEvents() },
		parse: func(v string) (func(*Engine), string) {
			f, ok := parseNotifyFlags(v)
			if !ok {
				return nil, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
			}
			return func(en *Engine) { en.setNotify(f) }, ""
		},
	})
}

// NotifyKeyspaceEvents returns the notify-keyspace-events setting as CONFIG
// GET reports it.
func (en *Engine) NotifyKeyspaceEvents() string {
	return formatNotifyFlags(en.ps.flags.Load())
}

// setNotify applies a notify-keyspace-events value: it listens for the
// classes asked for when K or E says where to publish them, and for nothing
// otherwise, so that writes pay for events only when someone can get them.
func (en *Engine) setNotify(f uint32) {
	st := en.pubsub()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.flags.Store(f)
	if st.remove != nil {
		st.remove()
		st.remove = nil
	}
	classes := EventClass(f & notifyClasses &^ uint32(ClassKeyMiss))
	if f&(notifyK|notifyE) != 0 && classes != 0 {
		st.remove = en.Listen(classes, st.publishEvents)
	}
}

// publishEvents publishes key events as keyspace notifications. It runs
// after the shard lock is released, on the writer's goroutine.
func (st *psState) publishEvents(evs []Event) {
	if !st.reg.Active() {
		return
	}
	f := st.flags.Load()
	for _, e := range evs {
		if f&uint32(e.Class) == 0 {
			continue
		}
		if f&notifyK != 0 {
			st.reg.Publish("__keyspace@0__:"+e.Key, e.Name)
		}
		if f&notifyE != 0 {
			st.reg.Publish("__keyevent@0__:"+e.Name, e.Key)
		}
	}
}

// notifyIfEmptied raises "del" for a container key a write emptied (and
// dropIfEmpty deleted), after the write's own event, as Redis does.
// Exclusive lock held.
func (sh *Shard) notifyIfEmptied(n int, key string) {
	if n == 0 {
		sh.notify(ClassGeneric, "del", key)
	}
}

// zstoreEvents are the events of ZUNIONSTORE, ZINTERSTORE and ZDIFFSTORE.
var zstoreEvents = [...]string{ZUnion: "zunionstore", ZInter: "zinterstore", ZDiff: "zdiffstore"}
