package engine

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// genString generates string and key commands, plus a few writes of other
// types so WRONGTYPE paths are exercised.
func genString(r *rand.Rand) diffCmd {
	k := key(r)
	switch r.IntN(30) {
	case 0:
		return cmd("GET", k)
	case 1:
		args := []string{"SET", k, value(r)}
		for i := r.IntN(4); i > 0; i-- {
			switch r.IntN(9) {
			case 0:
				args = append(args, pick(r, "NX", "nx"))
			case 1:
				args = append(args, "XX")
			case 2:
				args = append(args, "GET")
			case 3:
				args = append(args, "KEEPTTL")
			case 4:
				args = append(args, "EX", pick(r, "100", "0", "-1", "x", "9223372036854775807"))
			case 5:
				args = append(args, "PX", pick(r, "100000", "0", "-5"))
			case 6:
				args = append(args, "EXAT", pick(r, "4000000000", "1"))
			case 7:
				args = append(args, "PXAT", "4000000000000")
			default:
				args = append(args, pick(r, "BOGUS", "EX"))
			}
		}
		return diffCmd{Args: args}
	case 2:
		return cmd("SETNX", k, value(r))
	case 3:
		return cmd(pick(r, "SETEX", "PSETEX"), k, pick(r, "1000000", "0", "-5", "abc", "100000"), value(r))
	case 4:
		return cmd("GETSET", k, value(r))
	case 5:
		return cmd("GETDEL", k)
	case 6:
		args := []string{"GETEX", k}
		switch r.IntN(5) {
		case 0:
			args = append(args, "EX", pick(r, "100", "0", "x"))
		case 1:
			args = append(args, "PERSIST")
		case 2:
			args = append(args, "PXAT", pick(r, "4000000000000", "1"))
		case 3:
			args = append(args, "PERSIST", "EX", "10")
		}
		return diffCmd{Args: args}
	case 7:
		return cmd("MGET", k, key(r), key(r))
	case 8:
		return cmd(pick(r, "MSET", "MSETNX"), k, value(r), key(r), value(r))
	case 9:
		return cmd("APPEND", k, value(r))
	case 10:
		return cmd("STRLEN", k)
	case 11:
		return cmd(pick(r, "GETRANGE", "SUBSTR"), k, index(r), index(r))
	case 12:
		return cmd("SETRANGE", k, pick(r, "0", "3", "10", "-1", "x"), value(r))
	case 13:
		return cmd(pick(r, "INCR", "DECR"), k)
	case 14:
		return cmd(pick(r, "INCRBY", "DECRBY"), k, pick(r, "5", "-3", "9223372036854775807", "-9223372036854775808", "1.5", "x"))
	case 15:
		return cmd("INCRBYFLOAT", k, pick(r, "0.1", "1.5", "-2", "1e3", "abc", "10.5", "3.0e0", "inf", "5.0000000000000001", "1e400", "1e4000", "0x10", "0x1.8p3", "1e-5000", "1e-4940", "0x", "1e", "1_0", "+.5", "-inf", "1e308"))
	case 16:
		return cmd("DEL", k, key(r))
	case 17:
		return cmd("EXISTS", k, k, key(r))
	case 18:
		return cmd("TYPE", k)
	case 19:
		name := pick(r, "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT")
		args := []string{name, k, pick(r, "100000", "1000000", "-1", "0", "4000000000", "x")}
		// GT and LT only with absolute times: a relative deadline
		// compared with one set moments before by a command of the same
		// length (PEXPIRE 100000 after GETEX EX 100) ties or not
		// depending on whether a millisecond passed in between, which
		// differs between the two servers.
		flags := []string{"NX", "XX", "GT", "LT", "bad"}
		if !strings.HasSuffix(name, "AT") {
			flags = []string{"NX", "XX", "bad"}
		}
		for i := r.IntN(3); i > 0; i-- {
			args = append(args, pick(r, flags...))
		}
		return diffCmd{Args: args}
	case 20:
		return diffCmd{Args: []string{pick(r, "TTL", "PTTL"), k}, Cmp: cmpTTL}
	case 21:
		return cmd("PERSIST", k)
	case 22:
		return diffCmd{Args: []string{pick(r, "EXPIRETIME", "PEXPIRETIME"), k}, Cmp: cmpTTL}
	case 23:
		return cmd("HSET", k, "f", value(r))
	case 24:
		return cmd("RPUSH", k, value(r))
	case 25:
		return cmd("SADD", k, member(r))
	case 26:
		return cmd("ZADD", k, strconv.Itoa(r.IntN(10)), member(r))
	case 27:
		return diffCmd{Args: []string{"KEYS", pick(r, "*", "k[0-2]", "k?", "x*")}, Cmp: cmpUnordered}
	case 28:
		return cmd("DBSIZE")
	default:
		return cmd(pick(r, "GET", "SET", "INCR", "GETRANGE", "EXPIRE"), k)
	}
}

func TestDiffString(t *testing.T) {
	n := runDiff(t, 20000, genString)
	if n < 20000 {
		t.Errorf("compared %d commands, want at least 20000", n)
	}
}
