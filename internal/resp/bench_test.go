package resp

import (
	"testing"
)

// loopReader serves the same bytes over and over.
type loopReader struct {
	data []byte
	pos  int
}

func (l *loopReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], l.data[l.pos:])
		n += c
		l.pos = (l.pos + c) % len(l.data)
	}
	return n, nil
}

func benchmarkRead(b *testing.B, request []byte, read func(r *Reader) error) {
	b.ReportAllocs()
	b.SetBytes(int64(len(request)))
	r := NewReader(&loopReader{data: request})
	for i := 0; i < b.N; i++ {
		if err := read(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadCommand(b *testing.B) {
	multibulk := AppendCommand(nil, "SET", "user:1000:name", "some reasonably sized value")
	inline := []byte("SET user:1000:name \"some reasonably sized value\"\r\n")
	b.Run("multibulk", func(b *testing.B) {
		benchmarkRead(b, multibulk, func(r *Reader) error { _, err := r.ReadCommand(); return err })
	})
	b.Run("multibulk-into", func(b *testing.B) {
		args := make([]string, 0, 8)
		benchmarkRead(b, multibulk, func(r *Reader) (err error) { args, err = r.ReadCommandInto(args); return err })
	})
	b.Run("multibulk-borrowed", func(b *testing.B) {
		args := make([]string, 0, 8)
		r := NewReader(&loopReader{data: multibulk})
		r.Borrow = func([]byte) bool { return true }
		b.ReportAllocs()
		b.SetBytes(int64(len(multibulk)))
		for b.Loop() {
			var err error
			if args, err = r.ReadCommandInto(args); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("inline", func(b *testing.B) {
		benchmarkRead(b, inline, func(r *Reader) error { _, err := r.ReadCommand(); return err })
	})
	b.Run("strict", func(b *testing.B) {
		benchmarkRead(b, multibulk, func(r *Reader) error { _, err := r.ReadStrictCommand(); return err })
	})
}

func BenchmarkReadValue(b *testing.B) {
	var reply []byte
	reply = AppendArrayLen(reply, 3)
	reply = AppendBulk(reply, "member")
	reply = AppendInt(reply, 42)
	reply = AppendSimple(reply, "OK")
	benchmarkRead(b, reply, func(r *Reader) error { _, err := r.ReadValue(); return err })
}

func BenchmarkAppendCommand(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 256)
	args := []string{"SET", "user:1000:name", "some reasonably sized value"}
	for i := 0; i < b.N; i++ {
		buf = AppendCommand(buf[:0], args...)
	}
}
