package engine

import "github.com/kevy-go/kevy/internal/resp"

// RESPWriter is a Writer that encodes replies as RESP2 or RESP3 into Buf,
// for the server and for tests that compare with real Redis.
type RESPWriter struct {
	Buf   []byte
	RESP3 bool
}

// WriteSimple writes a simple string.
func (w *RESPWriter) WriteSimple(s string) { w.Buf = resp.AppendSimple(w.Buf, s) }

// WriteError writes an error reply: the error's text when it starts with a
// Redis error code (an upper-case word), else "ERR " and the text.
func (w *RESPWriter) WriteError(err error) { w.Buf = resp.AppendError(w.Buf, ErrorText(err)) }

// WriteInt writes an integer.
func (w *RESPWriter) WriteInt(n int64) { w.Buf = resp.AppendInt(w.Buf, n) }

// WriteBulk writes a bulk string.
func (w *RESPWriter) WriteBulk(s string) { w.Buf = resp.AppendBulk(w.Buf, s) }

// WriteNull writes a null bulk string.
func (w *RESPWriter) WriteNull() { w.Buf = resp.AppendNull(w.Buf, w.RESP3) }

// WriteNullArray writes a null array.
func (w *RESPWriter) WriteNullArray() { w.Buf = resp.AppendNullArray(w.Buf, w.RESP3) }

// WriteArray starts an array of n elements.
func (w *RESPWriter) WriteArray(n int) { w.Buf = resp.AppendArrayLen(w.Buf, n) }

// WriteMap starts a map of n pairs.
func (w *RESPWriter) WriteMap(n int) { w.Buf = resp.AppendMapLen(w.Buf, n, w.RESP3) }

// WriteSet starts a set of n elements.
func (w *RESPWriter) WriteSet(n int) { w.Buf = resp.AppendSetLen(w.Buf, n, w.RESP3) }

// WriteDouble writes a double as Redis 7.0 formats it.
func (w *RESPWriter) WriteDouble(f float64) {
	w.Buf = resp.AppendDouble(w.Buf, FormatDouble(f), w.RESP3)
}

// WriteBool writes a boolean (RESP2: integer 1 or 0).
func (w *RESPWriter) WriteBool(b bool) { w.Buf = resp.AppendBool(w.Buf, b, w.RESP3) }

// Resp3 reports whether the client speaks RESP3.
func (w *RESPWriter) Resp3() bool { return w.RESP3 }

// ErrorText returns the reply text for err: as is when it starts with an
// upper-case error code ("ERR", "WRONGTYPE", "OOM"...), else with "ERR ".
func ErrorText(err error) string {
	s := err.Error()
	i := 0
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' {
		i++
	}
	if i > 0 && (i == len(s) || s[i] == ' ') {
		return s
	}
	return "ERR " + s
}
