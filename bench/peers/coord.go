package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/kevy-go/kevy"
	"github.com/redis/go-redis/v9"
)

// The coordination section (issue #6): the two ways goroutines talk
// through a store, kevy embedded against go-redis to a real redis-server
// on loopback.
//
//   - PUBLISH fan-out: one publisher goroutine publishes 16 B payloads on
//     one channel to 1 and to 50 subscribers, each a goroutine draining its
//     subscription; a measurement publishes n messages and ends when every
//     subscriber has received all n. The figure is deliveries per second
//     (messages published × subscribers ÷ wall time), and ns/op, cpu ns/op
//     and allocs/op are per delivery. kevy's subscriptions use a 4096-message
//     queue with the BlockPublisher policy (publisher waits for room, up to a
//     minute), so no subscription is ever dropped and no message lost: with
//     the default DropSubscription policy a 50-way fan-out on a busy machine
//     would overflow a subscriber that is not scheduled in time. redis-server
//     gets 64 PUBLISH per pipeline and go-redis subscribers read through
//     PubSub.Channel with a 65,536-message buffer; redis-server's pubsub
//     client-output-buffer-limit is lifted for the run so that it never
//     disconnects a lagging subscriber.
//   - BLPOP/LPUSH hand-off: goroutine A loops BLPOP k 0, goroutine B does
//     LPUSH k <timestamp> and waits until A reports the element (ping-pong,
//     one element in flight). The latency is from just before B's LPUSH
//     call to A's BLPOP return; p50 and p99 are per round, and the row
//     reports the median round of each, with hand-offs/s (B's loop, the
//     acknowledgement included). A may not yet be back in BLPOP when the
//     next LPUSH lands (it is sending the acknowledgement), in which case
//     its BLPOP finds the element without waiting; that is so for both
//     stores.

const (
	fanoutPayload = 16
	fanoutQueue   = 4096    // kevy SubscribeOptions.QueueSize (BlockPublisher)
	redisChanSize = 1 << 16 // go-redis WithChannelSize
	publishDepth  = 64      // PUBLISH per go-redis pipeline
	drainTimeout  = 30 * time.Second
)

// runCoord measures the section; r is nil when redis-server could not be
// started (main has recorded why), and only kevy's rows are measured.
func runCoord(r *redisServer, rounds, handoffs int, emit func([]Row)) {
	ks, err := kevy.Open(nil)
	if err != nil {
		panic(err)
	}
	defer ks.Close()
	var cl *redis.Client
	if r != nil {
		cl = redis.NewClient(&redis.Options{Addr: r.addr, Protocol: 2})
		defer cl.Close()
		ctx := context.Background()
		if err := cl.ConfigSet(ctx, "client-output-buffer-limit", "pubsub 0 0 0").Err(); err != nil {
			panic(err)
		}
		defer cl.ConfigSet(ctx, "client-output-buffer-limit", "pubsub 33554432 8388608 60")
	}
	for _, subs := range []int{1, 50} {
		emit(fanout(ks, r, cl, subs, rounds))
	}
	emit(handoff(ks, r, rounds, handoffs))
}

// A drain counts one subscriber's deliveries and signals done once it has
// received want in all (want grows by n before each measurement of n
// messages; only the publisher writes it).
type drain struct {
	want atomic.Int64
	done chan struct{}
	_    [48]byte
}

func newDrains(n int) []*drain {
	ds := make([]*drain, n)
	for i := range ds {
		ds[i] = &drain{done: make(chan struct{}, 1)}
	}
	return ds
}

func startDrain[M any](d *drain, ch <-chan M) {
	go func() {
		var got int64
		for range ch {
			got++
			if got == d.want.Load() {
				d.done <- struct{}{}
			}
		}
	}()
}

// expect raises every drain's target by n before n messages are published.
func expect(ds []*drain, n int) {
	for _, d := range ds {
		d.want.Add(int64(n))
	}
}

// await waits until every drain has reached its target.
func await(ds []*drain, store string) {
	t := time.NewTimer(drainTimeout)
	defer t.Stop()
	for i, d := range ds {
		select {
		case <-d.done:
		case <-t.C:
			panic(fmt.Sprintf("coord: %s subscriber %d of %d did not receive every message within %v", store, i, len(ds), drainTimeout))
		}
	}
}

func fanout(ks *kevy.Store, r *redisServer, cl *redis.Client, subs, rounds int) []Row {
	ctx := context.Background()
	payload := makeValue(fanoutPayload)
	c := cell{section: "coord", workload: "PUBLISH fan-out",
		config:  fmt.Sprintf("16 B payloads, one channel, %d subscriber%s", subs, plural(subs)),
		threads: 1, target: *target}

	kch := "coord:fanout"
	kdrains := newDrains(subs)
	var ksubs []*kevy.Subscription
	for _, d := range kdrains {
		sub, err := ks.SubscribeWith(kevy.SubscribeOptions{QueueSize: fanoutQueue, Overflow: kevy.BlockPublisher, BlockTimeout: time.Minute}, kch)
		if err != nil {
			panic(err)
		}
		ksubs = append(ksubs, sub)
		startDrain(d, sub.C())
	}
	defer func() {
		for _, s := range ksubs {
			s.Close()
		}
	}()
	c.entries = append(c.entries, entry{store: "kevy",
		note: fmt.Sprintf("per delivery; queue %d, BlockPublisher (no drops)", fanoutQueue),
		op: func(_, lo, hi int) int {
			expect(kdrains, hi-lo)
			h := 0
			for i := lo; i < hi; i++ {
				if n, err := ks.Publish(kch, payload); err == nil && n == subs {
					h++
				}
			}
			await(kdrains, "kevy")
			for _, s := range ksubs {
				if err := s.Err(); err != nil {
					panic("coord: kevy subscription: " + err.Error())
				}
			}
			return h
		}})

	if r != nil {
		rch := "coord:fanout:" + strconv.Itoa(subs)
		rdrains := newDrains(subs)
		var pss []*redis.PubSub
		for _, d := range rdrains {
			ps := cl.Subscribe(ctx, rch)
			if _, err := ps.Receive(ctx); err != nil { // the subscribe confirmation
				panic(err)
			}
			pss = append(pss, ps)
			startDrain(d, ps.Channel(redis.WithChannelSize(redisChanSize)))
		}
		defer func() {
			for _, ps := range pss {
				ps.Close()
			}
		}()
		if n := cl.PubSubNumSub(ctx, rch).Val()[rch]; n != int64(subs) {
			panic(fmt.Sprintf("coord: redis-server has %d subscribers on %s, want %d", n, rch, subs))
		}
		pub := redis.NewClient(&redis.Options{Addr: r.addr, Protocol: 2, PoolSize: 1})
		defer pub.Close()
		c.entries = append(c.entries, entry{store: fmt.Sprintf("redis-server (go-redis, pipeline %d)", publishDepth),
			note: fmt.Sprintf("per delivery; %d PUBLISH per round trip, PubSub.Channel buffer %d", publishDepth, redisChanSize),
			op: func(_, lo, hi int) int {
				expect(rdrains, hi-lo)
				h := 0
				p := pub.Pipeline()
				for i := lo; i < hi; i += publishDepth {
					for j := i; j < min(i+publishDepth, hi); j++ {
						p.Publish(ctx, rch, payload)
					}
					cmds, _ := p.Exec(ctx)
					for _, cmd := range cmds {
						if n, err := cmd.(*redis.IntCmd).Result(); err == nil && n == int64(subs) {
							h++
						}
					}
				}
				await(rdrains, "redis-server")
				return h
			}})
	}

	// Measured per message published; reported per delivery.
	rows := c.measure(rounds)
	for i := range rows {
		x := &rows[i]
		f := float64(subs)
		x.Unit = "msgs/s"
		x.OpsPerSec *= f
		x.NsPerOp /= f
		x.CPUNsPerOp /= f
		x.AllocsPerOp /= f
		x.OpsPerRound *= subs
		for j := range x.Rounds {
			x.Rounds[j] *= f
		}
	}
	return rows
}

// A handoffPeer is one store's BLPOP and LPUSH on the hand-off key, each
// through its own connection for redis-server.
type handoffPeer struct {
	store, note string
	pop         func() (string, error) // BLPOP k 0
	push        func(v string) error   // LPUSH k v
}

type handoffSample struct {
	rate, p50, p99 float64 // hand-offs/s, µs, µs
	cpu, allocs    float64 // per hand-off
}

const handoffStop = "stop"

// runHandoffs does n hand-offs from a fresh goroutine A (BLPOP) to the
// calling goroutine B (LPUSH) and stops A with a sentinel element.
func runHandoffs(p *handoffPeer, n int, base time.Time) handoffSample {
	ack := make(chan int64)
	errc := make(chan error, 1)
	go func() {
		for {
			v, err := p.pop()
			t := time.Since(base)
			if err != nil {
				errc <- err
				return
			}
			if v == handoffStop {
				errc <- nil
				return
			}
			ts, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				errc <- err
				return
			}
			ack <- int64(t) - ts
		}
	}()
	lat := make([]int64, n)
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := processCPU()
	start := time.Now()
	for i := range lat {
		if err := p.push(strconv.FormatInt(int64(time.Since(base)), 10)); err != nil {
			panic("coord: " + p.store + " LPUSH: " + err.Error())
		}
		select {
		case lat[i] = <-ack:
		case err := <-errc:
			panic(fmt.Sprintf("coord: %s BLPOP: %v", p.store, err))
		}
	}
	d := time.Since(start)
	cpu := processCPU() - cpu0
	runtime.ReadMemStats(&ms1)
	if err := p.push(handoffStop); err != nil {
		panic(err)
	}
	if err := <-errc; err != nil {
		panic(fmt.Sprintf("coord: %s BLPOP: %v", p.store, err))
	}
	slices.Sort(lat)
	return handoffSample{
		rate:   float64(n) / d.Seconds(),
		p50:    float64(lat[n/2]) / 1e3,
		p99:    float64(lat[n*99/100]) / 1e3,
		cpu:    float64(cpu.Nanoseconds()) / float64(n),
		allocs: float64(ms1.Mallocs-ms0.Mallocs) / float64(n),
	}
}

func handoff(ks *kevy.Store, r *redisServer, rounds, n int) []Row {
	ctx := context.Background()
	const key = "coord:handoff"
	peers := []*handoffPeer{{
		store: "kevy",
		pop: func() (string, error) {
			_, v, err := ks.BLPop(ctx, 0, key)
			return v, err
		},
		push: func(v string) error { _, err := ks.LPush(key, v); return err },
	}}
	if r != nil {
		a := redis.NewClient(&redis.Options{Addr: r.addr, Protocol: 2, PoolSize: 1})
		b := redis.NewClient(&redis.Options{Addr: r.addr, Protocol: 2, PoolSize: 1})
		defer a.Close()
		defer b.Close()
		if err := b.Del(ctx, key).Err(); err != nil {
			panic(err)
		}
		peers = append(peers, &handoffPeer{
			store: "redis-server (go-redis)",
			note:  "loopback TCP, BLPOP and LPUSH on two connections",
			pop: func() (string, error) {
				kv, err := a.BLPop(ctx, 0, key).Result()
				if err != nil {
					return "", err
				}
				if len(kv) != 2 {
					return "", errors.New("BLPOP reply of " + strconv.Itoa(len(kv)) + " elements")
				}
				return kv[1], nil
			},
			push: func(v string) error { return b.LPush(ctx, key, v).Err() },
		})
	}
	base := time.Now()
	for _, p := range peers { // warm-up: connections, goroutine stacks
		runHandoffs(p, min(n, 1000), base)
	}
	k := len(peers)
	samples := make([][]handoffSample, k)
	for rd := 0; rd < rounds; rd++ {
		for j := 0; j < k; j++ {
			i := (j + rd) % k
			samples[i] = append(samples[i], runHandoffs(peers[i], n, base))
		}
	}
	median := func(ss []handoffSample, f func(handoffSample) float64) float64 {
		v := make([]float64, len(ss))
		for i, s := range ss {
			v[i] = f(s)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	rows := make([]Row, k)
	for i, p := range peers {
		ss := samples[i]
		rates := make([]float64, len(ss))
		for j, s := range ss {
			rates[j] = s.rate
		}
		byRate := slices.Clone(ss)
		slices.SortFunc(byRate, func(a, b handoffSample) int {
			switch {
			case a.rate < b.rate:
				return -1
			case a.rate > b.rate:
				return 1
			}
			return 0
		})
		med := byRate[len(byRate)/2]
		note := "one element in flight; p50/p99: median round"
		if p.note != "" {
			note = p.note + "; " + note
		}
		rows[i] = Row{
			Section: "coord", Workload: "BLPOP/LPUSH hand-off",
			Config:  fmt.Sprintf("2 goroutines, ping-pong, %d hand-offs per round", n),
			Threads: 2, Store: p.store, Unit: "hand-offs/s",
			OpsPerSec:   med.rate,
			NsPerOp:     1e9 / med.rate,
			CPUNsPerOp:  median(ss, func(s handoffSample) float64 { return s.cpu }),
			AllocsPerOp: med.allocs,
			P50Us:       median(ss, func(s handoffSample) float64 { return s.p50 }),
			P99Us:       median(ss, func(s handoffSample) float64 { return s.p99 }),
			HitRate:     1,
			OpsPerRound: n,
			Rounds:      rates,
			Note:        note,
		}
	}
	return rows
}
