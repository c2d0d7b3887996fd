// Package integration runs a real Redis client library, go-redis v9,
// against kevy's RESP server, with RESP2 and RESP3, over every command
// group. It is a module of its own so that kevy itself keeps no
// third-party dependency.
package integration

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/kevy-go/kevy"
	"github.com/kevy-go/kevy/server"
	"github.com/redis/go-redis/v9"
)

// startKevy serves a fresh store on a free loopback port until the test
// ends.
func startKevy(t *testing.T, cfg server.Config) string {
	t.Helper()
	st, err := kevy.Open(&kevy.Options{Shards: 4})
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(st, cfg)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
			srv.Close()
		}
		if err := <-done; !errors.Is(err, server.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
		st.Close()
	})
	return l.Addr().String()
}

// client connects go-redis with the given protocol version.
func client(t *testing.T, addr string, proto int, opt *redis.Options) *redis.Client {
	t.Helper()
	if opt == nil {
		opt = &redis.Options{}
	}
	opt.Addr, opt.Protocol = addr, proto
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = 5*time.Second, 10*time.Second, 10*time.Second
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c
}

// eachProtocol runs fn against a fresh server with a RESP2 and a RESP3
// client.
func eachProtocol(t *testing.T, fn func(t *testing.T, ctx context.Context, c *redis.Client)) {
	for _, proto := range []int{2, 3} {
		t.Run(map[int]string{2: "RESP2", 3: "RESP3"}[proto], func(t *testing.T) {
			addr := startKevy(t, server.Config{})
			fn(t, context.Background(), client(t, addr, proto, nil))
		})
	}
}

// requireCommands skips the test when the server lacks a command (the
// command table is still growing); it names what is missing.
func requireCommands(t *testing.T, ctx context.Context, c *redis.Client, names ...string) {
	t.Helper()
	var missing []string
	for _, n := range names {
		v, err := c.Do(ctx, "COMMAND", "INFO", n).Slice()
		if err != nil || len(v) != 1 || v[0] == nil {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		t.Skipf("server lacks %s", strings.Join(missing, ", "))
	}
}

// must returns a command's value, failing the test on an error.
func must[T any](t *testing.T, cmd interface{ Result() (T, error) }) T {
	t.Helper()
	v, err := cmd.Result()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// intResult adapts a command read as an integer to must.
type intResult struct{ f func() (int, error) }

func (r intResult) Result() (int, error) { return r.f() }

func intCmd(c interface{ Int() (int, error) }) intResult { return intResult{c.Int} }

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}
