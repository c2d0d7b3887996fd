package resp

import (
	"bytes"
	"slices"
	"strings"
	"unsafe"
)

// ReadCommand reads the next request, as Redis's server does: either a
// multibulk request (*N\r\n$len\r\narg\r\n...) or an inline command, a line
// ending in "\n" split into arguments like Redis's sdssplitargs: on
// whitespace, with "double quotes" (escapes \n \r \t \b \a \\ \" \xHH) and
// 'single quotes' (escape \' only), where a closing quote must be followed by
// whitespace or the end of the line. Requests with no arguments (an empty or
// blank inline line, *0, *-1) are skipped.
//
// The arguments are returned as strings that share one allocation per
// request, so retaining any of them retains the whole request.
//
// A malformed request yields a *ProtocolError whose text is Redis's; it is
// sticky. A stream that ends cleanly between requests yields io.EOF; one that
// ends inside a request yields io.ErrUnexpectedEOF, with Offset at the start
// of that request. Other errors from the underlying reader (a deadline, say)
// are returned as they are and leave the partial request buffered, so the
// call can be repeated.
//
// As in Redis, the two bytes after each "\r" and after each bulk payload are
// skipped without checking that they are "\r\n".
func (r *Reader) ReadCommand() ([]string, error) {
	return r.readCommand(nil, false)
}

// ReadCommandInto is ReadCommand, except that it appends the arguments to
// dst[:0] and returns the result, so a caller that is done with the previous
// arguments can reuse their slice and read each request with a single
// allocation.
func (r *Reader) ReadCommandInto(dst []string) ([]string, error) {
	return r.readCommand(dst[:0], false)
}

// ReadStrictCommand reads the next command of an append-only log: only
// multibulk commands with at least one argument are accepted, and anything
// else (an inline command, *0, *-1) is a *ProtocolError. Otherwise it behaves
// like ReadCommand; in particular a torn final command yields
// io.ErrUnexpectedEOF and Offset reports where it starts.
func (r *Reader) ReadStrictCommand() ([]string, error) {
	return r.readCommand(nil, true)
}

func (r *Reader) readCommand(dst []string, strict bool) ([]string, error) {
	for {
		if r.err != nil {
			return nil, r.err
		}
		if r.r == r.w {
			if err := r.fill(); err != nil {
				return nil, err
			}
		}
		var (
			args []string
			err  error
		)
		switch {
		case r.buf[r.r] == '*':
			args, err = r.readMultibulk(dst, strict)
		case strict:
			return nil, r.fail(msgExpectedMultibulk)
		default:
			args, err = r.readInline(dst)
		}
		if err != nil || len(args) > 0 {
			return args, err
		}
	}
}

// headerLine finds the end of the header line starting at relative position
// pos (buf[r.r+pos] is its type byte), reading more data as needed. It
// returns the relative position of the line's '\r'; the byte after it is
// buffered too. tooBig is the error text for a line longer than MaxInlineLen.
func (r *Reader) headerLine(pos int, tooBig string) (int, error) {
	limit := r.maxInlineLen()
	searched := 0 // bytes of the line already known to hold no '\r'
	for {
		start := r.r + pos
		i := bytes.IndexByte(r.buf[start+searched:r.w], '\r')
		if i >= 0 {
			i += searched
			if i > limit {
				return 0, r.fail(tooBig)
			}
			if start+i+1 < r.w {
				return pos + i, nil
			}
			searched = i // the '\r' is the last buffered byte; wait for one more
		} else {
			searched = r.w - start
			if searched > limit {
				return 0, r.fail(tooBig)
			}
		}
		if err := r.need(r.w - r.r + 1); err != nil {
			return 0, err
		}
	}
}

// readMultibulk reads a multibulk request starting at buf[r.r] == '*'.
func (r *Reader) readMultibulk(dst []string, strict bool) ([]string, error) {
	count, pos, ok := r.shortHeader(0)
	if !ok || count > r.maxMultibulkLen() {
		eol, err := r.headerLine(0, msgTooBigMbulkCount)
		if err != nil {
			return nil, err
		}
		if count, ok = parseInt(r.buf[r.r+1 : r.r+eol]); !ok || count > r.maxMultibulkLen() || (strict && count <= 0) {
			return nil, r.fail(msgInvalidMultibulkLen)
		}
		pos = eol + 2
	} else if strict && count == 0 {
		return nil, r.fail(msgInvalidMultibulkLen)
	}
	if count <= 0 {
		r.consume(pos)
		return nil, nil
	}

	maxBulk := r.maxBulkLen()
	spans := r.spans[:0]
	total := 0
	for ; count > 0; count-- {
		n, next, ok := r.shortHeader(pos)
		if !ok || r.buf[r.r+pos] != '$' || n > maxBulk {
			eol, err := r.headerLine(pos, msgTooBigBulkCount)
			if err != nil {
				return nil, err
			}
			if c := r.buf[r.r+pos]; c != '$' {
				return nil, r.fail("Protocol error: expected '$', got '" + printable(c) + "'")
			}
			if n, ok = parseInt(r.buf[r.r+pos+1 : r.r+eol]); !ok || n < 0 || n > maxBulk {
				return nil, r.fail(msgInvalidBulkLen)
			}
			next = eol + 2
		}
		pos = next
		end := pos + int(n)
		if err := r.need(end + 2); err != nil {
			return nil, err
		}
		spans = append(spans, span{pos, end})
		total += int(n)
		pos = end + 2
	}
	r.spans = spans

	args := slices.Grow(dst, len(spans))
	base := r.buf[r.r:]
	if !strict && r.Borrow != nil && r.Borrow(base[spans[0].start:spans[0].end]) {
		for _, sp := range spans {
			if sp.end == sp.start {
				args = append(args, "")
			} else {
				args = append(args, unsafe.String(&base[sp.start], sp.end-sp.start))
			}
		}
		r.consume(pos)
		return args, nil
	}
	if total == 0 {
		for range spans {
			args = append(args, "")
		}
	} else {
		var sb strings.Builder
		sb.Grow(total)
		for _, sp := range spans {
			sb.Write(base[sp.start:sp.end])
		}
		all := sb.String()
		at := 0
		for _, sp := range spans {
			n := sp.end - sp.start
			args = append(args, all[at:at+n])
			at += n
		}
	}
	r.consume(pos)
	return args, nil
}

// shortHeader parses the common header line at relative position pos
// (its type byte, then 1 to 10 digits without a leading zero, or just "0",
// then "\r" and one more buffered byte), as headerLine and parseInt would
// for it, without their calls; it reports false for anything else (a sign,
// a longer or partly buffered line, a malformed one), which the caller
// leaves to them. It returns the number and the position after the line.
func (r *Reader) shortHeader(pos int) (n int64, next int, ok bool) {
	b := r.buf[r.r+pos : r.w]
	if len(b) < 4 || b[1] < '0' || b[1] > '9' || r.generalHeaders {
		return 0, 0, false
	}
	i := 2
	n = int64(b[1] - '0')
	if n != 0 {
		for ; i < len(b) && i <= 10; i++ {
			c := b[i]
			if c < '0' || c > '9' {
				break
			}
			n = n*10 + int64(c-'0')
		}
	}
	if i+1 >= len(b) || b[i] != '\r' || i > r.maxInlineLen() {
		return 0, 0, false
	}
	return n, pos + i + 2, true
}

// printable renders the byte Redis echoes in "expected '$', got 'X'": Redis
// replaces a CR or LF in an error reply with a space.
func printable(c byte) string {
	if c == '\r' || c == '\n' {
		return " "
	}
	return string([]byte{c})
}

// readInline reads an inline request: one line ending in "\n" (a "\r" before
// it is dropped), split into arguments.
func (r *Reader) readInline(dst []string) ([]string, error) {
	limit := r.maxInlineLen()
	searched := 0
	for {
		i := bytes.IndexByte(r.buf[r.r+searched:r.w], '\n')
		if i >= 0 {
			i += searched
			if i > limit {
				return nil, r.fail(msgTooBigInline)
			}
			line := r.buf[r.r : r.r+i]
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			args, ok := r.splitInline(dst, line)
			if !ok {
				return nil, r.fail(msgUnbalancedQuotes)
			}
			r.consume(i + 1)
			return args, nil
		}
		searched = r.w - r.r
		if searched > limit {
			return nil, r.fail(msgTooBigInline)
		}
		if err := r.need(searched + 1); err != nil {
			return nil, err
		}
	}
}
