#!/usr/bin/env bash
# gen.sh regenerates the Redis 7.0 fixtures of internal/rdb:
#
#   redis7.rdb / redis7.txt          every encoding Redis 7.0 writes, keys in
#                                    databases 0, 1 and 15, ms expiries far in
#                                    the future, a function library
#   redis7-lfu.rdb / redis7-lfu.txt  keys saved under allkeys-lfu (FREQ opcodes)
#   redis7-stream.rdb                a stream, which the reader must refuse
#
# Each .txt lists the contents, one key a line, as read back from the live
# server by a Lua script (see listing below):
#
#   db <TAB> hex(key) <TAB> type <TAB> encoding <TAB> pexpiretime <TAB> items
#
# where items are space-separated values in hex (GET; LRANGE; SMEMBERS sorted;
# HGETALL; ZRANGE WITHSCORES), and a value longer than 256 bytes is written
# "sha1:<length>:<sha1 hex>". The server is started in a temporary directory
# on a free 127.0.0.1 port with --save "" --appendonly no and stopped on exit.
#
# Usage: internal/rdb/testdata/gen.sh   (needs redis-server and redis-cli 7.0)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pid=""
port=""

cleanup() {
	if [[ -n $pid ]]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

rc() { redis-cli -p "$port" "$@"; }

# start launches redis-server with extra arguments on a random free port and
# makes sure the server answering on that port is the one just started.
start() {
	local attempt
	for attempt in $(seq 20); do
		port=$((20000 + RANDOM % 40000))
		if redis-cli -p "$port" ping >/dev/null 2>&1; then
			continue # somebody else's server
		fi
		redis-server --bind 127.0.0.1 --port "$port" --dir "$work" \
			--dbfilename dump.rdb --save "" --appendonly no \
			--enable-debug-command yes "$@" >"$work/server.log" 2>&1 &
		pid=$!
		local i
		for i in $(seq 50); do
			if ! kill -0 "$pid" 2>/dev/null; then
				break # failed, probably the port was taken meanwhile
			fi
			if [[ $(rc info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p') == "$pid" ]]; then
				return 0
			fi
			sleep 0.1
		done
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		pid=""
	done
	echo "gen.sh: could not start redis-server" >&2
	exit 1
}

stop() {
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=""
	rm -f "$work/dump.rdb"
}

# listing prints the contents of the current database in the format above.
listing='
local function hex(s)
	if #s > 256 then
		return "sha1:" .. #s .. ":" .. redis.sha1hex(s)
	end
	return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end
local keys = redis.call("KEYS", "*")
table.sort(keys)
local out = {}
for _, k in ipairs(keys) do
	local t = redis.call("TYPE", k)["ok"]
	local items
	if t == "string" then items = {redis.call("GET", k)}
	elseif t == "list" then items = redis.call("LRANGE", k, 0, -1)
	elseif t == "set" then items = redis.call("SMEMBERS", k); table.sort(items)
	elseif t == "hash" then items = redis.call("HGETALL", k)
	elseif t == "zset" then items = redis.call("ZRANGE", k, 0, -1, "WITHSCORES")
	else items = {} end
	local hexed = {}
	for i, v in ipairs(items) do hexed[i] = hex(v) end
	out[#out + 1] = table.concat({ARGV[1], hex(k), t, redis.call("OBJECT", "ENCODING", k),
		tostring(redis.call("PEXPIRETIME", k)), table.concat(hexed, " ")}, "\t")
end
return table.concat(out, "\n")
'

# dumpdb appends the listing of databases "$@" to file $1.
dumpdb() {
	local file=$1 db
	shift
	for db in "$@"; do
		rc -n "$db" --raw eval "$listing" 0 "$db" >>"$file"
	done
}

save() {
	[[ $(rc save) == OK ]]
	cp "$work/dump.rdb" "$here/$1"
}

far=4102444800123 # 2100-01-01T00:00:00.123Z

# --- redis7.rdb: every encoding --------------------------------------------
# Compression depth 1 makes Redis save inner list nodes already compressed.
start --list-compress-depth 1
# Elements of 6000 bytes or more become plain quicklist nodes.
rc debug quicklist-packed-threshold 6000 >/dev/null

# Strings: raw, empty, integer encodings, non-canonical integers, LZF, binary.
rc set str:raw "hello world" >/dev/null
rc set str:empty "" >/dev/null
for v in 0 12 -100 127 -128 1000 -32768 32767 70000 -2147483648 2147483647 \
	2147483648 9223372036854775807 -9223372036854775808 007 +5 -0 1.5; do
	rc set "str:int:$v" "$v" >/dev/null
done
rc eval 'redis.call("SET", KEYS[1], string.rep("a", 21))
	redis.call("SET", KEYS[2], string.rep("abcdefgh", 500))
	redis.call("SET", KEYS[3], string.rep("kevy-redis-", 10000))
	redis.call("SET", KEYS[4], string.char(0, 1, 255, 13, 10, 0))
	local s = {}
	for i = 1, 300 do s[i] = string.char((i * 7919) % 256) end
	redis.call("SET", KEYS[5], table.concat(s))' \
	5 str:lzf:short str:lzf str:lzf:big str:binary str:incompressible >/dev/null
rc pfadd hll a b c d e >/dev/null
rc set str:expire "expires in 2100" pxat "$far" >/dev/null

# Lists: listpack integers and strings of every width, many nodes, plain nodes.
rc eval 'local vals = {"a", "", "0", "12", "127", "128", "-1", "-4096", "4095",
		"-4097", "4096", "32767", "-32768", "32768", "8388607", "-8388608",
		"8388608", "2147483647", "-2147483648", "2147483648",
		"9223372036854775807", "-9223372036854775808", "1.5", "007",
		string.rep("x", 63), string.rep("y", 64), string.rep("z", 4095),
		string.rep("w", 4096), string.rep("v", 5000)}
	for _, v in ipairs(vals) do redis.call("RPUSH", KEYS[1], v) end
	for i = 1, 3000 do redis.call("RPUSH", KEYS[2], "i" .. i) end
	redis.call("RPUSH", KEYS[3], "head", string.rep("p", 7000), "tail")
	redis.call("RPUSH", KEYS[4], "x", "y")
	redis.call("PEXPIREAT", KEYS[4], ARGV[1])' \
	4 list:small list:big list:plain list:expire "$far" >/dev/null

# Sets: intsets of each width, hashtables of strings and of many integers.
rc sadd set:int16 3 1 2 -5 >/dev/null
rc sadd set:int32 1 100000 -100000 >/dev/null
rc sadd set:int64 1 9223372036854775807 -9223372036854775808 >/dev/null
rc sadd set:str a b c "" >/dev/null
rc eval 'for i = 1, 600 do redis.call("SADD", KEYS[1], i * 3) end
	redis.call("SADD", KEYS[2], "1", "2", "three")
	redis.call("PEXPIREAT", KEYS[2], ARGV[1])' 2 set:big set:mixed "$far" >/dev/null

# Hashes: listpack and hashtable.
rc hset hash:small f1 v1 f2 2 f3 -3 "" empty >/dev/null
rc eval 'for i = 1, 600 do redis.call("HSET", KEYS[1], "field" .. i, i) end
	redis.call("HSET", KEYS[2], "long", string.rep("L", 100), "n", "1")
	redis.call("HSET", KEYS[3], "a", "1")
	redis.call("PEXPIREAT", KEYS[3], ARGV[1])' \
	3 hash:big hash:longval hash:expire "$far" >/dev/null

# Sorted sets: listpack (integer and text scores) and skiplist.
rc zadd zset:small 1 one 1.5 onehalf -2.25 neg 0 zero inf pinf -inf ninf \
	1e300 huge 3.141592653589793 pi 100000 big >/dev/null
rc eval 'for i = 1, 200 do redis.call("ZADD", KEYS[1], i / 4, "m" .. i) end
	redis.call("ZADD", KEYS[2], "inf", string.rep("M", 100), "-inf", "low", "0.1", "tenth")
	redis.call("ZADD", KEYS[3], 5, "a")
	redis.call("PEXPIREAT", KEYS[3], ARGV[1])' \
	3 zset:big zset:longmember zset:expire "$far" >/dev/null

# Other databases.
rc -n 1 set db1:str "in db 1" >/dev/null
rc -n 1 rpush db1:list a b >/dev/null
rc -n 15 set db15:str "in db 15" pxat "$far" >/dev/null

# A function library (FUNCTION2 opcode).
rc function load "#!lua name=kevylib
redis.register_function('kevyfn', function(keys, args) return 1 end)" >/dev/null

: >"$here/redis7.txt"
dumpdb "$here/redis7.txt" 0 1 15
save redis7.rdb
stop

# --- redis7-lfu.rdb: FREQ opcodes -------------------------------------------
start --maxmemory-policy allkeys-lfu
rc set lfu:a 1 >/dev/null
rc rpush lfu:b x y >/dev/null
for _ in $(seq 20); do rc get lfu:a >/dev/null; done
: >"$here/redis7-lfu.txt"
dumpdb "$here/redis7-lfu.txt" 0
save redis7-lfu.rdb
stop

# --- redis7-stream.rdb: a stream --------------------------------------------
start
rc xadd stream:s 1-1 field value >/dev/null
save redis7-stream.rdb
stop

ls -l "$here"
