package kevy

import (
	"sync"

	"github.com/kevy-go/kevy/internal/engine"
)

// Do runs any supported Redis command in-process and returns its reply,
// exactly as Redis 7.0 would answer it: Do("ZADD", "z", "1", "a"),
// Do("SET", "k", "v", "EX", "10", "NX"). The command name is
// case-insensitive. When Redis would reply with an error, Do returns that
// error (its text is Redis's; sentinel errors such as ErrWrongType match with
// errors.Is) together with a Reply of kind ReplyError.
//
// Do shares its implementation with the typed methods and with the server:
// the reply is the same wherever the command comes from.
func (s *Store) Do(args ...string) (Reply, error) {
	if s.closed.Load() {
		return Reply{}, ErrClosed
	}
	d := doPool.Get().(*doCall)
	d.argv = append(d.argv[:0], args...)
	d.b.reset()
	d.ctx.Reset(d.argv, &d.b)
	s.en.Exec(&d.ctx)
	r, err := d.b.root, d.b.err
	if d.ctx.Err != nil { // applied, but not made durable
		r, err = Reply{Kind: ReplyError, Str: engine.ErrorText(d.ctx.Err)}, d.ctx.Err
	}
	clear(d.argv)
	d.b.root = Reply{}
	doPool.Put(d)
	return r, err
}

type doCall struct {
	ctx  engine.Ctx
	b    replyBuilder
	argv []string
}

var doPool = sync.Pool{New: func() any { return &doCall{argv: make([]string, 0, 8)} }}

// replyBuilder turns a handler's writes into a Reply tree.
type replyBuilder struct {
	root  Reply
	err   error // the top-level error reply, if any
	stack []frame
}

// frame is an aggregate being filled.
type frame struct {
	r    *Reply
	next int
}

func (b *replyBuilder) reset() {
	b.root, b.err, b.stack = Reply{}, nil, b.stack[:0]
}

func (b *replyBuilder) put(v Reply) {
	if len(b.stack) == 0 && len(v.Elems) == 0 { // a scalar reply: the common case
		b.root = v
		return
	}
	var slot *Reply
	if len(b.stack) == 0 {
		b.root = v
		slot = &b.root
	} else {
		top := &b.stack[len(b.stack)-1]
		top.r.Elems[top.next] = v
		slot = &top.r.Elems[top.next]
		top.next++
	}
	if len(v.Elems) > 0 {
		b.stack = append(b.stack, frame{r: slot})
		return
	}
	for len(b.stack) > 0 {
		top := &b.stack[len(b.stack)-1]
		if top.next < len(top.r.Elems) {
			return
		}
		b.stack = b.stack[:len(b.stack)-1]
	}
}

func (b *replyBuilder) WriteSimple(s string) { b.put(Reply{Kind: ReplyStatus, Str: s}) }

func (b *replyBuilder) WriteError(err error) {
	if len(b.stack) == 0 {
		b.err = err
	}
	b.put(Reply{Kind: ReplyError, Str: err.Error()})
}

func (b *replyBuilder) WriteInt(n int64)   { b.put(Reply{Kind: ReplyInt, Int: n}) }
func (b *replyBuilder) WriteBulk(s string) { b.put(Reply{Kind: ReplyBulk, Str: s}) }
func (b *replyBuilder) WriteNull()         { b.put(Reply{Kind: ReplyNil}) }
func (b *replyBuilder) WriteNullArray()    { b.put(Reply{Kind: ReplyNil}) }
func (b *replyBuilder) WriteArray(n int)   { b.put(Reply{Kind: ReplyArray, Elems: make([]Reply, n)}) }
func (b *replyBuilder) WriteMap(n int)     { b.put(Reply{Kind: ReplyMap, Elems: make([]Reply, 2*n)}) }
func (b *replyBuilder) WriteSet(n int)     { b.put(Reply{Kind: ReplySet, Elems: make([]Reply, n)}) }
func (b *replyBuilder) WriteBool(v bool) {
	r := Reply{Kind: ReplyBool}
	if v {
		r.Int = 1
	}
	b.put(r)
}
func (b *replyBuilder) WriteDouble(f float64) {
	b.put(Reply{Kind: ReplyDouble, Float: f, Str: engine.FormatDouble(f)})
}
func (b *replyBuilder) Resp3() bool { return true }
