package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kevy-go/kevy/internal/rdb"
	"github.com/kevy-go/kevy/internal/resp"
)

// kevy check-rdb FILE and kevy check-aof [--fix] FILE: what
// redis-check-rdb and redis-check-aof report for one file, including the
// offset of the first bad byte.

// checkRDB validates an RDB file: structure, every value, and the CRC64.
func checkRDB(args []string, stdout io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stdout, "Usage: kevy check-rdb <rdb-file-name>")
		return 1
	}
	f, err := os.Open(args[0])
	if err != nil {
		fmt.Fprintf(stdout, "--- RDB ERROR DETECTED ---\n[offset 0] Cannot open %s: %v\n", args[0], err)
		return 1
	}
	defer f.Close()
	fmt.Fprintf(stdout, "[offset 0] Checking RDB file %s\n", args[0])
	rd := rdb.NewReader(f)
	keys, expires, err := scanRDB(rd)
	if err != nil {
		fmt.Fprintf(stdout, "--- RDB ERROR DETECTED ---\n[offset %d] %v\n", errOffset(err, rd.Offset()), err)
		return 1
	}
	for k, v := range rd.Aux() {
		fmt.Fprintf(stdout, "[info] AUX FIELD %s = '%s'\n", k, v)
	}
	fmt.Fprintf(stdout, "[offset %d] \\o/ RDB looks OK! \\o/\n[info] %d keys read\n[info] %d expires\n",
		rd.Offset(), keys, expires)
	return 0
}

// scanRDB reads every entry, returning the counts of keys and TTLs.
func scanRDB(rd *rdb.Reader) (keys, expires int, err error) {
	for {
		e, err := rd.Next()
		if err == io.EOF {
			return keys, expires, nil
		}
		if err != nil {
			return keys, expires, err
		}
		keys++
		if e.ExpireAtMs != 0 {
			expires++
		}
	}
}

// errOffset is where err says the bad data starts, else at.
func errOffset(err error, at int64) int64 {
	var fe *rdb.FormatError
	if errors.As(err, &fe) {
		return fe.Offset
	}
	return at
}

// checkAOF validates an append-only file (with or without an RDB
// preamble) and, with --fix, truncates it after the last complete command
// (or before an unterminated MULTI), after asking for confirmation.
func checkAOF(args []string, stdin io.Reader, stdout io.Writer) int {
	fix := false
	var name string
	for _, a := range args {
		if a == "--fix" {
			fix = true
		} else if name == "" {
			name = a
		} else {
			name = ""
			break
		}
	}
	if name == "" {
		fmt.Fprintln(stdout, "Usage: kevy check-aof [--fix] <file.aof>")
		return 1
	}
	data, err := os.ReadFile(name)
	if err != nil {
		fmt.Fprintf(stdout, "Cannot open file %s: %v\n", name, err)
		return 1
	}
	okUpTo, problem := scanAOF(data, stdout)
	size := int64(len(data))
	fmt.Fprintf(stdout, "AOF analyzed: filename=%s, size=%d, ok_up_to=%d, ok_up_to_line=%d, diff=%d\n",
		name, size, okUpTo, bytes.Count(data[:okUpTo], []byte("\n"))+1, size-okUpTo)
	if okUpTo == size {
		fmt.Fprintf(stdout, "AOF %s is valid\n", name)
		return 0
	}
	if problem != "" {
		fmt.Fprintln(stdout, problem)
	}
	if !fix {
		fmt.Fprintf(stdout, "AOF %s is not valid. Use the --fix option to try fixing it.\n", name)
		return 1
	}
	fmt.Fprintf(stdout, "This will shrink the AOF %s from %d bytes, with %d bytes, to %d bytes\nContinue? [y/N]: ",
		name, size, size-okUpTo, okUpTo)
	answer, _ := bufio.NewReader(stdin).ReadString('\n')
	if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(answer)), "y") {
		fmt.Fprintln(stdout, "Aborting...")
		return 1
	}
	if err := os.Truncate(name, okUpTo); err != nil {
		fmt.Fprintf(stdout, "Failed to truncate AOF %s: %v\n", name, err)
		return 1
	}
	fmt.Fprintf(stdout, "Successfully truncated AOF %s\n", name)
	return 0
}

// scanAOF returns the length of the valid prefix of an AOF and, if it is
// not the whole file, what is wrong after it.
func scanAOF(data []byte, stdout io.Writer) (int64, string) {
	var base int64
	if bytes.HasPrefix(data, []byte("REDIS")) {
		fmt.Fprintln(stdout, "The AOF appears to start with an RDB preamble.\nChecking the RDB preamble to start:")
		rd := rdb.NewReader(bytes.NewReader(data))
		if _, _, err := scanRDB(rd); err != nil {
			return 0, fmt.Sprintf("RDB preamble of AOF file is not sane, aborting: [offset %d] %v", errOffset(err, rd.Offset()), err)
		}
		base = rd.Offset()
		fmt.Fprintf(stdout, "RDB preamble is OK, proceeding with AOF tail...\n")
	}
	rd := resp.NewReader(bytes.NewReader(data[base:]))
	okUpTo := base
	multiAt := int64(-1)
	for {
		args, err := rd.ReadStrictCommand()
		if err == io.EOF {
			break
		}
		if err != nil {
			what := "Bad file format reading the append only file"
			if errors.Is(err, io.ErrUnexpectedEOF) {
				what = "Unexpected EOF reading AOF file"
			}
			if multiAt >= 0 {
				return multiAt, fmt.Sprintf("0x%x: %s (%v)", base+rd.Offset(), what, err)
			}
			return base + rd.Offset(), fmt.Sprintf("0x%x: %s (%v)", base+rd.Offset(), what, err)
		}
		switch {
		case strings.EqualFold(args[0], "multi"):
			if multiAt >= 0 {
				return multiAt, fmt.Sprintf("0x%x: Unexpected MULTI", base+rd.Offset())
			}
			multiAt = okUpTo
		case strings.EqualFold(args[0], "exec"):
			if multiAt < 0 {
				return okUpTo, fmt.Sprintf("0x%x: Unexpected EXEC", okUpTo)
			}
			multiAt = -1
		}
		okUpTo = base + rd.Offset()
	}
	if multiAt >= 0 {
		return multiAt, "Reached EOF before reading EXEC for MULTI"
	}
	return okUpTo, ""
}
