package engine

import (
	"math/bits"
	"strings"
)

// HashTag returns the part of key that decides its shard: the text between
// the first '{' and the next '}', when that is non-empty, else the whole key
// (Redis Cluster's hash-tag rule).
func HashTag(key string) string {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			return key[i+1 : i+1+j]
		}
	}
	return key
}

const (
	rk0 = 0x9e3779b97f4a7c15
	rk1 = 0xc2b2ae3d27d4eb4f
	rk2 = 0x165667b19e3779f9
)

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// RouteHash is kevy's stable key hash: the same in every process and on
// every platform, because persisted shards depend on it. It must never
// change; TestRouteHashStable freezes it.
func RouteHash(s string) uint64 {
	h := uint64(len(s)) * rk0
	for len(s) >= 8 {
		v := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = mix(h^v, rk1)
		s = s[8:]
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		v |= uint64(s[i]) << (8 * i)
	}
	h = mix(h^v^uint64(len(s))<<59, rk1)
	return mix(h, rk2)
}

// ShardIndex returns the shard of key among n shards.
func ShardIndex(key string, n int) int {
	if n <= 1 {
		return 0
	}
	hi, _ := bits.Mul64(RouteHash(HashTag(key)), uint64(n))
	return int(hi)
}
