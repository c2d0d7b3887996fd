package keyspace

import (
	"testing"
	"unsafe"
)

func TestEntrySize(t *testing.T) {
	if n := unsafe.Sizeof(Entry{}); n > 64 {
		t.Errorf("Entry is %d bytes; keep it within the 64-byte size class", n)
	}
}
