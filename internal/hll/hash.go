package hll

import "math/bits"

// hashSeed is the seed Redis passes to MurmurHash64A for HyperLogLog
// elements.
const hashSeed = 0xadc83b19

// murmur64A is MurmurHash2, 64-bit version, reading the input as
// little-endian 64-bit words whatever the host byte order, as Redis does.
func murmur64A(key string) uint64 {
	const (
		m = 0xc6a4a7935bd1e995
		r = 47
	)
	n := len(key)
	h := uint64(hashSeed) ^ (uint64(n) * m)
	i := 0
	for ; i+8 <= n; i += 8 {
		k := uint64(key[i]) | uint64(key[i+1])<<8 | uint64(key[i+2])<<16 |
			uint64(key[i+3])<<24 | uint64(key[i+4])<<32 | uint64(key[i+5])<<40 |
			uint64(key[i+6])<<48 | uint64(key[i+7])<<56
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	if rest := n - i; rest > 0 {
		for j := rest - 1; j >= 0; j-- {
			h ^= uint64(key[i+j]) << (8 * j)
		}
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// patLen hashes an element and returns the register it selects (the low
// hllP bits of the hash) and the length of the "000...1" pattern in the
// remaining bits, counting the final 1, which is at most hllQ+1.
func patLen(elem string) (index int, count uint8) {
	h := murmur64A(elem)
	index = int(h & regMask)
	h >>= hllP
	h |= 1 << hllQ // make sure the count is at most hllQ+1
	return index, uint8(bits.TrailingZeros64(h) + 1)
}
