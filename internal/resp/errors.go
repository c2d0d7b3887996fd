package resp

// Protocol error texts Redis 7.0 replies with (after "-ERR ") before closing a
// connection that sent a malformed request.
const (
	msgInvalidMultibulkLen = "Protocol error: invalid multibulk length"
	msgInvalidBulkLen      = "Protocol error: invalid bulk length"
	msgUnbalancedQuotes    = "Protocol error: unbalanced quotes in request"
	msgTooBigInline        = "Protocol error: too big inline request"
	msgTooBigMbulkCount    = "Protocol error: too big mbulk count string"
	msgTooBigBulkCount     = "Protocol error: too big bulk count string"
)

// Texts for malformed input that Redis itself never has to describe: a log
// record that is not a multibulk command, and malformed replies.
const (
	msgExpectedMultibulk = "Protocol error: expected '*'"
	msgTooBigLine        = "Protocol error: too big reply line"
	msgExpectedCRLF      = "Protocol error: expected CRLF"
	msgInvalidInteger    = "Protocol error: invalid integer"
	msgInvalidBoolean    = "Protocol error: invalid boolean"
	msgInvalidNull       = "Protocol error: invalid null"
	msgTooDeep           = "Protocol error: too deeply nested reply"
)

// ProtocolError reports malformed RESP input. For requests, Error returns
// exactly the text Redis 7.0 sends (prefixed with "-ERR ") before it closes
// the connection, e.g. "Protocol error: invalid bulk length".
//
// A protocol error is sticky: once a Reader has returned one, every later read
// returns it again, because the stream cannot be resynchronised.
type ProtocolError struct {
	// Msg is the complete error text.
	Msg string
}

// Error returns the error text.
func (e *ProtocolError) Error() string {
	return e.Msg
}
