package redistest

import (
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/kevy-go/kevy/internal/resp"
)

// DefaultTimeout bounds each Do or Pipeline call, so that a hung server fails
// a test instead of hanging it.
const DefaultTimeout = 10 * time.Second

// Client is a synchronous RESP client over one connection. It is meant for
// tests: it is not safe for concurrent use, and after an I/O error every later
// call fails.
type Client struct {
	// Timeout bounds each call (default DefaultTimeout).
	Timeout time.Duration

	conn net.Conn
	rd   *resp.Reader
	wbuf []byte
	err  error // sticky I/O error
}

// Dial connects a Client to the RESP server at addr (a real redis-server or a
// kevy server), failing the test if it cannot. The connection is closed when
// the test ends.
func Dial(tb testing.TB, addr string) *Client {
	tb.Helper()
	conn, err := net.DialTimeout("tcp", addr, DefaultTimeout)
	if err != nil {
		tb.Fatalf("redistest: dial %s: %v", addr, err)
	}
	c := newClient(conn)
	tb.Cleanup(func() { c.Close() })
	return c
}

func newClient(conn net.Conn) *Client {
	return &Client{Timeout: DefaultTimeout, conn: conn, rd: resp.NewReader(conn)}
}

// Do sends one command and returns its reply. An error reply from the server
// is a Value of Kind resp.ErrorReply, not a Go error; Go errors are for I/O
// failures, timeouts and malformed replies.
func (c *Client) Do(args ...string) (resp.Value, error) {
	if c.err != nil {
		return resp.Value{}, c.err
	}
	if len(args) == 0 {
		// The server would skip an empty command and never reply.
		return resp.Value{}, errors.New("redistest: Do needs at least one argument")
	}
	c.conn.SetDeadline(time.Now().Add(c.timeout()))
	c.wbuf = resp.AppendCommand(c.wbuf[:0], args...)
	if _, err := c.conn.Write(c.wbuf); err != nil {
		return resp.Value{}, c.broken(err)
	}
	v, err := c.rd.ReadValue()
	if err != nil {
		return resp.Value{}, c.broken(err)
	}
	return v, nil
}

// Pipeline sends all the commands, then reads one reply per command, which
// makes long differential runs fast. Writing proceeds concurrently with
// reading, so a pipeline larger than the socket buffers cannot deadlock. The
// whole pipeline is bounded by the client's Timeout.
func (c *Client) Pipeline(cmds [][]string) ([]resp.Value, error) {
	if c.err != nil {
		return nil, c.err
	}
	for i, args := range cmds {
		if len(args) == 0 {
			return nil, fmt.Errorf("redistest: pipeline command %d has no arguments", i)
		}
	}
	c.conn.SetDeadline(time.Now().Add(c.timeout()))
	c.wbuf = c.wbuf[:0]
	for _, args := range cmds {
		c.wbuf = resp.AppendCommand(c.wbuf, args...)
	}
	wrote := make(chan error, 1)
	go func() {
		_, err := c.conn.Write(c.wbuf)
		wrote <- err
	}()
	replies := make([]resp.Value, 0, len(cmds))
	var readErr error
	for range cmds {
		v, err := c.rd.ReadValue()
		if err != nil {
			readErr = err
			// Unblock the writer, which may be stuck on a dead server.
			c.conn.SetDeadline(time.Now())
			break
		}
		replies = append(replies, v)
	}
	writeErr := <-wrote
	if readErr == nil && writeErr != nil {
		readErr = writeErr
	}
	if readErr != nil {
		return nil, c.broken(fmt.Errorf("pipeline reply %d of %d: %w", len(replies)+1, len(cmds), readErr))
	}
	return replies, nil
}

// Close closes the connection. It is safe to call more than once.
func (c *Client) Close() error {
	if c.conn == nil {
		return nil
	}
	err := c.conn.Close()
	c.conn = nil
	if c.err == nil {
		c.err = errors.New("redistest: client closed")
	}
	return err
}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

// broken records an I/O error; the connection's state is unknown afterwards.
func (c *Client) broken(err error) error {
	c.err = fmt.Errorf("redistest: %w", err)
	return c.err
}
