#!/usr/bin/env bash
# Compares kevy's RESP server with redis-server on this machine:
#
#   redis-benchmark -t set,get,incr,lpush,lpop,sadd,zadd,hset -n N -c 50
#
# with -P 1 and -P 16 against kevy and redis-server, each started fresh on
# a free loopback port with persistence off, and prints requests/s, p99
# latency and kevy/Redis ratios per test; then resident memory after loading
# 1,000,000 keys with 16-byte values (redis-cli --pipe), and as many
# elements into lists, hashes, sets and sorted sets, with their ratios.
#
# The machines we measure on are shared and drift by 10-20 % within
# minutes, so the comparison runs in rounds (-r, default 3): each round runs
# both servers one after the other, kevy first in odd rounds and Redis first
# in even ones, and the tables show each figure's median over the rounds
# and the range of the per-round throughput ratios.
#
# Usage: server/bench/redis-benchmark.sh [-n requests] [-c clients] [-r rounds] [-m elements] [-- kevy options]
#   e.g. server/bench/redis-benchmark.sh -n 100000 -r 1 -- --shards 4
#   -r 0 skips the throughput tests, -m 0 the memory ones.
# Needs go, redis-server, redis-benchmark and redis-cli (Debian: redis-server).
# KEVY_BIN=path uses an already built kevy instead of building ./cmd/kevy.
set -euo pipefail
cd "$(dirname "$0")/../.."

N=1000000
CLIENTS=50
ROUNDS=3
TESTS=set,get,incr,lpush,lpop,sadd,zadd,hset
MEMKEYS=1000000
while [ $# -gt 0 ]; do
	case "$1" in
	-n) N=$2; shift 2 ;;
	-c) CLIENTS=$2; shift 2 ;;
	-r) ROUNDS=$2; shift 2 ;;
	-m) MEMKEYS=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "unknown argument $1" >&2; exit 2 ;;
	esac
done
KEVY_ARGS=("$@")

for tool in go redis-server redis-benchmark redis-cli; do
	command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 1; }
done

work=$(mktemp -d)
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${KEVY_BIN:-}" ]; then
	cp "$KEVY_BIN" "$work/kevy"
else
	go build -o "$work/kevy" ./cmd/kevy
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start NAME: starts kevy or redis-server, sets pid and port.
start() {
	port=$(free_port)
	if [ "$1" = kevy ]; then
		"$work/kevy" --port "$port" --bind 127.0.0.1 --dir "$work" --save "" --appendonly no --loglevel warning "${KEVY_ARGS[@]}" >"$work/kevy.log" 2>&1 &
	else
		redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
			--dir "$work" --loglevel warning >"$work/redis.log" 2>&1 &
	fi
	pid=$!
	for _ in $(seq 100); do
		redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "$1 did not start" >&2
	exit 1
}

stop() {
	redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
	wait "$pid" 2>/dev/null || true
	pid=""
}

# bench NAME PIPELINE: appends CSV lines "TEST,rps,p99" to $work/NAME-PIPELINE.
bench() {
	start "$1"
	redis-benchmark -p "$port" -n "$N" -c "$CLIENTS" -P "$2" -t "$TESTS" --csv 2>/dev/null |
		tr -d '"' | awk -F, 'NR > 1 { print $1 "," $2 "," $7 }' >>"$work/$1-$2"
	stop
}

# gen KIND N: the commands that load the data set KIND with N elements.
gen() {
	awk -v kind="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) {
		m = "member:" sprintf("%012d", i); v = sprintf("%016d", i)
		if (kind == "strings") cmd(3, "SET", "key:" sprintf("%012d", i), v)
		else if (kind == "lists") cmd(3, "RPUSH", "list:" (i % 100), v)
		else if (kind == "hashes") cmd(4, "HSET", "hash:" (i % 1000), m, v)
		else if (kind == "small-hashes") cmd(4, "HSET", "user:" int(i / 10), "field" (i % 10), v)
		else if (kind == "sets") cmd(3, "SADD", "set:" (i % 1000), m)
		else if (kind == "zsets") cmd(4, "ZADD", "zset:" (i % 1000), i, m)
	} }
	function cmd(argc, a, b, c, d) {
		printf "*%d\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", argc, length(a), a, length(b), b, length(c), c
		if (argc == 4) printf "$%d\r\n%s\r\n", length(d), d
	}'
}

# DATASETS are the data sets whose memory is compared: strings is the
# issue's 1,000,000 SETs of 16-byte values; lists spreads the elements over
# 100 lists, hashes, sets and sorted sets over 1,000 keys (hashtable and
# skiplist encodings), small-hashes puts 10 fields in each hash (listpack).
DATASETS="strings lists hashes small-hashes sets zsets"

# rss NAME KIND: resident memory (kB) after loading MEMKEYS elements of KIND
# and a MEMORY PURGE (kevy: a collection that returns free memory to the
# system; Redis: jemalloc's purge), so that the figure is what the data
# holds rather than where the collector's cycle happened to be.
rss() {
	start "$1"
	gen "$2" "$MEMKEYS" | redis-cli -p "$port" --pipe >/dev/null
	redis-cli -p "$port" memory purge >/dev/null
	sleep 1
	grep VmRSS "/proc/$pid/status" | awk '{ print $2 }'
	stop
}

echo "redis-benchmark -t $TESTS -n $N -c $CLIENTS; $ROUNDS rounds; kevy ${KEVY_ARGS[*]:-(defaults)}; $(redis-server --version | cut -d' ' -f3)"
for P in 1 16; do
	[ "$ROUNDS" -gt 0 ] || break
	for r in $(seq "$ROUNDS"); do
		if [ $((r % 2)) -eq 1 ]; then
			bench kevy "$P"; bench redis "$P"
		else
			bench redis "$P"; bench kevy "$P"
		fi
	done
	echo
	echo "-P $P (medians of $ROUNDS rounds)"
	printf '%-8s %10s %10s %6s %12s %9s %9s %6s\n' test kevy_rps redis_rps ratio ratio_range kevy_p99 redis_p99 ratio
	# Line i of each file is round (i-1)/8+1's result of one test; pair
	# kevy's and Redis's lines of the same test and round.
	paste -d, "$work/kevy-$P" "$work/redis-$P" | awk -F, '
		function median(list,   a, n, i, j, t) {
			n = split(list, a, " ")
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
			return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
		}
		$1 != $4 { print "mismatched tests: " $1 " " $4 > "/dev/stderr"; exit 1 }
		{
			if (!($1 in kr)) order[++n] = $1
			kr[$1] = kr[$1] " " $2; rr[$1] = rr[$1] " " $5
			kp[$1] = kp[$1] " " $3; rp[$1] = rp[$1] " " $6
			q = $2 / $5
			if (!($1 in lo) || q < lo[$1]) lo[$1] = q
			if (!($1 in hi) || q > hi[$1]) hi[$1] = q
		}
		END {
			for (i = 1; i <= n; i++) {
				t = order[i]; k = median(kr[t]); r = median(rr[t]); a = median(kp[t]); b = median(rp[t])
				printf "%-8s %10.0f %10.0f %5.2fx %5.2f-%4.2fx %7.3fms %7.3fms %5.2fx\n", t, k, r, k/r, lo[t], hi[t], a, b, (b > 0 ? a/b : 0)
			}
		}'
done

if [ "$MEMKEYS" -gt 0 ]; then
	echo
	echo "RSS after loading $MEMKEYS elements (16-byte values, 19-byte members and fields)"
	printf '%-13s %9s %9s %6s\n' data_set kevy_MB redis_MB ratio
	for d in $DATASETS; do
		k=$(rss kevy "$d")
		r=$(rss redis "$d")
		awk -v d="$d" -v k="$k" -v r="$r" 'BEGIN { printf "%-13s %9.1f %9.1f %5.2fx\n", d, k/1024, r/1024, k/r }'
	done
fi
