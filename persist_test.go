package kevy

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestPersistenceRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		shards int
		fsync  FsyncPolicy
		step   func(*Store) error
	}{
		{"log only", 1, FsyncEverySec, nil},
		{"always, 4 shards", 4, FsyncAlways, nil},
		{"snapshot", 4, FsyncNo, func(s *Store) error { _, err := s.SaveSnapshot(); return err }},
		{"rewrite", 1, FsyncEverySec, func(s *Store) error { _, err := s.RewriteAOF(); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			o := &Options{Shards: tc.shards, Dir: dir, AppendFsync: tc.fsync}
			s, err := Open(o)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 200; i++ {
				s.Set(fmt.Sprint("s", i), fmt.Sprint(i))
				s.RPush("list", fmt.Sprint(i))
			}
			s.SetWithTTL("ttl", "v", time.Hour)
			s.HSet("h", "f", "v")
			s.ZAdd("z", Z{1.5, "a"})
			s.SAdd("set", "x", "y")
			if tc.step != nil {
				if err := tc.step(s); err != nil {
					t.Fatal(err)
				}
			}
			s.RPush("list", "after")
			s.Incr("s0")
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			r, err := Open(o)
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			defer r.Close()
			if n, _ := r.DBSize(); n != 205 {
				t.Errorf("DBSize after reopen = %d, want 205", n)
			}
			l, _ := r.Do("LRANGE", "list", "0", "-1")
			got, _ := l.Strings()
			if len(got) != 201 || got[0] != "0" || got[199] != "199" || got[200] != "after" {
				t.Errorf("list after reopen has %d elements (%q...), want 0..199 then after, nothing twice", len(got), got[:min(3, len(got))])
			}
			if v, _ := r.Get("s0"); v != "1" {
				t.Errorf("Get(s0) = %q, want 1", v)
			}
			if ms, _ := r.PTTL("ttl"); ms <= 0 || ms > 3600_000 {
				t.Errorf("PTTL(ttl) = %d after reopen, want the remaining hour (absolute deadline)", ms)
			}
			ms, _ := r.SMembers("set")
			slices.Sort(ms)
			if !slices.Equal(ms, []string{"x", "y"}) {
				t.Errorf("SMembers = %q", ms)
			}
			if st := r.LoadStats(); st.Keys != 205 {
				t.Errorf("LoadStats = %+v, want 205 keys", st)
			}
		})
	}
}

func TestPersistenceOneOwner(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(&Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(&Options{Dir: dir}); err == nil {
		t.Fatal("a second Open of the same directory succeeded")
	}
}

func TestPersistenceWithoutDir(t *testing.T) {
	s := open(t, nil)
	if ok, err := s.SaveSnapshot(); ok || err != nil {
		t.Errorf("SaveSnapshot without Dir = %v, %v; want false, nil", ok, err)
	}
	if err := s.Log("SET", "k", "v"); err != nil {
		t.Errorf("Log without Dir: %v", err)
	}
}

func TestLogAppliesOnReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(&Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Log("SET", "raw", "logged"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	r, err := Open(&Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if v, _ := r.Get("raw"); v != "logged" {
		t.Errorf("Get(raw) after reopen = %q, want the logged value", v)
	}
}
