package server

import (
	"bufio"
	"io"
	"net"
	"strconv"
	"testing"

	"github.com/kevy-go/kevy/internal/resp"
)

// benchPipeline sends batches of depth commands over one connection and
// reads their replies, as redis-benchmark -P depth does.
func benchPipeline(b *testing.B, depth int, args ...string) {
	ts := startServer(b, Config{})
	ts.store.Set("key", "value")
	nc, err := net.Dial("tcp", ts.addr)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	var batch []byte
	for range depth {
		batch = resp.AppendCommand(batch, args...)
	}
	// Learn the size of one batch of replies.
	nc.Write(batch)
	rd := resp.NewReader(bufio.NewReader(nc))
	for range depth {
		if _, err := rd.ReadValue(); err != nil {
			b.Fatal(err)
		}
	}
	br := bufio.NewReaderSize(nc, 64<<10)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += depth {
		if _, err := nc.Write(batch); err != nil {
			b.Fatal(err)
		}
		for range depth {
			if _, err := br.ReadSlice('\n'); err != nil {
				b.Fatal(err)
			}
			if args[0] == "GET" {
				br.ReadSlice('\n')
			}
		}
	}
	b.StopTimer()
	io.Copy(io.Discard, io.LimitReader(br, 0))
}

func BenchmarkSetP1(b *testing.B)  { benchPipeline(b, 1, "SET", "key", "value") }
func BenchmarkSetP16(b *testing.B) { benchPipeline(b, 16, "SET", "key", "value") }
func BenchmarkGetP16(b *testing.B) { benchPipeline(b, 16, "GET", "key") }
func BenchmarkIncrP16(b *testing.B) {
	benchPipeline(b, 16, "INCR", "counter"+strconv.Itoa(0))
}
