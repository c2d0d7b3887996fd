// Command quickstart shows kevy in a few lines: open a store, use strings,
// TTLs, hashes, lists and sorted sets, and run any Redis command with Do.
//
//	go run ./examples/quickstart
package main

import (
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/kevy-go/kevy"
)

func main() {
	s, err := kevy.Open(&kevy.Options{Shards: 4})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	s.Set("greeting", "hello")
	v, _ := s.Get("greeting")
	fmt.Println("greeting =", v)

	s.SetWithTTL("session:42", "token", 30*time.Minute)
	ttl, _ := s.TTL("session:42")
	fmt.Println("session TTL (s) =", ttl)

	n, _ := s.Incr("visits")
	fmt.Println("visits =", n)

	s.HSet("user:1", "name", "Ada", "lang", "Go")
	name, _ := s.HGet("user:1", "name")
	fmt.Println("user:1 name =", name)

	s.RPush("queue", "job1", "job2", "job3")
	jobs, _ := s.LPop("queue", 2)
	fmt.Println("popped", jobs)

	s.ZAdd("board", kevy.Z{Score: 120, Member: "ada"}, kevy.Z{Score: 95, Member: "bob"})
	score, _ := s.ZScore("board", "ada")
	fmt.Println("ada's score =", score)

	// Any Redis command, answered exactly as Redis 7.0 answers it.
	r, _ := s.Do("SET", "k", "v", "NX", "EX", "60")
	fmt.Println("SET NX EX ->", r)

	// Redis's errors, matchable with errors.Is.
	if _, err := s.Incr("greeting"); errors.Is(err, kevy.ErrNotInteger) {
		fmt.Println("INCR greeting ->", err)
	}
	if _, err := s.HGet("greeting", "f"); errors.Is(err, kevy.ErrWrongType) {
		fmt.Println("HGET greeting ->", err)
	}
	if _, err := s.Get("missing"); errors.Is(err, kevy.ErrNotFound) {
		fmt.Println("GET missing -> not found")
	}
}
