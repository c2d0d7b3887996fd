package kevy

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/kevy-go/kevy/internal/engine"
)

// spreadKeys returns n keys on distinct shards of s.
func spreadKeys(s *Store, n int) []string {
	var out []string
	seen := map[int]bool{}
	for i := 0; len(out) < n; i++ {
		k := "key" + strconv.Itoa(i)
		if sh := engine.ShardIndex(k, s.ShardCount()); !seen[sh] {
			seen[sh] = true
			out = append(out, k)
		}
	}
	return out
}

func TestTxBasics(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	ks := spreadKeys(s, 3)
	s.Set(ks[0], "10")
	errStop := errors.New("stop")
	for _, c := range []struct {
		name string
		fn   func(tx *Tx) error
		err  error
		want [3]string // the keys' values after
	}{
		{"applied across shards", func(tx *Tx) error {
			v, _ := tx.Get(ks[0]) // the committed value
			n, _ := strconv.Atoi(v)
			tx.Set(ks[1], strconv.Itoa(n+1))
			tx.Do("SET", ks[2], "x")
			tx.IncrBy(ks[0], 5)
			return nil
		}, nil, [3]string{"15", "11", "x"}},
		{"discarded on error", func(tx *Tx) error {
			tx.Set(ks[0], "nope")
			tx.Del(ks[1], ks[2])
			return errStop
		}, errStop, [3]string{"15", "11", "x"}},
		{"argument error returned at once", func(tx *Tx) error {
			if _, err := tx.Do("SET", ks[0]); err == nil {
				return errors.New("no arity error")
			}
			if _, err := tx.Do("NOSUCH"); err == nil {
				return errors.New("no unknown-command error")
			}
			return nil
		}, nil, [3]string{"15", "11", "x"}},
		{"reads do not see queued writes", func(tx *Tx) error {
			tx.Set(ks[1], "12")
			if v, _ := tx.Get(ks[1]); v != "11" {
				return fmt.Errorf("read %q inside the transaction", v)
			}
			return nil
		}, nil, [3]string{"15", "12", "x"}},
	} {
		if err := s.Tx(c.fn); err != c.err {
			t.Errorf("%s: Tx = %v, want %v", c.name, err, c.err)
		}
		var got [3]string
		for i, k := range ks {
			got[i], _ = s.Get(k)
		}
		if got != c.want {
			t.Errorf("%s: keys %q, want %q", c.name, got, c.want)
		}
	}
	// Pending replies, including a runtime error that does not undo the rest.
	var p1, p2, p3 *Pending
	if err := s.Tx(func(tx *Tx) error {
		p1, _ = tx.Queue("INCR", ks[0])
		p2, _ = tx.Queue("LPUSH", ks[1], "x")
		p3, _ = tx.Queue("GET", ks[1])
		if _, err := p1.Reply(); err == nil {
			return errors.New("reply known before the commit")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if r, err := p1.Reply(); err != nil || r.Int != 16 {
		t.Errorf("INCR reply %v, %v", r, err)
	}
	if _, err := p2.Reply(); !errors.Is(err, ErrWrongType) {
		t.Errorf("LPUSH on a string: %v", err)
	}
	if r, _ := p3.Reply(); r.Str != "12" {
		t.Errorf("GET reply %v", r)
	}
}

func TestTxWatch(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	ks := spreadKeys(s, 2)
	// A modification after the start aborts, and nothing is applied.
	err := s.Tx(func(tx *Tx) error {
		tx.Set(ks[1], "written")
		s.Set(ks[0], "changed") // another writer
		return nil
	}, ks[0])
	if err != ErrTxAborted {
		t.Fatalf("Tx = %v, want ErrTxAborted", err)
	}
	if _, err := s.Get(ks[1]); err != ErrNotFound {
		t.Fatal("aborted transaction applied")
	}
	// Watched keys nobody touched: applied.
	if err := s.Tx(func(tx *Tx) error { return tx.Set(ks[1], "ok") }, ks[0]); err != nil {
		t.Fatal(err)
	}
	// Optimistic increments from several goroutines: none lost.
	const workers, each = 4, 50
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				for {
					err := s.Tx(func(tx *Tx) error {
						v, err := tx.Get("counter")
						if err != nil && err != ErrNotFound {
							return err
						}
						n, _ := strconv.Atoi(v)
						return tx.Set("counter", strconv.Itoa(n+1))
					}, "counter")
					if err == nil {
						break
					}
					if err != ErrTxAborted {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if v, _ := s.Get("counter"); v != strconv.Itoa(workers*each) {
		t.Fatalf("counter = %s, want %d", v, workers*each)
	}
}

// TestTxAtomic: readers of all the keys at once never see part of a
// transaction that spans shards.
func TestTxAtomic(t *testing.T) {
	s := open(t, &Options{Shards: 8})
	ks := spreadKeys(s, 5)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				r, err := s.Do(append([]string{"MGET"}, ks...)...)
				if err != nil {
					t.Error(err)
					return
				}
				vs, _ := r.Strings()
				for _, v := range vs {
					if v != vs[0] {
						t.Errorf("partial transaction seen: %q", vs)
						return
					}
				}
			}
		}()
	}
	for n := range 300 {
		if err := s.Tx(func(tx *Tx) error {
			for _, k := range ks {
				tx.Set(k, strconv.Itoa(n))
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}

func TestPipeline(t *testing.T) {
	s := open(t, &Options{Shards: 4})
	ks := spreadKeys(s, 3)
	replies, err := s.Pipeline(func(p *Pipeline) {
		p.Set(ks[0], "1")
		p.Do("INCR", ks[0])
		p.Do("RPUSH", ks[1], "a", "b")
		p.Do("BLPOP", ks[2], "0") // does not block
		p.Do("LPUSH", ks[0], "x") // an error reply
		p.Del(ks[1])
		p.Do("MGET", ks[0], ks[1])
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range replies {
		got = append(got, r.String())
	}
	if len(replies) != 7 || replies[0].Str != "OK" || replies[1].Int != 2 || replies[2].Int != 2 || !replies[3].IsNil() || replies[4].Kind != ReplyError || replies[5].Int != 1 {
		t.Fatalf("replies %q", got)
	}
	if vs, _ := replies[6].Strings(); len(vs) != 2 || vs[0] != "2" {
		t.Fatalf("MGET %q", got[6])
	}
	if r, err := s.Pipeline(func(p *Pipeline) {}); r != nil || err != nil {
		t.Fatal("empty pipeline")
	}
}

// Moving a balance between two keys (which may live in different shards):
// the transaction retries when the watched source changed meanwhile.
func ExampleStore_Tx() {
	s, _ := Open(&Options{Shards: 4})
	defer s.Close()
	s.Set("alice", "100")
	for {
		err := s.Tx(func(tx *Tx) error {
			v, _ := tx.Get("alice")
			n, _ := strconv.Atoi(v)
			if n < 30 {
				return errors.New("insufficient funds")
			}
			tx.Set("alice", strconv.Itoa(n-30))
			tx.IncrBy("bob", 30)
			return nil
		}, "alice")
		if err != ErrTxAborted {
			break
		}
	}
	a, _ := s.Get("alice")
	b, _ := s.Get("bob")
	fmt.Println(a, b)
	// Output: 70 30
}
