package integration

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kevy-go/kevy/server"
	"github.com/redis/go-redis/v9"
)

func TestStrings(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		eq(t, "SET", must(t, c.Set(ctx, "s", "hello", 0)), "OK")
		eq(t, "GET", must(t, c.Get(ctx, "s")), "hello")
		if _, err := c.Get(ctx, "missing").Result(); err != redis.Nil {
			t.Fatalf("GET missing: %v", err)
		}
		eq(t, "APPEND", must(t, c.Append(ctx, "s", " world")), int64(11))
		eq(t, "STRLEN", must(t, c.StrLen(ctx, "s")), int64(11))
		eq(t, "GETRANGE", must(t, c.GetRange(ctx, "s", 0, 4)), "hello")
		eq(t, "SETRANGE", must(t, c.SetRange(ctx, "s", 6, "WORLD")), int64(11))
		eq(t, "INCR", must(t, c.Incr(ctx, "n")), int64(1))
		eq(t, "INCRBY", must(t, c.IncrBy(ctx, "n", 10)), int64(11))
		eq(t, "DECR", must(t, c.Decr(ctx, "n")), int64(10))
		eq(t, "INCRBYFLOAT", must(t, c.IncrByFloat(ctx, "f", 1.5)), 1.5)
		if err := c.Incr(ctx, "s").Err(); err == nil || err.Error() != "ERR value is not an integer or out of range" {
			t.Fatalf("INCR on text: %v", err)
		}
		eq(t, "MSET", must(t, c.MSet(ctx, "a", "1", "b", "2")), "OK")
		vals := must(t, c.MGet(ctx, "a", "b", "nope"))
		if len(vals) != 3 || vals[0] != "1" || vals[1] != "2" || vals[2] != nil {
			t.Fatalf("MGET = %v", vals)
		}
		eq(t, "SETNX", must(t, c.SetNX(ctx, "a", "x", 0)), false)
		eq(t, "GETSET", must(t, c.GetSet(ctx, "a", "9")), "1")
		eq(t, "GETDEL", must(t, c.GetDel(ctx, "a")), "9")
		eq(t, "SET EX", must(t, c.Set(ctx, "t", "v", time.Minute)), "OK")
		if ttl := must(t, c.TTL(ctx, "t")); ttl <= 0 || ttl > time.Minute {
			t.Fatalf("TTL = %v", ttl)
		}
		eq(t, "GETEX", must(t, c.GetEx(ctx, "t", 0)), "v")
		eq(t, "SET KEEPTTL GET", must(t, c.SetArgs(ctx, "t", "w", redis.SetArgs{KeepTTL: true, Get: true})), "v")
		eq(t, "LCS", must(t, c.LCS(ctx, &redis.LCSQuery{Key1: "s", Key2: "b"})).MatchString, "")
	})
}

func TestKeys(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		requireCommands(t, ctx, c, "expire", "ttl", "type", "persist", "pexpire", "pttl", "expiretime")
		c.MSet(ctx, "k1", "v", "k2", "v", "k3", "v")
		eq(t, "EXISTS", must(t, c.Exists(ctx, "k1", "k2", "nope")), int64(2))
		eq(t, "TYPE", must(t, c.Type(ctx, "k1")), "string")
		eq(t, "EXPIRE", must(t, c.Expire(ctx, "k1", time.Hour)), true)
		if d := must(t, c.PTTL(ctx, "k1")); d <= 59*time.Minute {
			t.Fatalf("PTTL = %v", d)
		}
		eq(t, "PERSIST", must(t, c.Persist(ctx, "k1")), true)
		eq(t, "TTL", must(t, c.TTL(ctx, "k1")), time.Duration(-1))
		eq(t, "RENAME", must(t, c.Rename(ctx, "k2", "k4")), "OK")
		eq(t, "COPY", must(t, c.Copy(ctx, "k4", "k5", 0, false)), int64(1))
		keys := must(t, c.Keys(ctx, "k*"))
		slices.Sort(keys)
		eq(t, "KEYS", strings.Join(keys, ","), "k1,k3,k4,k5")
		var scanned []string
		iter := c.Scan(ctx, 0, "k*", 2).Iterator()
		for iter.Next(ctx) {
			scanned = append(scanned, iter.Val())
		}
		if iter.Err() != nil || len(scanned) != 4 {
			t.Fatalf("SCAN = %v, %v", scanned, iter.Err())
		}
		eq(t, "DEL", must(t, c.Del(ctx, "k1", "nope")), int64(1))
		eq(t, "UNLINK", must(t, c.Unlink(ctx, "k3")), int64(1))
		eq(t, "DBSIZE", must(t, c.DBSize(ctx)), int64(2))
		dump := must(t, c.Dump(ctx, "k4"))
		eq(t, "RESTORE", must(t, c.Restore(ctx, "k6", 0, dump)), "OK")
		eq(t, "restored", must(t, c.Get(ctx, "k6")), "v")
		if _, err := c.RandomKey(ctx).Result(); err != nil {
			t.Fatal(err)
		}
		eq(t, "OBJECT ENCODING", must(t, c.ObjectEncoding(ctx, "k6")), "embstr")
		eq(t, "FLUSHALL", must(t, c.FlushAll(ctx)), "OK")
		eq(t, "DBSIZE", must(t, c.DBSize(ctx)), int64(0))
	})
}

func TestHashes(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		eq(t, "HSET", must(t, c.HSet(ctx, "h", "a", "1", "b", "2")), int64(2))
		eq(t, "HGET", must(t, c.HGet(ctx, "h", "a")), "1")
		all := must(t, c.HGetAll(ctx, "h"))
		if len(all) != 2 || all["a"] != "1" || all["b"] != "2" {
			t.Fatalf("HGETALL = %v", all)
		}
		eq(t, "HINCRBY", must(t, c.HIncrBy(ctx, "h", "a", 5)), int64(6))
		eq(t, "HINCRBYFLOAT", must(t, c.HIncrByFloat(ctx, "h", "f", 0.5)), 0.5)
		eq(t, "HLEN", must(t, c.HLen(ctx, "h")), int64(3))
		eq(t, "HEXISTS", must(t, c.HExists(ctx, "h", "b")), true)
		vals := must(t, c.HMGet(ctx, "h", "a", "zz"))
		if vals[0] != "6" || vals[1] != nil {
			t.Fatalf("HMGET = %v", vals)
		}
		keys := must(t, c.HKeys(ctx, "h"))
		slices.Sort(keys)
		eq(t, "HKEYS", strings.Join(keys, ","), "a,b,f")
		eq(t, "HSETNX", must(t, c.HSetNX(ctx, "h", "a", "x")), false)
		eq(t, "HDEL", must(t, c.HDel(ctx, "h", "a", "b")), int64(2))
		eq(t, "HSTRLEN", must(t, intCmd(c.Do(ctx, "HSTRLEN", "h", "f"))), 3)
		fields, cursor := must2(t)(c.HScan(ctx, "h", 0, "*", 10).Result())
		if cursor != 0 || len(fields) != 2 {
			t.Fatalf("HSCAN = %v %d", fields, cursor)
		}
		if err := c.Get(ctx, "h").Err(); err == nil || !strings.HasPrefix(err.Error(), "WRONGTYPE") {
			t.Fatalf("GET on a hash: %v", err)
		}
		if f := must(t, c.HRandField(ctx, "h", 1)); len(f) != 1 || f[0] != "f" {
			t.Fatalf("HRANDFIELD = %v", f)
		}
	})
}

// must2 is must for two results.
func must2(t *testing.T) func([]string, uint64, error) ([]string, uint64) {
	return func(a []string, b uint64, err error) ([]string, uint64) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
}

func TestLists(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		eq(t, "RPUSH", must(t, c.RPush(ctx, "l", "a", "b", "c")), int64(3))
		eq(t, "LPUSH", must(t, c.LPush(ctx, "l", "z")), int64(4))
		eq(t, "LRANGE", strings.Join(must(t, c.LRange(ctx, "l", 0, -1)), ","), "z,a,b,c")
		eq(t, "LINDEX", must(t, c.LIndex(ctx, "l", -1)), "c")
		eq(t, "LLEN", must(t, c.LLen(ctx, "l")), int64(4))
		eq(t, "LPOP", must(t, c.LPop(ctx, "l")), "z")
		eq(t, "RPOP count", strings.Join(must(t, c.RPopCount(ctx, "l", 2)), ","), "c,b")
		eq(t, "LINSERT", must(t, c.LInsertAfter(ctx, "l", "a", "m")), int64(2))
		eq(t, "LSET", must(t, c.LSet(ctx, "l", 0, "A")), "OK")
		eq(t, "LPOS", must(t, c.LPos(ctx, "l", "m", redis.LPosArgs{})), int64(1))
		eq(t, "LMOVE", must(t, c.LMove(ctx, "l", "l2", "LEFT", "RIGHT")), "A")
		eq(t, "RPOPLPUSH", must(t, c.RPopLPush(ctx, "l", "l2")), "m")
		eq(t, "LREM", must(t, c.LRem(ctx, "l2", 0, "A")), int64(1))
		eq(t, "LTRIM", must(t, c.LTrim(ctx, "l2", 0, 0)), "OK")
		key, vals := must2s(t)(c.LMPop(ctx, "left", 5, "l", "l2").Result())
		eq(t, "LMPOP", key+":"+strings.Join(vals, ","), "l2:m")
		if _, err := c.LPop(ctx, "l2").Result(); err != redis.Nil {
			t.Fatalf("LPOP of an emptied list: %v", err)
		}
	})
}

func must2s(t *testing.T) func(string, []string, error) (string, []string) {
	return func(a string, b []string, err error) (string, []string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
}

func TestSets(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		eq(t, "SADD", must(t, c.SAdd(ctx, "s1", "a", "b", "c")), int64(3))
		c.SAdd(ctx, "s2", "b", "c", "d")
		eq(t, "SCARD", must(t, c.SCard(ctx, "s1")), int64(3))
		eq(t, "SISMEMBER", must(t, c.SIsMember(ctx, "s1", "a")), true)
		ms := must(t, c.SMIsMember(ctx, "s1", "a", "z"))
		if !ms[0] || ms[1] {
			t.Fatalf("SMISMEMBER = %v", ms)
		}
		sorted := func(ss []string, err error) string {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(ss)
			return strings.Join(ss, ",")
		}
		eq(t, "SMEMBERS", sorted(c.SMembers(ctx, "s1").Result()), "a,b,c")
		eq(t, "SINTER", sorted(c.SInter(ctx, "s1", "s2").Result()), "b,c")
		eq(t, "SUNION", sorted(c.SUnion(ctx, "s1", "s2").Result()), "a,b,c,d")
		eq(t, "SDIFF", sorted(c.SDiff(ctx, "s1", "s2").Result()), "a")
		eq(t, "SINTERSTORE", must(t, c.SInterStore(ctx, "s3", "s1", "s2")), int64(2))
		eq(t, "SINTERCARD", must(t, c.SInterCard(ctx, 0, "s1", "s2")), int64(2))
		eq(t, "SMOVE", must(t, c.SMove(ctx, "s1", "s2", "a")), true)
		eq(t, "SREM", must(t, c.SRem(ctx, "s2", "a", "zz")), int64(1))
		if m := must(t, c.SPop(ctx, "s3")); m != "b" && m != "c" {
			t.Fatalf("SPOP = %q", m)
		}
		if m := must(t, c.SRandMemberN(ctx, "s2", 10)); len(m) != 3 {
			t.Fatalf("SRANDMEMBER = %v", m)
		}
	})
}

func TestSortedSets(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		eq(t, "ZADD", must(t, c.ZAdd(ctx, "z", redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2.5, Member: "b"}, redis.Z{Score: 3, Member: "c"})), int64(3))
		eq(t, "ZSCORE", must(t, c.ZScore(ctx, "z", "b")), 2.5)
		eq(t, "ZINCRBY", must(t, c.ZIncrBy(ctx, "z", 1, "a")), 2.0)
		eq(t, "ZCARD", must(t, c.ZCard(ctx, "z")), int64(3))
		eq(t, "ZRANK", must(t, c.ZRank(ctx, "z", "c")), int64(2))
		ws := must(t, c.ZRangeWithScores(ctx, "z", 0, -1))
		if len(ws) != 3 || ws[0].Member != "a" || ws[0].Score != 2 || ws[1].Score != 2.5 {
			t.Fatalf("ZRANGE WITHSCORES = %v", ws)
		}
		eq(t, "ZRANGEBYSCORE", strings.Join(must(t, c.ZRangeByScore(ctx, "z", &redis.ZRangeBy{Min: "(2", Max: "+inf"})), ","), "b,c")
		eq(t, "ZREVRANGE", strings.Join(must(t, c.ZRevRange(ctx, "z", 0, 0)), ","), "c")
		eq(t, "ZCOUNT", must(t, c.ZCount(ctx, "z", "2", "3")), int64(3))
		eq(t, "ZLEXCOUNT", must(t, c.ZLexCount(ctx, "z", "-", "+")), int64(3))
		eq(t, "ZMSCORE", must(t, c.ZMScore(ctx, "z", "a", "c"))[1], 3.0)
		pop := must(t, c.ZPopMin(ctx, "z"))
		eq(t, "ZPOPMIN", pop[0].Member.(string), "a")
		c.ZAdd(ctx, "z2", redis.Z{Score: 10, Member: "b"})
		eq(t, "ZUNIONSTORE", must(t, c.ZUnionStore(ctx, "u", &redis.ZStore{Keys: []string{"z", "z2"}})), int64(2))
		eq(t, "union score", must(t, c.ZScore(ctx, "u", "b")), 12.5)
		eq(t, "ZINTER", strings.Join(must(t, c.ZInter(ctx, &redis.ZStore{Keys: []string{"z", "z2"}})), ","), "b")
		eq(t, "ZREM", must(t, c.ZRem(ctx, "z", "b")), int64(1))
		eq(t, "ZREMRANGEBYRANK", must(t, c.ZRemRangeByRank(ctx, "u", 0, 0)), int64(1))
		key, zs, err := c.ZMPop(ctx, "max", 1, "z").Result()
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "ZMPOP", key+":"+zs[0].Member.(string), "z:c")
		if math := must(t, c.ZRandMember(ctx, "u", 1)); len(math) != 1 {
			t.Fatalf("ZRANDMEMBER = %v", math)
		}
	})
}

func TestBitmapsAndHyperLogLog(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		eq(t, "SETBIT", must(t, c.SetBit(ctx, "b", 7, 1)), int64(0))
		eq(t, "GETBIT", must(t, c.GetBit(ctx, "b", 7)), int64(1))
		eq(t, "BITCOUNT", must(t, c.BitCount(ctx, "b", nil)), int64(1))
		eq(t, "BITPOS", must(t, c.BitPos(ctx, "b", 1)), int64(7))
		c.Set(ctx, "b2", "\xff", 0)
		eq(t, "BITOP", must(t, c.BitOpAnd(ctx, "b3", "b", "b2")), int64(1))
		eq(t, "BITFIELD", must(t, c.BitField(ctx, "bf", "INCRBY", "u8", "0", "200"))[0], int64(200))
		eq(t, "PFADD", must(t, c.PFAdd(ctx, "h1", "a", "b", "c")), int64(1))
		c.PFAdd(ctx, "h2", "c", "d")
		eq(t, "PFCOUNT", must(t, c.PFCount(ctx, "h1", "h2")), int64(4))
		eq(t, "PFMERGE", must(t, c.PFMerge(ctx, "h3", "h1", "h2")), "OK")
		eq(t, "PFCOUNT merged", must(t, c.PFCount(ctx, "h3")), int64(4))
	})
}

func TestConnectionAndServer(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		eq(t, "PING", must(t, c.Ping(ctx)), "PONG")
		eq(t, "ECHO", must(t, c.Echo(ctx, "hi")), "hi")
		eq(t, "CLIENT SETNAME", must(t, c.Do(ctx, "CLIENT", "SETNAME", "gr")), any("OK"))
		eq(t, "CLIENT GETNAME", must(t, c.ClientGetName(ctx)), "gr")
		if id := must(t, c.ClientID(ctx)); id <= 0 {
			t.Fatalf("CLIENT ID = %d", id)
		}
		if l := must(t, c.ClientList(ctx)); !strings.Contains(l, "name=gr") {
			t.Fatalf("CLIENT LIST = %q", l)
		}
		info := must(t, c.Info(ctx, "server", "clients"))
		if !strings.Contains(info, "redis_version:7.0.15") || !strings.Contains(info, "connected_clients:") {
			t.Fatalf("INFO = %q", info)
		}
		cfg := must(t, c.ConfigGet(ctx, "maxclients"))
		eq(t, "CONFIG GET", cfg["maxclients"], "10000")
		eq(t, "CONFIG SET", must(t, c.ConfigSet(ctx, "timeout", "100")), "OK")
		if tm := must(t, c.Time(ctx)); time.Since(tm).Abs() > time.Minute {
			t.Fatalf("TIME = %v", tm)
		}
		if n := must(t, intCmd(c.Do(ctx, "COMMAND", "COUNT"))); n < 100 {
			t.Fatalf("COMMAND COUNT = %d", n)
		}
		eq(t, "SELECT 0", c.Do(ctx, "SELECT", "0").Err(), error(nil))
		if err := c.Do(ctx, "SELECT", "1").Err(); err == nil || err.Error() != "ERR DB index is out of range" {
			t.Fatalf("SELECT 1: %v", err)
		}
		if err := c.Do(ctx, "NOSUCH").Err(); err == nil || !strings.HasPrefix(err.Error(), "ERR unknown command 'NOSUCH'") {
			t.Fatalf("unknown command: %v", err)
		}
		eq(t, "SLOWLOG RESET", must(t, c.SlowLogReset(ctx)), "OK")
		eq(t, "LASTSAVE ok", c.LastSave(ctx).Err() == nil, true)
	})
}

func TestPipelinesAndConcurrency(t *testing.T) {
	eachProtocol(t, func(t *testing.T, ctx context.Context, c *redis.Client) {
		cmds, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := range 1000 {
				p.Incr(ctx, "counter")
				if i%100 == 0 {
					p.Get(ctx, "nothing")
				}
			}
			return nil
		})
		if err != nil && err != redis.Nil {
			t.Fatal(err)
		}
		last := cmds[len(cmds)-1].(*redis.IntCmd)
		eq(t, "last INCR", last.Val(), int64(1000))
		errc := make(chan error, 10)
		for range 10 {
			go func() {
				var err error
				for range 200 {
					if err = c.Incr(ctx, "shared").Err(); err != nil {
						break
					}
				}
				errc <- err
			}()
		}
		for range 10 {
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		}
		eq(t, "shared", must(t, intCmd(c.Get(ctx, "shared"))), 2000)
	})
}

func TestAuthWithGoRedis(t *testing.T) {
	addr := startKevy(t, server.Config{RequirePass: "pw"})
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		bad := client(t, addr, proto, &redis.Options{Password: "wrong", MaxRetries: -1})
		if err := bad.Ping(ctx).Err(); err == nil || !strings.Contains(err.Error(), "WRONGPASS") {
			t.Fatalf("proto %d with a wrong password: %v", proto, err)
		}
		good := client(t, addr, proto, &redis.Options{Password: "pw"})
		eq(t, "PING", must(t, good.Ping(ctx)), "PONG")
		none := client(t, addr, proto, &redis.Options{MaxRetries: -1})
		err := none.Get(ctx, "k").Err()
		var rerr redis.Error
		if !errors.As(err, &rerr) || !strings.HasPrefix(err.Error(), "NOAUTH") {
			t.Fatalf("proto %d without a password: %v", proto, err)
		}
	}
}
