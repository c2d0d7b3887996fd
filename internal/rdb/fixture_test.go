package rdb

import (
	"bufio"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// listedKey is one line of a testdata/*.txt listing written by gen.sh.
type listedKey struct {
	db       int
	key      string
	kind     string
	encoding string
	expireAt int64 // PEXPIRETIME: -1 for none
	items    []string
}

func readListing(t *testing.T, name string) []listedKey {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var keys []listedKey
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if sc.Text() == "" {
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 6 {
			t.Fatalf("%s: line %q has %d columns, want 6", name, sc.Text(), len(cols))
		}
		k := listedKey{kind: cols[2], encoding: cols[3], items: strings.Split(cols[5], " ")}
		var err1, err2, err3 error
		k.db, err1 = strconv.Atoi(cols[0])
		key, err2 := hex.DecodeString(cols[1])
		k.key = string(key)
		k.expireAt, err3 = strconv.ParseInt(cols[4], 10, 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatalf("%s: line %q: %v", name, sc.Text(), err)
		}
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// listingForm is how gen.sh writes a value: hex, or "sha1:<len>:<sha1>"
// above 256 bytes.
func listingForm(s string) string {
	if len(s) > 256 {
		return fmt.Sprintf("sha1:%d:%x", len(s), sha1.Sum([]byte(s)))
	}
	return hex.EncodeToString([]byte(s))
}

// listingText decodes a value the listing shows in hex (scores).
func listingText(t *testing.T, item string) string {
	t.Helper()
	b, err := hex.DecodeString(item)
	if err != nil {
		t.Fatalf("listing item %q: %v", item, err)
	}
	return string(b)
}

// readAll reads every entry of an RDB file.
func readAll(t *testing.T, name string) (*Reader, []Entry) {
	r, entries, _ := readAllTypes(t, name)
	return r, entries
}

// readAllTypes reads every entry of an RDB file and the set of RDB types
// the entries were stored with.
func readAllTypes(t *testing.T, name string) (*Reader, []Entry, map[byte]bool) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := NewReader(f)
	var entries []Entry
	types := make(map[byte]bool)
	for {
		e, err := r.Next()
		if err == io.EOF {
			return r, entries, types
		}
		if err != nil {
			t.Fatalf("%s: Next after %d entries: %v", name, len(entries), err)
		}
		entries = append(entries, e)
		types[r.lastType] = true
	}
}

// compareWithListing checks that entries hold exactly the listed keys.
func compareWithListing(t *testing.T, entries []Entry, listing []listedKey) {
	t.Helper()
	type dbKey struct {
		db  int
		key string
	}
	got := make(map[dbKey]Entry)
	for _, e := range entries {
		k := dbKey{e.DB, e.Key}
		if _, dup := got[k]; dup {
			t.Errorf("key %q of db %d read twice", e.Key, e.DB)
		}
		got[k] = e
	}
	if len(got) != len(listing) {
		t.Errorf("read %d keys, listing has %d", len(got), len(listing))
	}
	for _, want := range listing {
		e, ok := got[dbKey{want.db, want.key}]
		if !ok {
			t.Errorf("key %q of db %d missing", want.key, want.db)
			continue
		}
		if err := matchListed(t, e, want); err != nil {
			t.Errorf("key %q of db %d (%s, %s): %v", want.key, want.db, want.kind, want.encoding, err)
		}
	}
}

func matchListed(t *testing.T, e Entry, want listedKey) error {
	if got := e.Object.Kind.String(); got != want.kind {
		return fmt.Errorf("kind = %s, want %s", got, want.kind)
	}
	wantExpire := want.expireAt
	if wantExpire == -1 {
		wantExpire = 0
	}
	if e.ExpireAtMs != wantExpire {
		return fmt.Errorf("ExpireAtMs = %d, want %d", e.ExpireAtMs, wantExpire)
	}
	o := &e.Object
	switch o.Kind {
	case KindString:
		if got := listingForm(o.Str); len(want.items) != 1 || got != want.items[0] {
			return fmt.Errorf("value %s, want %v", got, want.items)
		}
	case KindList:
		if len(o.List) != len(want.items) {
			return fmt.Errorf("%d elements, want %d", len(o.List), len(want.items))
		}
		for i, s := range o.List {
			if got := listingForm(s); got != want.items[i] {
				return fmt.Errorf("element %d = %s, want %s", i, got, want.items[i])
			}
		}
	case KindSet:
		return sameMultiset(o.Set, want.items)
	case KindHash:
		return sameMultiset(o.Hash, want.items, 2)
	case KindZSet:
		if len(o.ZSet)*2 != len(want.items) {
			return fmt.Errorf("%d members, want %d", len(o.ZSet), len(want.items)/2)
		}
		scores := make(map[string]float64)
		for i := 0; i < len(want.items); i += 2 {
			text := listingText(t, want.items[i+1])
			f, err := strconv.ParseFloat(text, 64)
			if err != nil {
				return fmt.Errorf("listing score %q: %v", text, err)
			}
			scores[want.items[i]] = f
		}
		for _, m := range o.ZSet {
			f, ok := scores[listingForm(m.Member)]
			if !ok {
				return fmt.Errorf("unexpected member %q", m.Member)
			}
			if f != m.Score {
				return fmt.Errorf("score of %q = %v, want %v", m.Member, m.Score, f)
			}
		}
	}
	return nil
}

// sameMultiset compares got with the listing items, grouping stride
// consecutive elements (2 for hash field/value pairs) into one unit.
func sameMultiset(got, want []string, stride ...int) error {
	n := 1
	if len(stride) > 0 {
		n = stride[0]
	}
	if len(got) != len(want) {
		return fmt.Errorf("%d elements, want %d", len(got), len(want))
	}
	count := make(map[string]int)
	for i := 0; i+n <= len(want); i += n {
		count[strings.Join(want[i:i+n], " ")]++
	}
	for i := 0; i+n <= len(got); i += n {
		forms := make([]string, n)
		for j := range forms {
			forms[j] = listingForm(got[i+j])
		}
		k := strings.Join(forms, " ")
		if count[k] == 0 {
			return fmt.Errorf("unexpected element %q", got[i:i+n])
		}
		count[k]--
	}
	return nil
}

func TestReadRedis7Fixture(t *testing.T) {
	r, entries, types := readAllTypes(t, "redis7.rdb")
	listing := readListing(t, "redis7.txt")
	compareWithListing(t, entries, listing)

	if r.Version() != 10 {
		t.Errorf("Version() = %d, want 10", r.Version())
	}
	if got := r.Aux()["redis-ver"]; got != "7.0.15" {
		t.Errorf(`Aux()["redis-ver"] = %q, want "7.0.15"`, got)
	}
	if fns := r.Functions(); len(fns) != 1 || !strings.Contains(fns[0], "name=kevylib") {
		t.Errorf("Functions() = %q, want the kevylib library", fns)
	}
	if n := r.EmptyKeysSkipped(); n != 0 {
		t.Errorf("EmptyKeysSkipped() = %d, want 0", n)
	}
	// The fixture is only useful if it holds the encodings it claims to.
	for _, want := range []byte{typeString, typeListQuicklist2, typeSetIntset, typeSet,
		typeHashListpack, typeHash, typeZSetListpack, typeZSet2} {
		if !types[want] {
			t.Errorf("fixture has no value of RDB type %d", want)
		}
	}
	encodings := make(map[string]bool)
	for _, k := range listing {
		encodings[k.kind+"/"+k.encoding] = true
	}
	for _, want := range []string{"string/int", "string/embstr", "string/raw", "list/quicklist",
		"set/intset", "set/hashtable", "hash/listpack", "hash/hashtable", "zset/listpack", "zset/skiplist"} {
		if !encodings[want] {
			t.Errorf("fixture has no %s value", want)
		}
	}
}

func TestReadRedis7LFUFixture(t *testing.T) {
	_, entries := readAll(t, "redis7-lfu.rdb")
	compareWithListing(t, entries, readListing(t, "redis7-lfu.txt"))
	for _, e := range entries {
		if !e.HasLFUFreq || e.HasLRUIdle {
			t.Errorf("key %q: HasLFUFreq = %v, HasLRUIdle = %v, want true, false", e.Key, e.HasLFUFreq, e.HasLRUIdle)
		}
	}
}

func TestReadRedis7StreamFixture(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "redis7-stream.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := NewReader(f)
	_, err = r.Next()
	const want = "unsupported RDB type 19 (stream)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Next() error = %v, want one containing %q", err, want)
	}
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Offset <= 9 {
		t.Errorf("Next() error = %#v, want a *FormatError with the type byte's offset", err)
	}
	if _, again := r.Next(); again != err {
		t.Errorf("second Next() error = %v, want the same error %v", again, err)
	}
}
