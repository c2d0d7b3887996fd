package resp

import "strconv"

// appendHeader appends a type byte, a decimal number and "\r\n".
func appendHeader(b []byte, typ byte, n int64) []byte {
	switch {
	case n >= 0 && n < 10: // most arrays and short strings: no conversion
		return append(b, typ, byte('0'+n), '\r', '\n')
	case n >= 10 && n < 100:
		return append(b, typ, byte('0'+n/10), byte('0'+n%10), '\r', '\n')
	}
	b = append(b, typ)
	b = strconv.AppendInt(b, n, 10)
	return append(b, '\r', '\n')
}

// AppendSimple appends a simple string reply (+s). s must not contain "\r" or
// "\n".
func AppendSimple(b []byte, s string) []byte {
	b = append(b, '+')
	b = append(b, s...)
	return append(b, '\r', '\n')
}

// AppendError appends an error reply: '-' followed by msg exactly as given,
// e.g. AppendError(b, "ERR syntax error"). msg must not contain "\r" or "\n".
func AppendError(b []byte, msg string) []byte {
	b = append(b, '-')
	b = append(b, msg...)
	return append(b, '\r', '\n')
}

// AppendInt appends an integer reply (:n).
func AppendInt(b []byte, n int64) []byte {
	return appendHeader(b, ':', n)
}

// AppendBulk appends a bulk string reply ($len, then s).
func AppendBulk(b []byte, s string) []byte {
	b = appendHeader(b, '$', int64(len(s)))
	b = append(b, s...)
	return append(b, '\r', '\n')
}

// AppendBulkBytes appends a bulk string reply holding p.
func AppendBulkBytes(b []byte, p []byte) []byte {
	b = appendHeader(b, '$', int64(len(p)))
	b = append(b, p...)
	return append(b, '\r', '\n')
}

// AppendNull appends a null: RESP2's null bulk string ($-1) or, when resp3 is
// set, RESP3's null (_).
func AppendNull(b []byte, resp3 bool) []byte {
	if resp3 {
		return append(b, '_', '\r', '\n')
	}
	return append(b, '$', '-', '1', '\r', '\n')
}

// AppendNullArray appends a null aggregate: RESP2's null array (*-1) or, when
// resp3 is set, RESP3's null (_).
func AppendNullArray(b []byte, resp3 bool) []byte {
	if resp3 {
		return append(b, '_', '\r', '\n')
	}
	return append(b, '*', '-', '1', '\r', '\n')
}

// AppendArrayLen appends the header of an array of n elements (*n).
func AppendArrayLen(b []byte, n int) []byte {
	return appendHeader(b, '*', int64(n))
}

// AppendMapLen appends the header of a map of n key/value pairs: %n in RESP3,
// or, as Redis does for RESP2 clients, a flat array of 2n elements.
func AppendMapLen(b []byte, n int, resp3 bool) []byte {
	if resp3 {
		return appendHeader(b, '%', int64(n))
	}
	return appendHeader(b, '*', 2*int64(n))
}

// AppendSetLen appends the header of a set of n members: ~n in RESP3, an
// array (*n) in RESP2.
func AppendSetLen(b []byte, n int, resp3 bool) []byte {
	if resp3 {
		return appendHeader(b, '~', int64(n))
	}
	return appendHeader(b, '*', int64(n))
}

// AppendPushLen appends the header of an out-of-band push message of n
// elements: >n in RESP3, an array (*n) in RESP2, where Redis sends pub/sub
// messages as ordinary arrays.
func AppendPushLen(b []byte, n int, resp3 bool) []byte {
	if resp3 {
		return appendHeader(b, '>', int64(n))
	}
	return appendHeader(b, '*', int64(n))
}

// AppendBool appends a boolean: #t or #f in RESP3, the integer 1 or 0 in
// RESP2.
func AppendBool(b []byte, v, resp3 bool) []byte {
	switch {
	case resp3 && v:
		return append(b, '#', 't', '\r', '\n')
	case resp3:
		return append(b, '#', 'f', '\r', '\n')
	case v:
		return append(b, ':', '1', '\r', '\n')
	default:
		return append(b, ':', '0', '\r', '\n')
	}
}

// AppendDouble appends a floating-point reply whose text the caller has
// already formatted (this package does not format numbers): ,text in RESP3,
// a bulk string in RESP2.
func AppendDouble(b []byte, text string, resp3 bool) []byte {
	if !resp3 {
		return AppendBulk(b, text)
	}
	b = append(b, ',')
	b = append(b, text...)
	return append(b, '\r', '\n')
}

// AppendVerbatim appends a verbatim string with a three-byte format such as
// "txt" (as Redis replies to INFO or CLIENT LIST): =len followed by
// "format:text" in RESP3, a bulk string holding only text in RESP2.
func AppendVerbatim(b []byte, format, text string, resp3 bool) []byte {
	if !resp3 {
		return AppendBulk(b, text)
	}
	b = appendHeader(b, '=', int64(len(format)+1+len(text)))
	b = append(b, format...)
	b = append(b, ':')
	b = append(b, text...)
	return append(b, '\r', '\n')
}

// AppendCommand appends a request in multibulk form (*N, then each argument
// as a bulk string), as clients and the append-only log write commands.
func AppendCommand(b []byte, args ...string) []byte {
	b = appendHeader(b, '*', int64(len(args)))
	for _, a := range args {
		b = AppendBulk(b, a)
	}
	return b
}

// CommandLen returns the length of args in multibulk form (what
// AppendCommand appends).
func CommandLen(args ...string) int {
	size := headerLen(len(args))
	for _, a := range args {
		size += headerLen(len(a)) + len(a) + 2
	}
	return size
}

// headerLen is the length of a header (type byte, decimal n >= 0, CRLF).
func headerLen(n int) int {
	d := 1
	for ; n >= 10; n /= 10 {
		d++
	}
	return d + 3
}
