package rdb

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// These tests check the codec against a real redis-server 7.0. They skip
// when it is not installed (and fail instead when CI=true).

// checkRedisHolds asserts that the server holds exactly entries.
func checkRedisHolds(t *testing.T, s *redisServer, entries []Entry) {
	t.Helper()
	perDB := make(map[int]int)
	for _, e := range entries {
		perDB[e.DB]++
	}
	for db, n := range perDB {
		s.must("SELECT", strconv.Itoa(db))
		if got := s.integer("DBSIZE"); got != int64(n) {
			t.Errorf("db %d: DBSIZE = %d, want %d", db, got, n)
		}
	}
	for _, e := range entries {
		s.must("SELECT", strconv.Itoa(e.DB))
		obj, exp := s.object(e.Key)
		if diff := sameObject(obj, e.Object); diff != "" {
			t.Errorf("db %d key %q: Redis has %s", e.DB, e.Key, diff)
		}
		if exp != e.ExpireAtMs {
			t.Errorf("db %d key %q: PEXPIRETIME = %d, want %d", e.DB, e.Key, exp, e.ExpireAtMs)
		}
		if e.ExpireAtMs != 0 {
			if ttl := s.integer("PTTL", e.Key); ttl <= 0 {
				t.Errorf("db %d key %q: PTTL = %d, want > 0", e.DB, e.Key, ttl)
			}
		}
	}
}

func TestRedisLoadsWriterOutput(t *testing.T) {
	needRedis(t)
	dir := t.TempDir()
	entries := sampleEntries()
	if err := os.WriteFile(filepath.Join(dir, "kevy.rdb"), writeFile(t, 0, true, entries), 0o644); err != nil {
		t.Fatal(err)
	}
	// Deep sanitization makes Redis validate everything it loads.
	s := startRedis(t, dir, "kevy.rdb", "--sanitize-dump-payload", "yes")
	checkRedisHolds(t, s, entries)

	// Full circle: Redis saves what it loaded, in its own encodings, and
	// Reader must read back the same data.
	s.must("SAVE")
	f, err := os.Open(filepath.Join(dir, "kevy.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := NewReader(f)
	got := make(map[string]Entry)
	for {
		e, err := r.Next()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("reading Redis's SAVE: %v", err)
			}
			break
		}
		got[strconv.Itoa(e.DB)+"/"+e.Key] = e
	}
	if len(got) != len(entries) {
		t.Errorf("Redis's SAVE holds %d keys, want %d", len(got), len(entries))
	}
	for _, want := range entries {
		e, ok := got[strconv.Itoa(want.DB)+"/"+want.Key]
		if !ok {
			t.Errorf("Redis's SAVE lacks db %d key %q", want.DB, want.Key)
			continue
		}
		if diff := sameEntry(e, want); diff != "" {
			t.Errorf("Redis's SAVE, db %d key %q: %s", want.DB, want.Key, diff)
		}
	}
}

func TestRedisLoadsIdleAndFreq(t *testing.T) {
	needRedis(t)
	tests := []struct {
		policy string
		entry  Entry
		check  []string // command whose integer reply is checked
		lo, hi int64
	}{
		{"allkeys-lru", Entry{Key: "k", HasLRUIdle: true, LRUIdle: 5000, Object: Object{Kind: KindString, Str: "v"}},
			[]string{"OBJECT", "IDLETIME", "k"}, 5000, 5100},
		{"allkeys-lfu", Entry{Key: "k", HasLFUFreq: true, LFUFreq: 200, Object: Object{Kind: KindString, Str: "v"}},
			[]string{"OBJECT", "FREQ", "k"}, 200, 200},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "kevy.rdb"), writeFile(t, 0, true, []Entry{tt.entry}), 0o644); err != nil {
			t.Fatal(err)
		}
		s := startRedis(t, dir, "kevy.rdb", "--maxmemory-policy", tt.policy)
		if got := s.integer(tt.check...); got < tt.lo || got > tt.hi {
			t.Errorf("%s: %s = %d, want %d..%d", tt.policy, strings.Join(tt.check, " "), got, tt.lo, tt.hi)
		}
	}
}

// fillRedis stores the database 0 entries through ordinary commands, so
// that Redis picks its own encodings.
func fillRedis(t *testing.T, s *redisServer, entries []Entry) []Entry {
	t.Helper()
	var stored []Entry
	for _, e := range entries {
		if e.DB != 0 {
			continue
		}
		k := e.Key
		o := &e.Object
		switch o.Kind {
		case KindString:
			s.must("SET", k, o.Str)
		case KindList:
			s.must(append([]string{"RPUSH", k}, o.List...)...)
		case KindSet:
			s.must(append([]string{"SADD", k}, o.Set...)...)
		case KindHash:
			s.must(append([]string{"HSET", k}, o.Hash...)...)
		case KindZSet:
			args := []string{"ZADD", k}
			for _, m := range o.ZSet {
				args = append(args, strconv.FormatFloat(m.Score, 'g', 17, 64), m.Member)
			}
			s.must(args...)
		}
		if e.ExpireAtMs != 0 {
			s.must("PEXPIREAT", k, strconv.FormatInt(e.ExpireAtMs, 10))
		}
		stored = append(stored, e)
	}
	return stored
}

func TestRedisDumpRoundTrip(t *testing.T) {
	s := startRedis(t, t.TempDir(), "none.rdb")
	// List elements of 60000 bytes or more go to plain quicklist nodes.
	s.must("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "60000")
	stored := fillRedis(t, s, sampleEntries())
	types := make(map[byte]bool)
	plainNodes := false
	for _, e := range stored {
		payload, ok := s.must("DUMP", e.Key).(string)
		if !ok {
			t.Fatalf("DUMP %q did not return a string", e.Key)
		}
		types[payload[0]] = true
		plainNodes = plainNodes || hasPlainNode(payload)
		obj, err := DecodeDump(payload)
		if err != nil {
			t.Errorf("DecodeDump(DUMP %q) error: %v", e.Key, err)
			continue
		}
		if diff := sameObject(obj, e.Object); diff != "" {
			t.Errorf("DecodeDump(DUMP %q) = %s", e.Key, diff)
		}
		restored := "restored:" + e.Key
		if _, err := s.do("RESTORE", restored, "0", EncodeDump(obj)); err != nil {
			t.Errorf("RESTORE %q EncodeDump(...): %v", restored, err)
			continue
		}
		got, _ := s.object(restored)
		if diff := sameObject(got, e.Object); diff != "" {
			t.Errorf("after RESTORE of EncodeDump, %q: %s", restored, diff)
		}
	}
	// The test is only as good as the encodings Redis chose.
	for _, want := range []byte{typeString, typeListQuicklist2, typeSetIntset, typeSet,
		typeHashListpack, typeHash, typeZSetListpack, typeZSet2} {
		if !types[want] {
			t.Errorf("no DUMP payload had RDB type %d", want)
		}
	}
	if !plainNodes {
		t.Error("no DUMP payload had a plain quicklist node")
	}
}

// hasPlainNode reports whether a DUMP payload is a RDB_TYPE_LIST_QUICKLIST_2
// with a plain node.
func hasPlainNode(payload string) bool {
	d := decoder{br: newTestReader(payload)}
	if t, err := d.readByte(); err != nil || t != typeListQuicklist2 {
		return false
	}
	nodes, err := d.readLen()
	for ; err == nil && nodes > 0; nodes-- {
		var container uint64
		if container, err = d.readLen(); container == quicklistPlain {
			return true
		}
		if err == nil {
			err = d.skipString()
		}
	}
	return false
}

// withFooter appends an RDB version and a correct CRC64 to body.
func withFooter(body string, version uint16) string {
	b := []byte(body)
	b = binary.LittleEndian.AppendUint16(b, version)
	return string(binary.LittleEndian.AppendUint64(b, crc64Update(0, b)))
}

// badPayloads are DUMP payloads RESTORE refuses or accepts for particular
// reasons; DecodeDump must agree with Redis on each.
func badPayloads() map[string]string {
	good := EncodeDump(Object{Kind: KindList, List: []string{"a", "b", "c"}})
	flipped := []byte(good)
	flipped[3] ^= 0x20
	return map[string]string{
		"empty":              "",
		"nine bytes":         good[:9],
		"flipped bit":        string(flipped),
		"bad checksum":       good[:len(good)-1] + "\x00",
		"version 12":         withFooter(good[:len(good)-10], 12),
		"version 10":         withFooter(good[:len(good)-10], 10),
		"truncated body":     withFooter("\x01\x03\x01a", 10),
		"empty set":          withFooter("\x02\x00", 10),
		"empty list":         withFooter("\x01\x00", 10),
		"unknown type":       withFooter("\x63\x00", 10),
		"stream":             withFooter("\x0f\x00", 10),
		"duplicate member":   withFooter("\x02\x02\x01a\x01a", 10),
		"duplicate field":    withFooter("\x04\x02\x01f\x01v\x01f\x01w", 10),
		"NaN score":          withFooter("\x03\x01\x01m\xfd", 10),
		"bad listpack":       withFooter("\x10\x07\x07\x00\x00\x00\x00\x00\xff", 10),
		"bad intset":         withFooter("\x0b\x08\x03\x00\x00\x00\x00\x00\x00\x00", 10),
		"trailing bytes":     withFooter("\x00\x01a\x01b", 10),
		"bad LZF":            withFooter("\x00\xc3\x02\x05\x01a", 10),
		"integer string":     withFooter("\x00\xc1\x00\x80", 10),
		"string score":       withFooter("\x03\x01\x01m\x031.5", 10),
		"odd listpack hash":  withFooter("\x10"+rstr(lpBlob("f", "v", "g")), 10),
		"zipmap":             withFooter("\x09"+rstr(zipmapBlob("f", "v")), 10),
		"ziplist quicklist":  withFooter("\x0e\x01"+rstr(zlBlob("a", "7")), 10),
		"quicklist2 plain":   withFooter("\x12\x01\x01\x01x", 10),
		"quicklist2 bad box": withFooter("\x12\x01\x03\x01x", 10),
	}
}

// TestDecodeDumpAgreesWithRedis compares DecodeDump with RESTORE under
// sanitize-dump-payload yes: like that mode, DecodeDump refuses duplicate
// fields and malformed listpacks that Redis's default mode lets through.
func TestDecodeDumpAgreesWithRedis(t *testing.T) {
	s := startRedis(t, t.TempDir(), "none.rdb", "--sanitize-dump-payload", "yes")
	for name, payload := range badPayloads() {
		_, redisErr := s.do("RESTORE", "k", "0", payload, "REPLACE")
		_, err := DecodeDump(payload)
		if (redisErr == nil) != (err == nil) || (err != nil && err.Error() != redisErr.Error()) {
			t.Errorf("%s: DecodeDump error = %v, Redis's RESTORE error = %v", name, err, redisErr)
		}
	}
	s.must("DEL", "k")
	// Redis 7.0 itself refuses payloads from 7.2 (version 11); DecodeDump
	// accepts them, for the set listpack they may contain.
	if _, err := DecodeDump(withFooter("\x14"+rstr(lpBlob("a", "b")), 11)); err != nil {
		t.Errorf("DecodeDump(version 11 set listpack) error: %v", err)
	}
	if _, err := s.do("RESTORE", "k", "0", withFooter("\x00\x01a", 11)); err == nil || err.Error() != ErrDumpPayload.Error() {
		t.Errorf("Redis RESTORE of a version 11 payload: error %v, want %v", err, ErrDumpPayload)
	}
}
