// Package rdb reads and writes Redis RDB files and DUMP payloads.
//
// The package is a leaf codec with its own neutral value model: an Object is
// a string, list, set, hash or sorted set held in plain Go slices, and an
// Entry is a key with its object, database number and expiry. Callers convert
// to and from their own containers.
//
// Reader loads every encoding Redis 7.0 writes or loads (raw, integer and
// LZF strings; plain lists, sets, hashes and sorted sets; zipmap, ziplist,
// intset and listpack blobs; quicklists with ziplist or listpack nodes) plus
// the 7.2 set listpack, and checks the CRC64 trailer. Writer produces files
// that Redis 7.0 loads: strings use Redis's integer and LZF encodings, and
// collections use the plain RDB types, which Redis converts to its compact
// encodings as it loads them. EncodeDump and DecodeDump handle the payloads
// of the DUMP and RESTORE commands.
//
// Input is never trusted: malformed data yields an error naming the byte
// offset, never a panic, and no buffer is sized from a length field before
// the bytes it describes have arrived.
package rdb

import "strconv"

// DefaultVersion is the RDB format version Writer uses when asked for
// version 0. It is the version Redis 7.0 writes and the highest it loads.
const DefaultVersion = 10

// MinWriteVersion is the oldest RDB version Writer can produce: version 8
// introduced the binary sorted set scores Writer uses.
const MinWriteVersion = 8

// MaxVersion is the newest RDB version Reader and DecodeDump accept. Redis
// 7.0 itself stops at version 10; version 11 (Redis 7.2) only adds the set
// listpack and a stream layout, so accepting it costs nothing.
const MaxVersion = 11

// Kind is the type of a Redis value.
type Kind uint8

// The kinds of value an Object can hold.
const (
	KindString Kind = iota
	KindList
	KindSet
	KindHash
	KindZSet
)

// String returns the name Redis's TYPE command uses for the kind.
func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindList:
		return "list"
	case KindSet:
		return "set"
	case KindHash:
		return "hash"
	case KindZSet:
		return "zset"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// ZMember is one member of a sorted set and its score.
type ZMember struct {
	Member string
	Score  float64
}

// Object is a Redis value. Only the field matching Kind is used.
//
// Objects returned by Reader and DecodeDump never hold an empty collection
// and never repeat a set member, hash field or sorted set member. Sorted set
// scores are never NaN.
type Object struct {
	Kind Kind
	Str  string    // KindString; HyperLogLogs are strings too
	List []string  // KindList, head first
	Set  []string  // KindSet members, in no particular order
	Hash []string  // KindHash as field, value, field, value...
	ZSet []ZMember // KindZSet members, in no particular order
}

// Len returns the number of elements of a collection, or 1 for a string.
func (o *Object) Len() int {
	switch o.Kind {
	case KindList:
		return len(o.List)
	case KindSet:
		return len(o.Set)
	case KindHash:
		return len(o.Hash) / 2
	case KindZSet:
		return len(o.ZSet)
	}
	return 1
}

// Entry is one key of a snapshot.
type Entry struct {
	DB     int    // database number; kevy serves only database 0
	Key    string // the key name
	Object Object // the value

	// ExpireAtMs is the absolute expiry in Unix milliseconds, 0 for none.
	// Reader reports a stored expiry at or before the epoch as 1, so such
	// a key still reads as long expired rather than persistent.
	ExpireAtMs int64

	// LRUIdle is the LRU idle time in seconds, valid when HasLRUIdle is
	// set. Redis stores it when its eviction policy is an LRU one.
	LRUIdle    uint64
	HasLRUIdle bool

	// LFUFreq is the LFU access counter, valid when HasLFUFreq is set.
	// Redis stores it when its eviction policy is an LFU one.
	LFUFreq    uint8
	HasLFUFreq bool
}

// Opcodes that can appear where an object type byte is expected.
const (
	opFunctionPreGA = 246 // function library of 7.0 release candidates
	opFunction2     = 245 // function library
	opModuleAux     = 247 // module auxiliary data
	opIdle          = 248 // LRU idle time of the next key
	opFreq          = 249 // LFU frequency of the next key
	opAux           = 250 // auxiliary field
	opResizeDB      = 251 // hash table size hints
	opExpireTimeMs  = 252 // expiry of the next key, ms
	opExpireTime    = 253 // expiry of the next key, seconds
	opSelectDB      = 254 // database number of the following keys
	opEOF           = 255 // end of file, checksum follows
)

// Object type bytes.
const (
	typeString            = 0
	typeList              = 1
	typeSet               = 2
	typeZSet              = 3
	typeHash              = 4
	typeZSet2             = 5
	typeModulePreGA       = 6
	typeModule2           = 7
	typeHashZipmap        = 9
	typeListZiplist       = 10
	typeSetIntset         = 11
	typeZSetZiplist       = 12
	typeHashZiplist       = 13
	typeListQuicklist     = 14
	typeStreamListpacks   = 15
	typeHashListpack      = 16
	typeZSetListpack      = 17
	typeListQuicklist2    = 18
	typeStreamListpacks2  = 19
	typeSetListpack       = 20
	typeStreamListpacks3  = 21
	typeHashMetadataPreGA = 22
	typeHashListpackExPre = 23
	typeHashMetadata      = 24
	typeHashListpackEx    = 25
)

// Quicklist node containers in RDB_TYPE_LIST_QUICKLIST_2.
const (
	quicklistPlain  = 1
	quicklistPacked = 2
)

// unsupportedTypeName describes the known object types this package cannot
// represent, for error messages; it returns "" for unknown types.
func unsupportedTypeName(t byte) string {
	switch t {
	case typeStreamListpacks, typeStreamListpacks2, typeStreamListpacks3:
		return "stream"
	case typeModulePreGA, typeModule2:
		return "module"
	case typeHashMetadataPreGA, typeHashListpackExPre, typeHashMetadata, typeHashListpackEx:
		return "hash with field expiry"
	}
	return ""
}
