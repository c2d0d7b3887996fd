package rdb

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// checkInvariants reports how an object read from outside breaks the
// promises of Object's documentation, or "".
func checkInvariants(o *Object) string {
	if err := validateObject(o); err != nil {
		return err.Error()
	}
	switch o.Kind {
	case KindSet:
		if dup, ok := firstDuplicate(o.Set, 1); ok {
			return "duplicate set member " + dup
		}
	case KindHash:
		if dup, ok := firstDuplicate(o.Hash, 2); ok {
			return "duplicate hash field " + dup
		}
	case KindZSet:
		seen := make(map[string]bool)
		for _, m := range o.ZSet {
			if seen[m.Member] || math.IsNaN(m.Score) {
				return "bad sorted set member " + m.Member
			}
			seen[m.Member] = true
		}
	}
	return ""
}

func FuzzReader(f *testing.F) {
	small := writeFile(f, 0, true, []Entry{
		{Key: "s", ExpireAtMs: farFuture, Object: Object{Kind: KindString, Str: "hello hello hello hello hello"}},
		{Key: "l", Object: Object{Kind: KindList, List: []string{"a", "1"}}},
		{DB: 1, Key: "h", Object: Object{Kind: KindHash, Hash: []string{"f", "v"}}},
		{Key: "z", Object: Object{Kind: KindZSet, ZSet: []ZMember{{"m", 1.5}}}},
		{Key: "set", HasLFUFreq: true, LFUFreq: 3, Object: Object{Kind: KindSet, Set: []string{"x", "7"}}},
	})
	f.Add(small)
	f.Add(small[:len(small)/2])
	flipped := bytes.Clone(small)
	flipped[20] ^= 0x10
	f.Add(flipped)
	zl, _ := ziplistEntries()
	f.Add(zl)
	// Redis's DUMP payloads as keys of a file: listpacks and intsets.
	for _, d := range redisDumps {
		p, _ := hex.DecodeString(d.hex)
		f.Add(rdbFile(10, string(p[:1])+rstr("k")+string(p[1:len(p)-10])))
	}
	// Small Redis files only: minimizing inputs as big as redis7.rdb takes
	// the fuzzer longer than a short run lasts.
	for _, name := range []string{"redis7-lfu.rdb", "redis7-stream.rdb"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzReadOnce(t, data)
		if len(data) >= 17 {
			// A zero checksum is not checked, which lets mutated files
			// reach the end.
			z := bytes.Clone(data)
			clear(z[len(z)-8:])
			fuzzReadOnce(t, z)
		}
	})
}

// fuzzReadOnce reads data; whatever it reads must be valid and must survive
// a trip through Writer and Reader unchanged.
func fuzzReadOnce(t *testing.T, data []byte) {
	_, entries, err := readBytes(data)
	for _, e := range entries {
		if msg := checkInvariants(&e.Object); msg != "" {
			t.Fatalf("key %q: %s", e.Key, msg)
		}
	}
	if err != nil {
		return
	}
	again := writeFile(t, 0, true, entries)
	_, got, err := readBytes(again)
	if err != nil || len(got) != len(entries) {
		t.Fatalf("rewritten file: %d entries, %v; want %d", len(got), err, len(entries))
	}
	for i := range entries {
		if diff := sameEntry(got[i], entries[i]); diff != "" {
			t.Fatalf("rewritten entry %q: %s", entries[i].Key, diff)
		}
	}
}

func FuzzDecodeDump(f *testing.F) {
	for _, d := range redisDumps {
		p, _ := hex.DecodeString(d.hex)
		f.Add(string(p))
		f.Add(string(p[:len(p)-10]))
	}
	for _, p := range badPayloads() {
		f.Add(p)
	}
	f.Add(EncodeDump(Object{Kind: KindZSet, ZSet: []ZMember{{"a", 1}, {"b", math.Inf(-1)}}}))
	f.Fuzz(func(t *testing.T, p string) {
		// As given, and with a valid footer so that the object decoder is
		// reached.
		for _, payload := range []string{p, withFooter(p, DefaultVersion)} {
			obj, err := DecodeDump(payload)
			if err != nil {
				if !errors.Is(err, ErrDumpPayload) && !errors.Is(err, ErrBadDataFormat) {
					t.Fatalf("DecodeDump error %v is not one of Redis's", err)
				}
				continue
			}
			if msg := checkInvariants(&obj); msg != "" {
				t.Fatal(msg)
			}
			again, err := DecodeDump(EncodeDump(obj))
			if err != nil {
				t.Fatalf("DecodeDump(EncodeDump(decoded)) error: %v", err)
			}
			if diff := sameObject(again, obj); diff != "" {
				t.Fatalf("DecodeDump(EncodeDump(decoded)) = %s", diff)
			}
		}
	})
}
