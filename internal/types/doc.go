// Package types implements kevy's value containers: the hash, set, list and
// sorted-set types of Redis 7.0, plus Table, the open-addressing hash table
// with cursor scanning and uniform sampling that backs them.
//
// The containers are not safe for concurrent use: the engine serializes all
// access to a key's value. They reproduce the observable behaviour of Redis's
// encodings (OBJECT ENCODING, iteration order of small hashes and intsets,
// SCAN guarantees) rather than their byte layouts.
package types
