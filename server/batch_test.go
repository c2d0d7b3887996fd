package server

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/resp"
)

// Tests of the shard a connection's pipelined writes keep locked between
// requests (engine.Batch): it must never stay locked while the connection
// waits for its client.

// TestPipelineHoldReleasedForSlowReader: a client pipelines writes whose
// replies it does not read. Once its socket is full the server waits to
// write (a goroutine) or buffers (an event loop); either way the key it
// writes must stay writable by the embedded store meanwhile.
func TestPipelineHoldReleasedForSlowReader(t *testing.T) {
	for _, threads := range []int{-1, 1} {
		t.Run(fmt.Sprintf("io-threads=%d", threads), func(t *testing.T) {
			ts := startServer(t, Config{IOThreads: threads})
			big := strings.Repeat("v", 256<<10)
			if err := ts.store.Set("k", big); err != nil {
				t.Fatal(err)
			}
			rc := dialRaw(t, ts.addr)
			const n = 40 // 10 MB of replies: more than the socket buffers hold
			var req strings.Builder
			for range n {
				// A write and a read of one key: the write's hold covers the read.
				req.WriteString("*4\r\n$8\r\nSETRANGE\r\n$1\r\nk\r\n$1\r\n0\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
			}
			// A write last: its hold is the one a final flush could keep.
			req.WriteString("*4\r\n$8\r\nSETRANGE\r\n$1\r\nk\r\n$1\r\n0\r\n$1\r\nv\r\n")
			go rc.nc.Write([]byte(req.String())) // the server stops reading it once it cannot write
			time.Sleep(300 * time.Millisecond)   // let it fill the socket
			done := make(chan error, 1)
			go func() { done <- ts.store.Set("k", big) }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the embedded SET of the pipelined key waited for the slow client")
			}
			want := ":" + strconv.Itoa(len(big)) + "\r\n$" + strconv.Itoa(len(big)) + "\r\n" + big + "\r\n"
			for i := range n {
				rc.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
				got := make([]byte, len(want))
				if _, err := io.ReadFull(rc.br, got); err != nil || string(got) != want {
					t.Fatalf("reply %d: %q (err %v)", i, short(string(got)), err)
				}
			}
			rc.expect(":" + strconv.Itoa(len(big)) + "\r\n")
		})
	}
}

// TestPipelinedIncrsAddUp: pipelined INCRs of the same keys from several
// connections on several event loops, beside the embedded store's own,
// add up exactly (run with -race).
func TestPipelinedIncrsAddUp(t *testing.T) {
	ts := startServer(t, Config{IOThreads: 2})
	const conns, rounds, pipe = 4, 50, 40
	var wg sync.WaitGroup
	for g := range conns {
		rc := dialRaw(t, ts.addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			rd := resp.NewReader(bufio.NewReader(rc.nc))
			var req strings.Builder
			for i := range pipe {
				key := "c" + strconv.Itoa((g+i)%3)
				fmt.Fprintf(&req, "*2\r\n$4\r\nINCR\r\n$%d\r\n%s\r\n", len(key), key)
			}
			for range rounds {
				if _, err := rc.nc.Write([]byte(req.String())); err != nil {
					t.Error(err)
					return
				}
				for range pipe {
					v, err := rd.ReadValue()
					if err != nil || v.Kind != resp.Integer {
						t.Errorf("INCR reply %v, %v", v, err)
						return
					}
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range conns * rounds {
			if _, err := ts.store.IncrBy("c0", 1); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	wg.Wait()
	var sum int64
	for i := range 3 {
		v, err := ts.store.Get("c" + strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		sum += n
	}
	if want := int64(conns*rounds*pipe + conns*rounds); sum != want {
		t.Fatalf("counters sum to %d, want %d", sum, want)
	}
}

// TestBorrowedWritesKeepValues pipelines writes that take their arguments
// as views of the read buffer (RPUSH, SADD, HSET, ZADD, INCR of new keys) in chunks of
// odd sizes, so that requests straddle reads and the buffer is refilled
// and compacted under them: what the store kept must read back exactly.
func TestBorrowedWritesKeepValues(t *testing.T) {
	ts := startServer(t, Config{})
	rc := dialRaw(t, ts.addr)
	const n = 3000
	var req strings.Builder
	for i := range n {
		v := "value-" + strconv.Itoa(i)
		fmt.Fprintf(&req, "*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$%d\r\n%s\r\n", len(v), v)
		fmt.Fprintf(&req, "*3\r\n$4\r\nSADD\r\n$1\r\ns\r\n$%d\r\n%s\r\n", len(v), v)
		fmt.Fprintf(&req, "*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(v), v, len(v), v)
		fmt.Fprintf(&req, "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$1\r\n1\r\n$%d\r\n%s\r\n", len(v), v)
		k := "counter-" + strconv.Itoa(i)
		fmt.Fprintf(&req, "*2\r\n$4\r\nINCR\r\n$%d\r\n%s\r\n", len(k), k)
	}
	data := []byte(req.String())
	go func() {
		for len(data) > 0 {
			m := min(len(data), 1+len(data)%997)
			if _, err := rc.nc.Write(data[:m]); err != nil {
				return
			}
			data = data[m:]
		}
	}()
	rd := resp.NewReader(rc.br)
	for i := range 5 * n {
		rc.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		if v, err := rd.ReadValue(); err != nil || v.Kind != resp.Integer {
			t.Fatalf("reply %d: %v, %v", i, v, err)
		}
	}
	c := ts.dial(t)
	list := do(t, c, "LRANGE", "l", "0", "-1").Elems
	members := map[string]bool{}
	for _, m := range do(t, c, "SMEMBERS", "s").Elems {
		members[m.Str] = true
	}
	fields := map[string]string{}
	hall := do(t, c, "HGETALL", "h").Elems
	for j := 0; j+1 < len(hall); j += 2 {
		fields[hall[j].Str] = hall[j+1].Str
	}
	zmembers := map[string]bool{}
	for _, m := range do(t, c, "ZRANGE", "z", "0", "-1").Elems {
		zmembers[m.Str] = true
	}
	if len(list) != n || len(members) != n || len(fields) != n || len(zmembers) != n {
		t.Fatalf("list of %d, set of %d, hash of %d, sorted set of %d; want %d", len(list), len(members), len(fields), len(zmembers), n)
	}
	for i := range n {
		v := "value-" + strconv.Itoa(i)
		if list[i].Str != v || !members[v] || fields[v] != v || !zmembers[v] {
			t.Fatalf("element %d: list %q, in set %v, hash field %q, in sorted set %v; want %q", i, list[i].Str, members[v], fields[v], zmembers[v], v)
		}
		if got := do(t, c, "GET", "counter-"+strconv.Itoa(i)); got.Str != "1" {
			t.Fatalf("counter-%d = %v", i, got)
		}
	}
	if got := do(t, c, "DBSIZE"); got.Int != n+4 {
		t.Fatalf("DBSIZE = %v, want %d", got, n+4)
	}
}
