package kevy_test

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/kevy-go/kevy"
)

func Example() {
	s, err := kevy.Open(nil) // in memory, one shard, background expiry
	if err != nil {
		panic(err)
	}
	defer s.Close()

	s.Set("greeting", "hello")
	v, _ := s.Get("greeting")
	fmt.Println(v)

	_, err = s.Get("nope")
	fmt.Println(errors.Is(err, kevy.ErrNotFound))
	// Output:
	// hello
	// true
}

func ExampleStore_Do() {
	s, _ := kevy.Open(nil)
	defer s.Close()

	s.Do("RPUSH", "jobs", "a", "b", "c")
	r, _ := s.Do("LPOP", "jobs", "2")
	fmt.Println(r)

	_, err := s.Do("INCR", "jobs")
	fmt.Println(err)
	fmt.Println(errors.Is(err, kevy.ErrWrongType))
	// Output:
	// ["a" "b"]
	// WRONGTYPE Operation against a key holding the wrong kind of value
	// true
}

func ExampleStore_SetWithTTL() {
	s, _ := kevy.Open(nil)
	defer s.Close()

	s.SetWithTTL("session", "token", 10*time.Second)
	ttl, _ := s.TTL("session")
	fmt.Println(ttl)

	s.Set("session", "renewed") // SET clears the TTL, as in Redis
	ttl, _ = s.TTL("session")
	fmt.Println(ttl)
	// Output:
	// 10
	// -1
}

func ExampleStore_HSet() {
	s, _ := kevy.Open(nil)
	defer s.Close()

	added, _ := s.HSet("user:1", "name", "Ada", "lang", "Go")
	name, _ := s.HGet("user:1", "name")
	fmt.Println(added, name)
	// Output:
	// 2 Ada
}

func ExampleStore_ZAdd() {
	s, _ := kevy.Open(nil)
	defer s.Close()

	s.ZAdd("board", kevy.Z{Score: 120, Member: "ada"}, kevy.Z{Score: 95, Member: "bob"})
	score, _ := s.ZScore("board", "bob")
	n, _ := s.ZCard("board")
	fmt.Println(score, n)
	// Output:
	// 95 2
}

func ExampleStore_WithKey() {
	s, _ := kevy.Open(&kevy.Options{Shards: 8})
	defer s.Close()

	// Keys sharing the {hash tag} "acct" live on one shard, so a block can
	// move money between them atomically.
	s.Set("{acct}:alice", "100")
	s.Set("{acct}:bob", "0")
	err := s.WithKey("{acct}", func(tx *kevy.Tx) error {
		if _, err := tx.IncrBy("{acct}:alice", -30); err != nil {
			return err
		}
		_, err := tx.IncrBy("{acct}:bob", 30)
		return err
	})
	a, _ := s.Get("{acct}:alice")
	b, _ := s.Get("{acct}:bob")
	fmt.Println(err, a, b)
	// Output:
	// <nil> 70 30
}

func ExampleStore_Clone() {
	s, _ := kevy.Open(nil)
	c := s.Clone() // another handle to the same keyspace
	s.Set("k", "v")
	s.Close()

	v, _ := c.Get("k") // still open: c is a live handle
	fmt.Println(v)
	c.Close()

	_, err := c.Get("k")
	fmt.Println(errors.Is(err, kevy.ErrClosed))
	// Output:
	// v
	// true
}

func ExampleStore_Tick() {
	clock := &manualClock{t: time.Unix(1_700_000_000, 0)}
	s, _ := kevy.Open(&kevy.Options{Reaper: kevy.ReaperManual, Clock: clock})
	defer s.Close()

	s.SetWithTTL("a", "1", time.Second)
	clock.t = clock.t.Add(2 * time.Second)
	st := s.Tick() // one active-expiry pass, as the caller drives it
	fmt.Println(st.Expired, s.ExpiredKeysTotal())
	// Output:
	// 1 1
}

type manualClock struct{ t time.Time }

func (c *manualClock) Now() time.Time { return c.t }

// WriteRDB writes a dump.rdb that redis-server loads; LoadRDB reads one,
// here into a store with another number of shards.
func ExampleStore_WriteRDB() {
	src, _ := kevy.Open(nil)
	defer src.Close()
	src.Set("greeting", "hello")
	src.Do("RPUSH", "queue", "a", "b")

	var file bytes.Buffer // or an *os.File
	n, err := src.WriteRDB(&file)
	fmt.Println(n, err)

	dst, _ := kevy.Open(&kevy.Options{Shards: 4})
	defer dst.Close()
	n, err = dst.LoadRDB(&file)
	fmt.Println(n, err)
	v, _ := dst.Get("greeting")
	r, _ := dst.Do("LRANGE", "queue", "0", "-1")
	fmt.Println(v, len(r.Elems))
	// Output:
	// 2 <nil>
	// 2 <nil>
	// hello 2
}
