//go:build !linux

package server

// eventLoop exists on Linux only; elsewhere every connection has its own
// goroutine.
type eventLoop struct{}

func newEventLoop(*Server) *eventLoop { return nil }
func (*eventLoop) adopt(*conn) bool   { return false }
func (*eventLoop) notify()            {}
