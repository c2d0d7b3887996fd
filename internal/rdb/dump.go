package rdb

import (
	"bufio"
	"encoding/binary"
	"errors"
	"strings"
)

// Errors DecodeDump returns; their texts are Redis's RESTORE error replies.
var (
	// ErrDumpPayload reports a payload that is too short or whose version
	// or checksum is wrong.
	ErrDumpPayload = errors.New("ERR DUMP payload version or checksum are wrong")
	// ErrBadDataFormat reports a payload with a valid footer whose object
	// cannot be decoded.
	ErrBadDataFormat = errors.New("ERR Bad data format")
)

// dumpFooterSize is the RDB version (uint16 LE) and CRC64 (uint64 LE) that
// end a DUMP payload.
const dumpFooterSize = 10

// EncodeDump returns the DUMP payload of obj, in the format of Redis's DUMP
// command: the object's type byte and body as in an RDB file, the RDB
// version as a little-endian uint16, and the CRC64 of all that as a
// little-endian uint64. obj should be valid as for Writer.WriteEntry; for
// an unknown kind EncodeDump returns "".
func EncodeDump(obj Object) string {
	t, ok := objectType(obj.Kind)
	if !ok {
		return ""
	}
	var b strings.Builder
	e := encoder{w: &b, compress: true}
	e.writeByte(t)
	e.writeObject(&obj)
	var v [2]byte
	binary.LittleEndian.PutUint16(v[:], DefaultVersion)
	e.write(v[:])
	e.writeUint64LE(e.crc)
	return b.String()
}

// DecodeDump decodes a payload produced by DUMP (of kevy or of Redis up to
// RDB version MaxVersion). It returns ErrDumpPayload when the footer is
// wrong and ErrBadDataFormat when the object is malformed, unsupported
// (streams, modules) or an empty collection, as RESTORE does.
func DecodeDump(payload string) (Object, error) {
	if len(payload) < dumpFooterSize {
		return Object{}, ErrDumpPayload
	}
	body := payload[:len(payload)-dumpFooterSize]
	footer := payload[len(payload)-dumpFooterSize:]
	version := uint16(footer[0]) | uint16(footer[1])<<8
	if version > MaxVersion {
		return Object{}, ErrDumpPayload
	}
	stored := binary.LittleEndian.Uint64([]byte(footer[2:]))
	if crc64Update(0, payload[:len(payload)-8]) != stored {
		return Object{}, ErrDumpPayload
	}
	d := decoder{br: bufio.NewReaderSize(strings.NewReader(body), min(max(len(body), 16), decodeBufLen))}
	t, err := d.readByte()
	if err != nil {
		return Object{}, ErrBadDataFormat
	}
	obj, err := d.readObject(t, 0)
	if err != nil {
		return Object{}, ErrBadDataFormat
	}
	if obj.Kind != KindString && obj.Len() == 0 {
		return Object{}, ErrBadDataFormat
	}
	return obj, nil
}
