// Package mnist reads IDX image/label files and serves the MNIST dataset: the embedded canonical files, train/validation split and per-epoch batch order.
package mnist

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/bits"
)

// Limits applied to IDX headers before any data is read, so that a small
// hostile file cannot make the reader allocate or wait for absurd amounts.
const (
	// MaxItems is the largest number of images or labels accepted.
	MaxItems = 100_000_000
	// MaxSide is the largest image height or width accepted.
	MaxSide = 4096
	// MaxBytes is the largest total payload (N*Rows*Cols) accepted.
	MaxBytes = 1 << 33
)

// initialChunk is the buffer size the reader starts with; it doubles as data
// actually arrives, so memory use is bounded by about twice the bytes read.
const initialChunk = 64 << 10

// FormatError says what is wrong with an IDX file.
type FormatError struct {
	File string // file name as given to the reader
	Msg  string // what is wrong
	Err  error  // underlying error (e.g. from gzip), if any
}

func (e *FormatError) Error() string { return e.File + ": " + e.Msg }

// Unwrap returns the underlying error, if any.
func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(name, format string, args ...any) error {
	return &FormatError{File: name, Msg: fmt.Sprintf(format, args...)}
}

// ReadImages parses an idx3-ubyte stream (gzip or plain, detected from the
// first two bytes 0x1f 0x8b). name is used in errors only. images holds n
// images of rows x cols bytes each, row-major, one after the other.
func ReadImages(name string, r io.Reader) (images []uint8, n, rows, cols int, err error) {
	data, dims, err := readIDX(name, r, 3)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	return data, dims[0], dims[1], dims[2], nil
}

// ReadLabels parses an idx1-ubyte stream (gzip or plain). Label values are
// not range-checked.
func ReadLabels(name string, r io.Reader) ([]uint8, error) {
	data, _, err := readIDX(name, r, 1)
	return data, err
}

var dimNames = map[int][]string{
	1: {"N"},
	3: {"N", "rows", "cols"},
}

// readIDX reads an unsigned-byte IDX stream with exactly wantDims dimensions.
func readIDX(name string, r io.Reader, wantDims int) (data []uint8, dims []int, err error) {
	avail := sizeHint(r)
	br := bufio.NewReader(r)
	var src io.Reader = br
	gz := false
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, &FormatError{File: name, Msg: "gzip: " + err.Error(), Err: err}
		}
		defer zr.Close()
		src, gz = &errRecorder{r: zr}, true
	}
	// cut explains a short read: for gzip, whether the compressed stream
	// itself was cut short or it ended cleanly with too little data.
	cut := func() string {
		if rec, ok := src.(*errRecorder); ok && errors.Is(rec.err, io.ErrUnexpectedEOF) {
			return " (gzip stream cut short)"
		}
		return ""
	}
	readErr := func(what string, got int, err error) error {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			if got == 0 && what == "header" {
				return formatErr(name, "empty file: no IDX header")
			}
			return &FormatError{File: name, Msg: fmt.Sprintf("truncated %s: got %d bytes%s", what, got, cut()), Err: err}
		}
		if gz {
			return &FormatError{File: name, Msg: "gzip: " + err.Error(), Err: err}
		}
		return &FormatError{File: name, Msg: "read: " + err.Error(), Err: err}
	}

	var hdr [4]byte
	if k, err := io.ReadFull(src, hdr[:]); err != nil {
		return nil, nil, readErr("header", k, err)
	}
	if hdr[0] != 0 || hdr[1] != 0 {
		return nil, nil, formatErr(name, "bad magic number 0x%08X: first two bytes must be zero (not an IDX file?)", binary.BigEndian.Uint32(hdr[:]))
	}
	if hdr[2] != 0x08 {
		return nil, nil, formatErr(name, "unsupported data type 0x%02X, only 0x08 (unsigned byte) is supported", hdr[2])
	}
	if int(hdr[3]) != wantDims {
		return nil, nil, formatErr(name, "wrong number of dimensions: want %d, got %d", wantDims, hdr[3])
	}
	dimBuf := make([]byte, 4*wantDims)
	if k, err := io.ReadFull(src, dimBuf); err != nil {
		return nil, nil, readErr("header", 4+k, err)
	}
	dims = make([]int, wantDims)
	var size uint64 = 1
	for i := range dims {
		d := binary.BigEndian.Uint32(dimBuf[4*i:])
		dn := dimNames[wantDims][i]
		limit := uint32(MaxSide)
		if i == 0 {
			limit = MaxItems
		}
		switch {
		case d == 0:
			return nil, nil, formatErr(name, "dimension %s is 0", dn)
		case d > limit:
			return nil, nil, formatErr(name, "dimension %s = %d too large (limit %d)", dn, d, limit)
		}
		hi, lo := bits.Mul64(size, uint64(d))
		if hi != 0 || lo > MaxBytes || lo > uint64(maxInt) {
			return nil, nil, formatErr(name, "data size too large: product of dimensions exceeds %d bytes", uint64(MaxBytes))
		}
		size = lo
		dims[i] = int(d)
	}
	what := func() string {
		if wantDims == 3 {
			return fmt.Sprintf("%d images of %dx%d (%d bytes)", dims[0], dims[1], dims[2], size)
		}
		return fmt.Sprintf("%d labels (%d bytes)", dims[0], size)
	}

	// Read the payload, growing the buffer only as data arrives.
	// If the input's size is known and the payload plausibly fits in it (at
	// most gzipPreallocRatio times larger if compressed), it is allocated in
	// one go; otherwise the buffer grows as data arrives.
	want := int(size)
	first := min(want, initialChunk)
	if avail >= 0 {
		if gz && avail <= math.MaxInt64/gzipPreallocRatio {
			avail *= gzipPreallocRatio
		}
		if int64(want) <= avail {
			first = want
		}
	}
	buf := make([]byte, 0, first)
	for len(buf) < want {
		if len(buf) == cap(buf) {
			nb := make([]byte, len(buf), min(2*cap(buf), want))
			copy(nb, buf)
			buf = nb
		}
		k, err := io.ReadFull(src, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, nil, &FormatError{File: name, Msg: fmt.Sprintf("truncated: header says %s, got %d bytes%s", what(), len(buf), cut()), Err: err}
			}
			return nil, nil, readErr("data", len(buf), err)
		}
	}
	// Anything after the payload is an error; for gzip, reading to EOF also
	// verifies the checksum.
	var one [1]byte
	k, err := io.ReadFull(src, one[:])
	switch {
	case k > 0:
		unit := "labels"
		if wantDims == 3 {
			unit = "images"
		}
		return nil, nil, formatErr(name, "trailing data after %d %s", dims[0], unit)
	case errors.Is(err, io.EOF):
		// clean end
	case gz:
		return nil, nil, &FormatError{File: name, Msg: "gzip: " + err.Error(), Err: err}
	default:
		return nil, nil, readErr("data", len(buf), err)
	}
	return buf, dims, nil
}

const maxInt = int(^uint(0) >> 1)

// gzipPreallocRatio is the compression ratio up to which a gzip payload is
// allocated up front when the compressed size is known (MNIST is about 5:1).
// It bounds what a small hostile file can make the reader allocate before
// the data actually arrives.
const gzipPreallocRatio = 16

// sizeHint returns an upper bound on the bytes r can still deliver, or -1 if
// it is unknown. Files report their size, in-memory readers their length.
func sizeHint(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	}
	return -1
}

// errRecorder remembers the last error its reader returned.
type errRecorder struct {
	r   io.Reader
	err error
}

func (e *errRecorder) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil {
		e.err = err
	}
	return n, err
}
