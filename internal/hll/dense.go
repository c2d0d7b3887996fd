package hll

// The dense form stores register i in the 6 bits starting at bit 6*i of the
// register area that follows the header, filling each byte from its least
// significant bit: four registers in every three bytes.

// bytesLike lets the read-only decoders work both on stored string values
// and on the byte buffers being modified.
type bytesLike interface{ ~string | ~[]byte }

// byteAt returns v[i], or 0 past the end of v, which is what Redis reads
// from the terminating NUL byte that follows every string value.
func byteAt[T bytesLike](v T, i int) byte {
	if i < len(v) {
		return v[i]
	}
	return 0
}

// denseGet returns dense register i of v, which includes the header.
func denseGet[T bytesLike](v T, i int) uint8 {
	pos := hdrSize + i*regBits/8
	fb := uint(i * regBits & 7)
	b0 := uint(byteAt(v, pos))
	b1 := uint(byteAt(v, pos+1))
	return uint8((b0>>fb | b1<<(8-fb)) & regMax)
}

// denseSet stores val into dense register i of b, which includes the header.
func denseSet(b []byte, i int, val uint8) {
	pos := hdrSize + i*regBits/8
	fb := uint(i * regBits & 7)
	v := uint(val)
	b[pos] = b[pos]&^byte(regMax<<fb) | byte(v<<fb)
	if pos+1 < len(b) {
		b[pos+1] = b[pos+1]&^byte(regMax>>(8-fb)) | byte(v>>(8-fb))
	}
}

// histogram counts how many registers hold each value. Only entries 0 to
// hllQ+1 enter the estimate; dense registers can hold up to 63.
type histogram [64]int

// denseHisto adds the registers of the dense value v (exactly denseSize
// bytes) to hist.
func denseHisto[T bytesLike](hist *histogram, v T) {
	for p := hdrSize; p+3 <= denseSize; p += 3 {
		b0, b1, b2 := v[p], v[p+1], v[p+2]
		hist[b0&regMax]++
		hist[(b0>>6|b1<<2)&regMax]++
		hist[(b1>>4|b2<<4)&regMax]++
		hist[b2>>2]++
	}
}

// denseMax raises every entry of max to the matching register of the dense
// value v (exactly denseSize bytes).
func denseMax(max *[numRegisters]uint8, v string) {
	i := 0
	for p := hdrSize; p+3 <= denseSize; p += 3 {
		b0, b1, b2 := v[p], v[p+1], v[p+2]
		r := [4]uint8{b0 & regMax, (b0>>6 | b1<<2) & regMax, (b1>>4 | b2<<4) & regMax, b2 >> 2}
		for j, x := range r {
			if x > max[i+j] {
				max[i+j] = x
			}
		}
		i += 4
	}
}
