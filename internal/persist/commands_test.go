package persist

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/engine"
	"github.com/kevy-go/kevy/internal/resp"
)

// writeSamples exercises every write command: for each, commands run in
// order, "@x" standing for a key of the command's own hash
// tag (so multi-key commands stay in one shard), and "$DUMP:x" for the
// DUMP payload of key x. Random and time-dependent commands are included:
// their logged effects must replay to the same state.
var writeSamples = map[string][][]string{
	"flushall": {{"SET", "@a", "1"}, {"FLUSHALL"}},
	"flushdb":  {{"SET", "@a", "1"}, {"FLUSHDB"}},

	"append":           {{"SET", "@a", "x"}, {"APPEND", "@a", "yz"}, {"APPEND", "@b", "new"}, {"PEXPIRE", "@a", "100000"}, {"APPEND", "@a", "!"}},
	"bitfield":         {{"BITFIELD", "@a", "SET", "u8", "0", "200", "INCRBY", "u8", "0", "100", "OVERFLOW", "SAT", "INCRBY", "i8", "8", "-200"}},
	"bitop":            {{"SET", "@a", "foo"}, {"SET", "@b", "barbaz"}, {"BITOP", "AND", "@c", "@a", "@b"}, {"BITOP", "NOT", "@d", "@b"}, {"BITOP", "OR", "@e", "@x", "@y"}},
	"copy":             {{"RPUSH", "@a", "1", "2"}, {"PEXPIRE", "@a", "100000"}, {"COPY", "@a", "@b"}, {"SET", "@c", "x"}, {"COPY", "@a", "@c", "REPLACE"}},
	"decr":             {{"DECR", "@a"}, {"DECR", "@a"}},
	"decrby":           {{"DECRBY", "@a", "7"}},
	"del":              {{"SET", "@a", "1"}, {"SET", "@b", "2"}, {"DEL", "@a", "@b", "@c"}},
	"unlink":           {{"SET", "@a", "1"}, {"UNLINK", "@a"}},
	"getdel":           {{"SET", "@a", "1"}, {"GETDEL", "@a"}},
	"getex":            {{"SET", "@a", "1"}, {"GETEX", "@a", "EX", "1000"}, {"SET", "@b", "1", "EX", "100"}, {"GETEX", "@b", "PERSIST"}, {"SET", "@c", "1"}, {"GETEX", "@c", "PXAT", "$FUTURE"}},
	"getset":           {{"GETSET", "@a", "1"}, {"GETSET", "@a", "2"}},
	"hdel":             {{"HSET", "@a", "a", "1", "b", "2"}, {"HDEL", "@a", "a"}, {"HSET", "@b", "a", "1"}, {"HDEL", "@b", "a"}},
	"hincrby":          {{"HINCRBY", "@a", "f", "5"}, {"HINCRBY", "@a", "f", "-2"}},
	"hincrbyfloat":     {{"HINCRBYFLOAT", "@a", "f", "1.1"}, {"HINCRBYFLOAT", "@a", "f", "2e-3"}},
	"hmset":            {{"HMSET", "@a", "a", "1", "b", "2"}},
	"hset":             {{"HSET", "@a", "a", "1", "b", "2"}, {"HSET", "@a", "a", "3"}},
	"hsetnx":           {{"HSETNX", "@a", "a", "1"}, {"HSETNX", "@a", "a", "2"}},
	"incr":             {{"INCR", "@a"}, {"SET", "@b", "10", "EX", "1000"}, {"INCR", "@b"}},
	"incrby":           {{"INCRBY", "@a", "-5"}},
	"incrbyfloat":      {{"INCRBYFLOAT", "@a", "0.1"}, {"INCRBYFLOAT", "@a", "0.2"}, {"SET", "@b", "1", "PX", "100000"}, {"INCRBYFLOAT", "@b", "1.5"}},
	"linsert":          {{"RPUSH", "@a", "a", "c"}, {"LINSERT", "@a", "BEFORE", "c", "b"}, {"LINSERT", "@a", "AFTER", "zz", "x"}},
	"lmove":            {{"RPUSH", "@a", "1", "2", "3"}, {"LMOVE", "@a", "@b", "LEFT", "RIGHT"}, {"LMOVE", "@a", "@a", "RIGHT", "LEFT"}},
	"lmpop":            {{"RPUSH", "@a", "1", "2", "3"}, {"LMPOP", "2", "@x", "@a", "LEFT", "COUNT", "2"}},
	"lpop":             {{"RPUSH", "@a", "1", "2", "3", "4"}, {"LPOP", "@a"}, {"LPOP", "@a", "2"}},
	"rpop":             {{"RPUSH", "@a", "1", "2", "3", "4"}, {"RPOP", "@a"}, {"RPOP", "@a", "5"}},
	"lpush":            {{"LPUSH", "@a", "1", "2"}},
	"lpushx":           {{"LPUSHX", "@a", "1"}, {"RPUSH", "@b", "x"}, {"LPUSHX", "@b", "y"}},
	"rpush":            {{"RPUSH", "@a", "1", "2"}},
	"rpushx":           {{"RPUSHX", "@a", "1"}, {"RPUSH", "@b", "x"}, {"RPUSHX", "@b", "y"}},
	"lrem":             {{"RPUSH", "@a", "a", "b", "a", "c", "a"}, {"LREM", "@a", "-2", "a"}},
	"lset":             {{"RPUSH", "@a", "a", "b"}, {"LSET", "@a", "-1", "z"}},
	"ltrim":            {{"RPUSH", "@a", "a", "b", "c", "d"}, {"LTRIM", "@a", "1", "-2"}},
	"rpoplpush":        {{"RPUSH", "@a", "1", "2"}, {"RPOPLPUSH", "@a", "@b"}},
	"mset":             {{"MSET", "@a", "1", "@b", "2"}},
	"msetnx":           {{"MSETNX", "@a", "1", "@b", "2"}, {"MSETNX", "@a", "3", "@c", "4"}},
	"pfadd":            {{"PFADD", "@a", "a", "b", "c"}, {"PFADD", "@a", "d"}},
	"pfmerge":          {{"PFADD", "@a", "a", "b"}, {"PFADD", "@b", "c"}, {"PFMERGE", "@c", "@a", "@b"}},
	"pfcount":          {{"PFADD", "@a", "a", "b"}, {"PFCOUNT", "@a"}, {"PFADD", "@a", "c"}, {"PFCOUNT", "@a"}},
	"psetex":           {{"PSETEX", "@a", "100000", "v"}},
	"setex":            {{"SETEX", "@a", "1000", "v"}},
	"setnx":            {{"SETNX", "@a", "1"}, {"SETNX", "@a", "2"}},
	"set":              {{"SET", "@a", "1"}, {"SET", "@b", "2", "EX", "1000"}, {"SET", "@b", "3", "KEEPTTL"}, {"SET", "@c", "x", "PXAT", "$FUTURE"}, {"SET", "@c", "y", "XX", "GET"}, {"SET", "@d", "z", "NX", "PX", "50000"}, {"SET", "@a", "q", "EXAT", "$FUTURESEC"}},
	"setbit":           {{"SETBIT", "@a", "100", "1"}, {"SETBIT", "@a", "3", "1"}, {"SETBIT", "@a", "100", "0"}},
	"setrange":         {{"SET", "@a", "hello"}, {"SETRANGE", "@a", "10", "world"}, {"SETRANGE", "@b", "2", "x"}},
	"rename":           {{"SET", "@a", "1", "EX", "1000"}, {"RENAME", "@a", "@b"}, {"RPUSH", "@c", "x"}, {"RENAME", "@c", "@b"}},
	"renamenx":         {{"SET", "@a", "1"}, {"SET", "@b", "2"}, {"RENAMENX", "@a", "@b"}, {"RENAMENX", "@a", "@c"}},
	"restore":          {{"RPUSH", "@a", "1", "2"}, {"RESTORE", "@b", "0", "$DUMP:@a"}, {"RESTORE", "@b", "100000", "$DUMP:@a", "REPLACE"}, {"RESTORE", "@c", "$FUTURE", "$DUMP:@a", "ABSTTL"}},
	"sadd":             {{"SADD", "@a", "1", "2", "x"}},
	"srem":             {{"SADD", "@a", "1", "2", "3"}, {"SREM", "@a", "2", "9"}},
	"smove":            {{"SADD", "@a", "1", "2"}, {"SMOVE", "@a", "@b", "1"}, {"SMOVE", "@a", "@b", "2"}},
	"spop":             {{"SADD", "@a", "1", "2", "3", "4", "5", "a", "b", "c"}, {"SPOP", "@a"}, {"SPOP", "@a", "3"}, {"SADD", "@b", "1"}, {"SPOP", "@b", "5"}},
	"sdiffstore":       {{"SADD", "@a", "1", "2", "3"}, {"SADD", "@b", "2"}, {"SDIFFSTORE", "@c", "@a", "@b"}, {"SDIFFSTORE", "@c", "@x"}},
	"sinterstore":      {{"SADD", "@a", "1", "2", "3"}, {"SADD", "@b", "2", "3", "4"}, {"SINTERSTORE", "@c", "@a", "@b"}},
	"sunionstore":      {{"SADD", "@a", "1", "2"}, {"SADD", "@b", "x"}, {"SUNIONSTORE", "@c", "@a", "@b"}},
	"expire":           {{"SET", "@a", "1"}, {"EXPIRE", "@a", "1000"}, {"SET", "@b", "1"}, {"EXPIRE", "@b", "-1"}, {"SET", "@c", "1"}, {"EXPIRE", "@c", "500", "NX"}},
	"pexpire":          {{"SET", "@a", "1"}, {"PEXPIRE", "@a", "1000000"}},
	"expireat":         {{"SET", "@a", "1"}, {"EXPIREAT", "@a", "$FUTURESEC"}, {"SET", "@b", "1"}, {"EXPIREAT", "@b", "1"}},
	"pexpireat":        {{"SET", "@a", "1"}, {"PEXPIREAT", "@a", "$FUTURE"}},
	"persist":          {{"SET", "@a", "1", "EX", "100"}, {"PERSIST", "@a"}},
	"zadd":             {{"ZADD", "@a", "1", "a", "2", "b"}, {"ZADD", "@a", "XX", "CH", "5", "a", "3", "c"}, {"ZADD", "@a", "INCR", "1.5", "b"}, {"ZADD", "@a", "GT", "0", "a"}, {"ZADD", "@a", "-inf", "m", "inf", "n"}},
	"zincrby":          {{"ZINCRBY", "@a", "0.1", "a"}, {"ZINCRBY", "@a", "0.2", "a"}},
	"zrem":             {{"ZADD", "@a", "1", "a", "2", "b"}, {"ZREM", "@a", "a"}, {"ZADD", "@b", "1", "a"}, {"ZREM", "@b", "a"}},
	"zremrangebyscore": {{"ZADD", "@a", "1", "a", "2", "b", "3", "c"}, {"ZREMRANGEBYSCORE", "@a", "(1", "2"}},
	"zremrangebyrank":  {{"ZADD", "@a", "1", "a", "2", "b", "3", "c"}, {"ZREMRANGEBYRANK", "@a", "0", "1"}},
	"zremrangebylex":   {{"ZADD", "@a", "0", "a", "0", "b", "0", "c"}, {"ZREMRANGEBYLEX", "@a", "[a", "(c"}},
	"zpopmin":          {{"ZADD", "@a", "1", "a", "2", "b", "3", "c"}, {"ZPOPMIN", "@a"}, {"ZPOPMIN", "@a", "5"}},
	"zpopmax":          {{"ZADD", "@a", "1", "a", "2", "b", "3", "c"}, {"ZPOPMAX", "@a", "2"}},
	"zmpop":            {{"ZADD", "@a", "1", "a", "2", "b", "3", "c"}, {"ZMPOP", "2", "@x", "@a", "MIN", "COUNT", "2"}},
	"zunionstore":      {{"ZADD", "@a", "1", "a", "2", "b"}, {"ZADD", "@b", "3", "b"}, {"ZUNIONSTORE", "@c", "2", "@a", "@b", "WEIGHTS", "2", "0.5"}},
	"zinterstore":      {{"ZADD", "@a", "1", "a", "2", "b"}, {"ZADD", "@b", "3", "b"}, {"ZINTERSTORE", "@c", "2", "@a", "@b", "AGGREGATE", "MAX"}},
	"zdiffstore":       {{"ZADD", "@a", "1", "a", "2", "b"}, {"ZADD", "@b", "3", "b"}, {"ZDIFFSTORE", "@c", "2", "@a", "@b"}},
	"zrangestore":      {{"ZADD", "@a", "1", "a", "2", "b", "3", "c"}, {"ZRANGESTORE", "@c", "@a", "0", "1"}, {"ZRANGESTORE", "@d", "@a", "(1", "+inf", "BYSCORE"}},
	"blpop":            {{"RPUSH", "@a", "1", "2"}, {"BLPOP", "@x", "@a", "0.01"}},
	"brpop":            {{"RPUSH", "@a", "1", "2"}, {"BRPOP", "@a", "0.01"}},
	"blmove":           {{"RPUSH", "@a", "1", "2"}, {"BLMOVE", "@a", "@b", "LEFT", "RIGHT", "0.01"}},
	"blmpop":           {{"RPUSH", "@a", "1", "2", "3"}, {"BLMPOP", "0.01", "1", "@a", "RIGHT", "COUNT", "2"}},
	"brpoplpush":       {{"RPUSH", "@a", "1", "2"}, {"BRPOPLPUSH", "@a", "@b", "0.01"}},
	"bzmpop":           {{"ZADD", "@a", "1", "a", "2", "b"}, {"BZMPOP", "0.01", "1", "@a", "MAX"}},
	"bzpopmax":         {{"ZADD", "@a", "1", "a", "2", "b"}, {"BZPOPMAX", "@a", "0.01"}},
	"bzpopmin":         {{"ZADD", "@a", "1", "a", "2", "b"}, {"BZPOPMIN", "@a", "0.01"}},
	"srandmember":      {{"SADD", "@a", "1", "2", "3"}, {"SRANDMEMBER", "@a", "2"}},
	"hrandfield":       {{"HSET", "@a", "a", "1"}, {"HRANDFIELD", "@a"}},
}

// TestEveryWriteCommandReplays runs writeSamples (all commands, the flush
// samples first), reopens the directory, and compares the state: every
// write command's logged form must replay to the same state. A write
// command of the table with no sample fails the test.
func TestEveryWriteCommandReplays(t *testing.T) {
	var missing []string
	for _, c := range engine.Commands() {
		if c.Flags&engine.FlagWrite != 0 {
			if _, ok := writeSamples[c.Name]; !ok {
				missing = append(missing, c.Name)
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("write commands with no replay sample in writeSamples: %v", missing)
	}
	names := make([]string, 0, len(writeSamples))
	for n := range writeSamples {
		if engine.Lookup(n) != nil {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		fi, fj := strings.HasPrefix(names[i], "flush"), strings.HasPrefix(names[j], "flush")
		if fi != fj {
			return fi
		}
		return names[i] < names[j]
	})
	future := time.Now().Add(time.Hour).UnixMilli()
	for _, shards := range []int{1, 4} {
		t.Run(fmt.Sprintf("shards=%d", shards), func(t *testing.T) {
			dir := t.TempDir()
			e := open(t, dir, shards, nil)
			for _, name := range names {
				for _, cmd := range writeSamples[name] {
					args := make([]string, len(cmd))
					for i, a := range cmd {
						switch {
						case a == "$FUTURE":
							a = strconv.FormatInt(future, 10)
						case a == "$FUTURESEC":
							a = strconv.FormatInt(future/1000, 10)
						case strings.HasPrefix(a, "$DUMP:"):
							r := e.do("DUMP", "{"+name+"}"+strings.TrimPrefix(a, "$DUMP:@"))
							v, err := resp.NewReader(strings.NewReader(r)).ReadValue()
							if err != nil {
								t.Fatal(err)
							}
							a = v.Str
						case len(a) >= 2 && a[0] == '@':
							a = "{" + name + "}" + a[1:]
						}
						args[i] = a
					}
					if _, err := exec(e.en, args...); err != nil {
						t.Errorf("%s sample %q: %v", name, args, err)
					}
				}
			}
			want := state(e.en)
			e.mustClose()
			e = open(t, dir, shards, nil)
			diffState(t, want, state(e.en))
			// And through a rewrite of the log.
			if _, err := e.st.RewriteAOF(); err != nil {
				t.Fatal(err)
			}
			e.mustClose()
			e = open(t, dir, shards, nil)
			diffState(t, want, state(e.en))
		})
	}
}
