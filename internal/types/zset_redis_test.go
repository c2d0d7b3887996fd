package types

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests in this file compare ZSet with a real redis-server 7.0. They
// skip when redis-server is not installed, except under CI=true.

// zRedis is a minimal RESP2 client for one redis-server started for a test.
type zRedis struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
}

// zRedisError is an error reply.
type zRedisError string

// startZRedis starts redis-server on a free loopback port and connects.
func startZRedis(t *testing.T) *zRedis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server not found and CI=true: %v", err)
		}
		t.Skip("redis-server not installed; skipping the comparison with real Redis")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir(), "--loglevel", "warning")
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	var conn net.Conn
	for deadline := time.Now().Add(10 * time.Second); ; {
		if conn, err = net.Dial("tcp", addr); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("connecting to redis-server at %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() { conn.Close() })
	c := &zRedis{t: t, conn: conn, r: bufio.NewReader(conn), w: bufio.NewWriter(conn)}
	if v := c.do("INFO", "server"); !strings.Contains(fmt.Sprint(v), "redis_version:7.0") {
		t.Logf("comparing with a redis-server that is not 7.0")
	}
	return c
}

// send queues a command; flush and read replies with read.
func (c *zRedis) send(args ...string) {
	fmt.Fprintf(c.w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(c.w, "$%d\r\n%s\r\n", len(a), a)
	}
}

// read returns the next reply: string, int64, nil, []any or zRedisError.
func (c *zRedis) read() any {
	c.t.Helper()
	if err := c.w.Flush(); err != nil {
		c.t.Fatalf("writing to redis: %v", err)
	}
	v, err := c.parse()
	if err != nil {
		c.t.Fatalf("reading from redis: %v", err)
	}
	return v
}

func (c *zRedis) parse() (any, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 {
		return nil, errors.New("short line")
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+':
		return body, nil
	case '-':
		return zRedisError(body), nil
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			return nil, nil
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = c.parse(); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected reply %q", line)
}

// do sends one command and returns its reply.
func (c *zRedis) do(args ...string) any {
	c.t.Helper()
	c.send(args...)
	return c.read()
}

// Scores: ZADD's parsing and ZSCORE's formatting, for both encodings.
func TestZSetRedisScores(t *testing.T) {
	c := startZRedis(t)
	rng := rand.New(rand.NewPCG(11, 11))
	inputs := []string{
		"1", "-1", "0", "-0", "+0", "1.1", "0.1", "1e16", "1e17", "123456789012345678",
		"1e21", "0.0001", "0.00001", "1e-310", "5e-324", "2e-324", "1e-400", "0e-400",
		"1e308", "1.7976931348623157e308", "1.7976931348623159e308", "1e400", "-1e400",
		"inf", "+inf", "-inf", "INF", "Infinity", "-infinity", "infinit", "nan", "-nan",
		"0x10", "0X1P-2", "0x.8", "0x", "0x1p", "0x1p-1080", ".5", "5.", ".", "+.5e+1",
		"1.5e", "1e+", "1_0", " 1", "1 ", "\t1", "", "abc", "++1", "3.14159265358979323846",
		"1e-5", "-2.5e-300", "9007199254740993", "4.35", "0.3",
	}
	for range 200 {
		var f float64
		switch rng.IntN(3) {
		case 0:
			f = math.Float64frombits(rng.Uint64())
		case 1:
			f = float64(rng.IntN(2000000)-1000000) / 1000
		case 2:
			f = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(40)-20))
		}
		if math.IsNaN(f) {
			continue
		}
		inputs = append(inputs, strconv.FormatFloat(f, 'g', -1, 64), strconv.FormatFloat(f, 'e', rng.IntN(20), 64))
	}
	for _, entries := range []string{"128", "0"} { // listpack, then skiplist
		c.do("CONFIG", "SET", "zset-max-listpack-entries", entries)
		lim := NewZSetLimits()
		n, _ := strconv.Atoi(entries)
		lim.MaxListpackEntries.Store(int64(n))
		for _, in := range inputs {
			c.send("DEL", "k")
			c.send("ZADD", "k", in, "m")
			c.send("ZSCORE", "k", "m")
			c.send("ZINCRBY", "k2", in, "m")
			c.read()
			addReply, scoreReply, incrReply := c.read(), c.read(), c.read()
			c.do("DEL", "k2")

			v, err := ParseScore(in)
			if _, isErr := addReply.(zRedisError); isErr != (err != nil) {
				t.Errorf("ParseScore(%q) error = %v, but Redis ZADD replied %v", in, err, addReply)
				continue
			}
			if err != nil {
				if string(addReply.(zRedisError)) != err.Error() {
					t.Errorf("ParseScore(%q) error %q, Redis says %q", in, err, addReply)
				}
				continue
			}
			z := NewZSet(lim)
			z.Add("m", v)
			s, _ := z.Score("m")
			if got := FormatScore(s); got != scoreReply {
				t.Errorf("%s: FormatScore(Score after Add(%q)) = %q, Redis ZSCORE %q", z.Encoding(), in, got, scoreReply)
			}
			inc, _ := NewZSet(lim).Incr("m", v)
			if got := FormatScore(inc); got != incrReply {
				t.Errorf("%s: FormatScore(Incr(%q)) = %q, Redis ZINCRBY %q", z.Encoding(), in, got, incrReply)
			}
		}
	}
	c.do("CONFIG", "SET", "zset-max-listpack-entries", "128")
}

// zRedisRange runs a ZRANGE-family command and returns "err:<text>" or the
// members and scores joined by spaces.
func zRedisRange(c *zRedis, args ...string) string {
	switch v := c.do(args...).(type) {
	case zRedisError:
		return "err:" + string(v)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmt.Sprint(x)
		}
		return strings.Join(parts, " ")
	case int64:
		return strconv.FormatInt(v, 10)
	default:
		return fmt.Sprint(v)
	}
}

func zOurRange(z *ZSet, err error, f func(fn func(string, float64) bool)) string {
	if err != nil {
		return "err:" + err.Error()
	}
	var parts []string
	f(func(m string, s float64) bool {
		parts = append(parts, m, FormatScore(s))
		return true
	})
	return strings.Join(parts, " ")
}

// Bounds and LIMIT of ZRANGEBYSCORE / ZRANGEBYLEX and their counts.
func TestZSetRedisRanges(t *testing.T) {
	c := startZRedis(t)
	scoreBounds := []string{
		"-inf", "+inf", "inf", "(-inf", "(inf", "0", "(0", "1", "(1", "1.5", "(1.5", "2", "(2",
		"3", "1e400", "-1e400", "", "(", " 2", "2 ", "0x2", "(0x1p1", "nan", "abc", "[1", "-", "+",
	}
	lexBounds := []string{"-", "+", "[a", "(a", "[b", "(b", "[bb", "(c", "[c", "[", "(", "a", "", "-a", "+x", "[z"}
	limits := [][2]string{{"", ""}, {"0", "-1"}, {"1", "2"}, {"-1", "2"}, {"2", "0"}, {"0", "100"}, {"5", "-5"}, {"100", "1"}}
	for _, entries := range []string{"128", "0"} {
		c.do("CONFIG", "SET", "zset-max-listpack-entries", entries)
		lim := NewZSetLimits()
		n, _ := strconv.Atoi(entries)
		lim.MaxListpackEntries.Store(int64(n))
		c.do("DEL", "s", "l")
		zs, zl := NewZSet(lim), NewZSet(lim)
		for i, m := range []string{"a", "b", "bb", "c", "d", "e"} {
			score := []float64{math.Inf(-1), 1, 1.5, 2, 2, math.Inf(1)}[i]
			c.do("ZADD", "s", FormatScore(score), m)
			zs.Add(m, score)
			c.do("ZADD", "l", "0", m)
			zl.Add(m, 0)
		}
		c.do("ZADD", "l", "0", "")
		zl.Add("", 0)
		for _, lo := range scoreBounds {
			for _, hi := range scoreBounds {
				r, err := ParseScoreRange(lo, hi)
				want := zRedisRange(c, "ZCOUNT", "s", lo, hi)
				got := "err:" + fmt.Sprint(err)
				if err == nil {
					got = strconv.Itoa(zs.CountByScore(r))
				}
				if got != want {
					t.Errorf("%s: CountByScore(ParseScoreRange(%q, %q)) = %s, Redis ZCOUNT %s", zs.Encoding(), lo, hi, got, want)
				}
				for _, lm := range limits {
					for _, rev := range []bool{false, true} {
						args := []string{"ZRANGEBYSCORE", "s", lo, hi, "WITHSCORES"}
						if rev {
							args = []string{"ZREVRANGEBYSCORE", "s", hi, lo, "WITHSCORES"}
						}
						offset, limit := 0, -1
						if lm[0] != "" {
							args = append(args, "LIMIT", lm[0], lm[1])
							offset, _ = strconv.Atoi(lm[0])
							limit, _ = strconv.Atoi(lm[1])
						}
						want := zRedisRange(c, args...)
						got := zOurRange(zs, err, func(fn func(string, float64) bool) { zs.RangeByScore(r, rev, offset, limit, fn) })
						if got != want {
							t.Errorf("%s: %q: RangeByScore = %q, Redis %q", zs.Encoding(), args, got, want)
						}
					}
				}
			}
		}
		for _, lo := range lexBounds {
			for _, hi := range lexBounds {
				r, err := ParseLexRange(lo, hi)
				want := zRedisRange(c, "ZLEXCOUNT", "l", lo, hi)
				got := "err:" + fmt.Sprint(err)
				if err == nil {
					got = strconv.Itoa(zl.CountByLex(r))
				}
				if got != want {
					t.Errorf("%s: CountByLex(ParseLexRange(%q, %q)) = %s, Redis ZLEXCOUNT %s", zl.Encoding(), lo, hi, got, want)
				}
				for _, lm := range limits {
					for _, rev := range []bool{false, true} {
						args := []string{"ZRANGEBYLEX", "l", lo, hi}
						if rev {
							args = []string{"ZREVRANGEBYLEX", "l", hi, lo}
						}
						offset, limit := 0, -1
						if lm[0] != "" {
							args = append(args, "LIMIT", lm[0], lm[1])
							offset, _ = strconv.Atoi(lm[0])
							limit, _ = strconv.Atoi(lm[1])
						}
						want := zRedisRange(c, args...)
						var parts []string
						if err == nil {
							zl.RangeByLex(r, rev, offset, limit, func(m string, _ float64) bool {
								parts = append(parts, m)
								return true
							})
						}
						got := strings.Join(parts, " ")
						if err != nil {
							got = "err:" + err.Error()
						}
						if got != want {
							t.Errorf("%s: %q: RangeByLex = %q, Redis %q", zl.Encoding(), args, got, want)
						}
					}
				}
			}
		}
	}
	c.do("CONFIG", "SET", "zset-max-listpack-entries", "128")
}

// Random command sequences on one key, checked against Redis after every
// command: replies, the full contents with scores, and the encoding. In
// "listpack" mode lex commands run over mixed scores too, since kevy
// reproduces Redis's listpack scans exactly.
func TestZSetRedisSequences(t *testing.T) {
	c := startZRedis(t)
	c.do("CONFIG", "SET", "zset-max-listpack-entries", "16")
	c.do("CONFIG", "SET", "zset-max-listpack-value", "4")
	defer c.do("CONFIG", "SET", "zset-max-listpack-entries", "128")
	defer c.do("CONFIG", "SET", "zset-max-listpack-value", "64")
	lim := NewZSetLimits()
	lim.MaxListpackEntries.Store(16)
	lim.MaxListpackValue.Store(4)
	scores := []string{"0", "-0", "1", "1", "2", "2.5", "-1", "inf", "-inf", "1.1", "3"}
	for seed := uint64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		c.do("DEL", "z")
		z := NewZSet(lim)
		member := func() string {
			n := 1 + rng.IntN(3)
			if rng.IntN(30) == 0 {
				n = 5
			}
			b := make([]byte, n)
			for i := range b {
				b[i] = "abc"[rng.IntN(3)]
			}
			return string(b)
		}
		for step := range 150 {
			m, s := member(), scores[rng.IntN(len(scores))]
			sv, _ := ParseScore(s)
			var args []string
			var got string
			switch rng.IntN(10) {
			case 0, 1, 2:
				var flags ZAddFlags
				args = []string{"ZADD", "z"}
				for _, f := range []struct {
					name string
					flag ZAddFlags
				}{{"XX", ZAddXX}, {"GT", ZAddGT}, {"INCR", ZAddIncr}} {
					if rng.IntN(4) == 0 {
						args = append(args, f.name)
						flags |= f.flag
					}
				}
				args = append(args, s, m)
				res, ns := z.AddWith(m, sv, flags)
				switch {
				case flags&ZAddIncr != 0 && res == ZAddSkipped:
					got = "<nil>"
				case flags&ZAddIncr != 0 && res == ZAddNaN:
					got = "err:" + ErrScoreNaN.Error()
				case flags&ZAddIncr != 0:
					got = FormatScore(ns)
				case res == ZAddAdded:
					got = "1"
				default:
					got = "0"
				}
			case 3:
				args = []string{"ZREM", "z", m}
				got = "0"
				if z.Remove(m) {
					got = "1"
				}
			case 4:
				args = []string{"ZRANGEBYLEX", "z", "[" + m, "+", "LIMIT", "1", "3"}
				if z.Encoding() == EncodingSkiplist {
					args = nil // unspecified over mixed scores
					break
				}
				r, _ := ParseLexRange("["+m, "+")
				got = zMembers(zCollect(func(fn func(string, float64) bool) { z.RangeByLex(r, false, 1, 3, fn) }))
			case 5:
				args = []string{"ZREMRANGEBYLEX", "z", "(" + m, "[c"}
				if z.Encoding() == EncodingSkiplist {
					args = nil
					break
				}
				r, _ := ParseLexRange("("+m, "[c")
				got = strconv.Itoa(z.RemoveRangeByLex(r, nil))
			case 6:
				args = []string{"ZREMRANGEBYSCORE", "z", "(" + s, "2"}
				r, _ := ParseScoreRange("("+s, "2")
				got = strconv.Itoa(z.RemoveRangeByScore(r, nil))
			case 8:
				args = []string{"ZLEXCOUNT", "z", "[" + m, "(c"}
				if z.Encoding() == EncodingSkiplist {
					args = nil
					break
				}
				r, _ := ParseLexRange("["+m, "(c")
				got = strconv.Itoa(z.CountByLex(r))
			case 9:
				args = []string{"ZREVRANGEBYLEX", "z", "(c", "[" + m, "LIMIT", "1", "2"}
				if z.Encoding() == EncodingSkiplist {
					args = nil
					break
				}
				r, _ := ParseLexRange("["+m, "(c")
				got = zMembers(zCollect(func(fn func(string, float64) bool) { z.RangeByLex(r, true, 1, 2, fn) }))
			case 7:
				args = []string{"ZPOPMAX", "z", "2"}
				var parts []string
				for _, e := range z.PopMax(2) {
					parts = append(parts, e.Member, FormatScore(e.Score))
				}
				got = strings.Join(parts, " ")
			}
			if args == nil {
				continue
			}
			if want := zRedisRange(c, args...); got != want {
				t.Fatalf("seed %d step %d: %q: kevy %q, Redis %q", seed, step, args, got, want)
			}
			all := zOurRange(z, nil, func(fn func(string, float64) bool) { z.RangeByRank(0, z.Len()-1, false, fn) })
			if want := zRedisRange(c, "ZRANGE", "z", "0", "-1", "WITHSCORES"); all != want {
				t.Fatalf("seed %d step %d after %q: contents %q, Redis %q", seed, step, args, all, want)
			}
			if z.Len() > 0 {
				if want := fmt.Sprint(c.do("OBJECT", "ENCODING", "z")); z.Encoding() != want {
					t.Fatalf("seed %d step %d after %q: Encoding() = %q, Redis %q", seed, step, args, z.Encoding(), want)
				}
			} else {
				z = NewZSet(lim) // Redis deleted the key
			}
		}
	}
}
