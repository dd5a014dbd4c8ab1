// Package safetensors reads and writes the safetensors format (as used by
// PyTorch/HuggingFace) for float32 tensors, validating every length, offset
// and shape before use.
//
// A file is an 8-byte little-endian header length N, then N bytes of a JSON
// object mapping each tensor name to {"dtype", "shape", "data_offsets":
// [begin, end]} (plus an optional "__metadata__" of strings to strings), then
// the raw little-endian data, whose offsets count from the end of the header.
// The header may be padded with spaces.
//
// F32 tensors are read as they are; F64, F16 and BF16 tensors are converted
// to float32. Other dtypes are rejected with an error naming them.
package safetensors

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"latent/internal/atomicfile"
)

// MaxHeader bounds the JSON header: a longer one is taken as a corrupt file.
const MaxHeader = 100 << 20

// maxDim bounds a single dimension, so that shapes fit an int everywhere.
const maxDim = math.MaxInt32

// Tensor is a named float32 tensor in row-major order.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// Len is the product of the shape (1 for a scalar, whose shape is empty).
func (t Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// File is a decoded safetensors file.
type File struct {
	Path     string            // where it was read from, for messages ("" when decoded from memory)
	Tensors  []Tensor          // in data-offset order
	Metadata map[string]string // the __metadata__ strings; may be nil
}

// Get returns the tensor with that name.
func (f *File) Get(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// Lookup returns the tensor with that name, or an error naming the file and
// a few of the tensors it does hold.
func (f *File) Lookup(name string) (Tensor, error) {
	if t, ok := f.Get(name); ok {
		return t, nil
	}
	const show = 5
	var some []string
	for _, t := range f.Tensors[:min(show, len(f.Tensors))] {
		some = append(some, fmt.Sprintf("%q", t.Name))
	}
	has := "no tensors"
	switch {
	case len(f.Tensors) > show:
		has = fmt.Sprintf("%d tensors: %s, …", len(f.Tensors), strings.Join(some, ", "))
	case len(f.Tensors) > 0:
		has = fmt.Sprintf("%d tensor(s): %s", len(f.Tensors), strings.Join(some, ", "))
	}
	return Tensor{}, &FormatError{Path: f.Path, Msg: fmt.Sprintf("no tensor named %q (the file has %s)", name, has)}
}

// FormatError says what is wrong with a file.
type FormatError struct{ Path, Msg string }

func (e *FormatError) Error() string {
	if e.Path == "" {
		return "safetensors: " + e.Msg
	}
	return e.Path + ": safetensors: " + e.Msg
}

// dtypeSize is the byte size of each element type that can be read.
var dtypeSize = map[string]int64{"F32": 4, "F64": 8, "F16": 2, "BF16": 2}

// Decode parses a whole file held in memory.
func Decode(b []byte) (*File, error) { return decode("", b) }

// ReadFile reads and decodes the file at path. It checks the file's size and
// the header length against it before reading anything more. Errors name path.
func ReadFile(path string) (*File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err // *PathError, which names path
	}
	if st.IsDir() {
		return nil, &FormatError{path, "is a folder, not a safetensors file"}
	}
	size := st.Size()
	if size < 8 {
		return nil, &FormatError{path, tooShort(size)}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var head [8]byte
	if _, err := io.ReadFull(f, head[:]); err != nil {
		return nil, &FormatError{path, fmt.Sprintf("reading the header length: %v", err)}
	}
	if msg := checkHeaderLen(binary.LittleEndian.Uint64(head[:]), size); msg != "" {
		return nil, &FormatError{path, msg}
	}
	b := make([]byte, size)
	copy(b, head[:])
	if _, err := io.ReadFull(f, b[8:]); err != nil {
		return nil, &FormatError{path, fmt.Sprintf("reading %d bytes: %v (did the file change while being read?)", size, err)}
	}
	return decode(path, b)
}

func tooShort(size int64) string {
	return fmt.Sprintf("file of %d bytes is too short for the 8-byte header length; empty, cut short, or not a safetensors file?", size)
}

// checkHeaderLen returns what is wrong with a header length n in a file of
// size bytes, or "".
func checkHeaderLen(n uint64, size int64) string {
	switch {
	case n == 0:
		return "header length is 0"
	case n > MaxHeader:
		return fmt.Sprintf("header length %d is absurd (limit %d MB); not a safetensors file?", n, MaxHeader>>20)
	case n > uint64(size-8):
		return fmt.Sprintf("header length %d exceeds the file (%d bytes); truncated?", n, size)
	}
	return ""
}

// placed is a validated tensor record with its byte range in the data section.
type placed struct {
	name       string
	dtype      string
	shape      []int
	begin, end int64
}

func decode(path string, b []byte) (*File, error) {
	bad := func(format string, a ...any) error { return &FormatError{path, fmt.Sprintf(format, a...)} }
	if len(b) < 8 {
		return nil, bad("%s", tooShort(int64(len(b))))
	}
	n := binary.LittleEndian.Uint64(b)
	if msg := checkHeaderLen(n, int64(len(b))); msg != "" {
		return nil, bad("%s", msg)
	}
	header, data := b[8:8+n], b[8+n:]
	raw, err := parseHeader(header)
	if err != nil {
		return nil, bad("%v", err)
	}
	f := &File{Path: path}
	var ts []placed
	for _, kv := range raw {
		if kv.key == "__metadata__" {
			if err := json.Unmarshal(kv.val, &f.Metadata); err != nil {
				return nil, bad("__metadata__ must map strings to strings: %v", err)
			}
			continue
		}
		t, msg := parseEntry(kv.key, kv.val, int64(len(data)))
		if msg != "" {
			return nil, bad("%s", msg)
		}
		ts = append(ts, t)
	}
	slices.SortFunc(ts, func(a, b placed) int {
		if a.begin != b.begin {
			return cmp.Compare(a.begin, b.begin)
		}
		if a.end != b.end {
			return cmp.Compare(a.end, b.end)
		}
		return strings.Compare(a.name, b.name)
	})
	for i := 1; i < len(ts); i++ {
		p, q := ts[i-1], ts[i]
		if q.begin < p.end {
			return nil, bad("tensors %q (bytes %d to %d) and %q (bytes %d to %d) overlap", p.name, p.begin, p.end, q.name, q.begin, q.end)
		}
	}
	// Holes between tensors are tolerated; every range is now within data and
	// disjoint, so the tensors together hold at most len(data) bytes.
	f.Tensors = make([]Tensor, len(ts))
	for i, t := range ts {
		f.Tensors[i] = Tensor{Name: t.name, Shape: t.shape, Data: toFloat32(data[t.begin:t.end], t.dtype)}
	}
	return f, nil
}

type keyVal struct {
	key string
	val json.RawMessage
}

// parseHeader checks that header is one JSON object (followed by nothing but
// white space) without repeated keys, and returns its members in order.
func parseHeader(header []byte) ([]keyVal, error) {
	invalid := func(err error) error { return fmt.Errorf("header is not valid JSON: %w", err) }
	dec := json.NewDecoder(bytes.NewReader(header))
	tok, err := dec.Token()
	if err != nil {
		return nil, invalid(err)
	}
	if tok != json.Delim('{') {
		return nil, fmt.Errorf("header is not a JSON object but %s", kind(tok))
	}
	var out []keyVal
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, invalid(err)
		}
		key, _ := tok.(string) // the decoder only gives strings as object keys
		if seen[key] {
			return nil, fmt.Errorf("header names %q twice", key)
		}
		seen[key] = true
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, invalid(err)
		}
		out = append(out, keyVal{key, val})
	}
	if _, err := dec.Token(); err != nil { // }
		return nil, invalid(err)
	}
	if tok, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = fmt.Errorf("%s after the object", kind(tok))
		}
		return nil, fmt.Errorf("header has trailing data: %w", err)
	}
	return out, nil
}

// kind names the JSON value starting with tok.
func kind(tok json.Token) string {
	switch tok := tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		if tok == '[' {
			return "an array"
		}
		if tok == '{' {
			return "an object"
		}
		return fmt.Sprintf("%q", rune(tok))
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", tok)
}

// parseEntry validates one tensor's header record against a data section of
// dataLen bytes; it returns a message saying what is wrong, or "".
func parseEntry(name string, val json.RawMessage, dataLen int64) (placed, string) {
	var e struct {
		DType   *string  `json:"dtype"`
		Shape   *[]int64 `json:"shape"`
		Offsets *[]int64 `json:"data_offsets"`
	}
	if err := json.Unmarshal(val, &e); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te) && te.Field != "":
			return placed{}, fmt.Sprintf("tensor %q: %s must be %s, got JSON %s", name, te.Field, want(te.Field), te.Value)
		case errors.As(err, &te):
			return placed{}, fmt.Sprintf("tensor %q: header entry must be an object {dtype, shape, data_offsets}, got JSON %s", name, te.Value)
		}
		return placed{}, fmt.Sprintf("tensor %q: bad header entry: %v", name, err)
	}
	switch {
	case e.DType == nil:
		return placed{}, fmt.Sprintf("tensor %q: header entry is missing dtype", name)
	case e.Shape == nil:
		return placed{}, fmt.Sprintf("tensor %q: header entry is missing shape", name)
	case e.Offsets == nil:
		return placed{}, fmt.Sprintf("tensor %q: header entry is missing data_offsets", name)
	}
	dtype, dims, offs := *e.DType, *e.Shape, *e.Offsets
	size, ok := dtypeSize[dtype]
	if !ok {
		return placed{}, fmt.Sprintf("tensor %q has dtype %s; only F32 is supported (F64, F16 and BF16 are converted to F32)", name, dtype)
	}
	// The element count, with every factor bounded so that nothing overflows:
	// count*size always fits an int64.
	shape := make([]int, len(dims))
	for i, d := range dims {
		switch {
		case d < 0:
			return placed{}, fmt.Sprintf("tensor %q: shape %v has a negative dimension", name, dims)
		case d > maxDim:
			return placed{}, fmt.Sprintf("tensor %q: shape %v has a huge dimension %d (limit %d)", name, dims, d, maxDim)
		}
		shape[i] = int(d)
	}
	// The element count, with every factor bounded so that count*size never
	// overflows an int64 (a zero dimension makes any shape empty).
	count := int64(1)
	if slices.Contains(dims, 0) {
		count = 0
	}
	for _, d := range dims {
		if count == 0 {
			break
		}
		if count > math.MaxInt64/size/d {
			return placed{}, fmt.Sprintf("tensor %q: shape %v holds more elements than can be counted (overflow)", name, dims)
		}
		count *= d
	}
	if len(offs) != 2 {
		return placed{}, fmt.Sprintf("tensor %q: data_offsets must be two numbers [begin, end], got %v", name, offs)
	}
	begin, end := offs[0], offs[1]
	switch {
	case begin < 0 || end < 0:
		return placed{}, fmt.Sprintf("tensor %q: data_offsets [%d, %d] are negative", name, begin, end)
	case begin > end:
		return placed{}, fmt.Sprintf("tensor %q: data_offsets [%d, %d] begin after they end", name, begin, end)
	case end > dataLen:
		return placed{}, fmt.Sprintf("tensor %q: data_offsets [%d, %d] run past the end of the %d-byte data section", name, begin, end, dataLen)
	}
	if need := count * size; end-begin != need {
		of := ""
		if dtype != "F32" {
			of = " of " + dtype
		}
		return placed{}, fmt.Sprintf("tensor %q: shape %v%s needs %d bytes, offsets give %d", name, dims, of, need, end-begin)
	}
	return placed{name: name, dtype: dtype, shape: shape, begin: begin, end: end}, ""
}

// want describes the JSON type a header entry field must have.
func want(field string) string {
	if field == "dtype" {
		return "a string"
	}
	return "an array of integers"
}

// toFloat32 converts little-endian values of dtype (whose length is a
// multiple of its size) to float32.
func toFloat32(b []byte, dtype string) []float32 {
	le := binary.LittleEndian
	switch dtype {
	case "F64":
		out := make([]float32, len(b)/8)
		for i := range out {
			out[i] = float32(math.Float64frombits(le.Uint64(b[8*i:])))
		}
		return out
	case "F16":
		out := make([]float32, len(b)/2)
		for i := range out {
			out[i] = half(le.Uint16(b[2*i:]))
		}
		return out
	case "BF16":
		out := make([]float32, len(b)/2)
		for i := range out {
			out[i] = math.Float32frombits(uint32(le.Uint16(b[2*i:])) << 16)
		}
		return out
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(le.Uint32(b[4*i:]))
	}
	return out
}

// half converts an IEEE 754 binary16 value to float32 (exactly).
func half(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: frac * 2^-24
		v := float32(frac) / (1 << 24)
		if sign != 0 {
			return -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}

// entryOut is a tensor's header record as written.
type entryOut struct {
	DType   string  `json:"dtype"`
	Shape   []int   `json:"shape"`
	Offsets []int64 `json:"data_offsets"`
}

// Encode writes tensors as F32, in the given order with contiguous offsets,
// and meta (if not empty) as __metadata__. The header's keys are sorted and
// it is padded with spaces to a multiple of 8 bytes.
func Encode(w io.Writer, tensors []Tensor, meta map[string]string) error {
	header := make(map[string]any, len(tensors)+1)
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	var off int64
	for _, t := range tensors {
		if t.Name == "__metadata__" {
			return fmt.Errorf("safetensors: tensor name %q is reserved", t.Name)
		}
		if _, dup := header[t.Name]; dup {
			return fmt.Errorf("safetensors: tensor name %q used twice", t.Name)
		}
		for _, d := range t.Shape {
			if d < 0 || d > maxDim {
				return fmt.Errorf("safetensors: tensor %q has an invalid shape %v", t.Name, t.Shape)
			}
		}
		if t.Len() != len(t.Data) {
			return fmt.Errorf("safetensors: tensor %q has shape %v but %d values", t.Name, t.Shape, len(t.Data))
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{} // a scalar: [] rather than null
		}
		end := off + 4*int64(len(t.Data))
		header[t.Name] = entryOut{DType: "F32", Shape: shape, Offsets: []int64{off, end}}
		off = end
	}
	h, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(h)))
	bw.Write(n[:])
	bw.Write(h)
	var buf [4]byte
	for _, t := range tensors {
		for _, v := range t.Data {
			binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
			if _, err := bw.Write(buf[:]); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// WriteFile encodes tensors and meta to path atomically (see Encode).
func WriteFile(path string, tensors []Tensor, meta map[string]string) error {
	return atomicfile.Write(path, func(w io.Writer) error { return Encode(w, tensors, meta) })
}
