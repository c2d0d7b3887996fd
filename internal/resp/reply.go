package resp

import "strconv"

// maxDepth bounds the nesting of aggregate replies, so that a hostile stream
// of "*1\r\n*1\r\n..." cannot grow the stack without limit.
const maxDepth = 512

// ReadValue reads the next reply, of any RESP2 or RESP3 type. A reply that
// Redis reports as an error (-ERR ...) is a Value of Kind ErrorReply, not a Go
// error. Attributes (|) are read and discarded, and the value they annotate is
// returned. RESP3 streamed strings and aggregates are not supported.
//
// The Reader's limits apply: a bulk string longer than MaxBulkLen, an
// aggregate with more than MaxMultibulkLen elements or a line longer than
// MaxInlineLen is a *ProtocolError. A stream that ends cleanly between
// replies yields io.EOF and one that ends inside a reply io.ErrUnexpectedEOF.
// Nothing is consumed until a whole reply has arrived, so after an error from
// the underlying reader (a deadline, say) the call can be repeated.
func (r *Reader) ReadValue() (Value, error) {
	if r.err != nil {
		return Value{}, r.err
	}
	if r.r == r.w {
		if err := r.fill(); err != nil {
			return Value{}, err
		}
	}
	v, end, err := r.value(0, 0)
	if err != nil {
		return Value{}, err
	}
	r.consume(end)
	return v, nil
}

// replyLine finds the line starting at relative position pos and returns the
// relative position of its terminating "\r\n".
func (r *Reader) replyLine(pos int) (int, error) {
	eol, err := r.headerLine(pos, msgTooBigLine)
	if err != nil {
		return 0, err
	}
	if r.buf[r.r+eol+1] != '\n' {
		return 0, r.fail(msgExpectedCRLF)
	}
	return eol, nil
}

// value parses the reply starting at relative position pos, without consuming
// anything, and returns it with the relative position just after it.
func (r *Reader) value(pos, depth int) (Value, int, error) {
	if depth > maxDepth {
		return Value{}, 0, r.fail(msgTooDeep)
	}
	eol, err := r.replyLine(pos)
	if err != nil {
		return Value{}, 0, err
	}
	typ := r.buf[r.r+pos]
	if eol == pos {
		return Value{}, 0, r.fail("Protocol error: unexpected reply type '\\r'")
	}
	line := r.buf[r.r+pos+1 : r.r+eol]
	next := eol + 2
	switch typ {
	case '+':
		return Value{Kind: SimpleString, Str: string(line)}, next, nil
	case '-':
		return Value{Kind: ErrorReply, Str: string(line)}, next, nil
	case ',':
		return Value{Kind: Double, Str: string(line)}, next, nil
	case '(':
		return Value{Kind: BigNumber, Str: string(line)}, next, nil
	case ':':
		n, ok := parseInt(line)
		if !ok {
			return Value{}, 0, r.fail(msgInvalidInteger)
		}
		return Value{Kind: Integer, Int: n}, next, nil
	case '_':
		if len(line) != 0 {
			return Value{}, 0, r.fail(msgInvalidNull)
		}
		return Value{Kind: Null}, next, nil
	case '#':
		switch string(line) {
		case "t":
			return Value{Kind: Boolean, Int: 1}, next, nil
		case "f":
			return Value{Kind: Boolean}, next, nil
		}
		return Value{}, 0, r.fail(msgInvalidBoolean)
	case '$', '=', '!':
		return r.blob(typ, line, next)
	case '*', '~', '>', '%', '|':
		return r.aggregate(typ, line, next, depth)
	}
	return Value{}, 0, r.fail("Protocol error: unexpected reply type " + strconv.QuoteRune(rune(typ)))
}

// blob reads the payload of a bulk string ($), verbatim string (=) or blob
// error (!) whose header line (without the type byte) is line; the payload
// starts at relative position pos.
func (r *Reader) blob(typ byte, line []byte, pos int) (Value, int, error) {
	n, ok := parseInt(line)
	if ok && n == -1 && typ == '$' {
		return Value{Kind: Null}, pos, nil
	}
	if !ok || n < 0 || n > r.maxBulkLen() {
		return Value{}, 0, r.fail(msgInvalidBulkLen)
	}
	end := pos + int(n)
	if err := r.need(end + 2); err != nil {
		return Value{}, 0, err
	}
	if r.buf[r.r+end] != '\r' || r.buf[r.r+end+1] != '\n' {
		return Value{}, 0, r.fail(msgExpectedCRLF)
	}
	v := Value{Kind: BulkString, Str: string(r.buf[r.r+pos : r.r+end])}
	switch typ {
	case '=':
		v.Kind = Verbatim
	case '!':
		v.Kind = ErrorReply
	}
	return v, end + 2, nil
}

// aggregate reads the elements of an array (*), set (~), push (>), map (%)
// or attribute (|) whose header line (without the type byte) is line; the
// first element starts at relative position pos.
func (r *Reader) aggregate(typ byte, line []byte, pos, depth int) (Value, int, error) {
	n, ok := parseInt(line)
	if ok && n == -1 && typ == '*' {
		return Value{Kind: NullArray}, pos, nil
	}
	if !ok || n < 0 || n > r.maxMultibulkLen() {
		return Value{}, 0, r.fail(msgInvalidMultibulkLen)
	}
	count := n
	if typ == '%' || typ == '|' {
		count *= 2
	}
	// Capacity is capped: the count is only a claim until the elements arrive.
	elems := make([]Value, 0, min(count, 16))
	for ; count > 0; count-- {
		e, next, err := r.value(pos, depth+1)
		if err != nil {
			return Value{}, 0, err
		}
		elems = append(elems, e)
		pos = next
	}
	var kind Kind
	switch typ {
	case '*':
		kind = Array
	case '~':
		kind = Set
	case '>':
		kind = Push
	case '%':
		kind = Map
	case '|':
		// An attribute annotates the reply that follows it; drop it.
		return r.value(pos, depth+1)
	}
	return Value{Kind: kind, Elems: elems}, pos, nil
}
