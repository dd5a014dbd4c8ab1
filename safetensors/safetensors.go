// Package safetensors reads and writes the safetensors format (PyTorch's and
// Hugging Face's) for float32 tensors, validating every length, offset and
// shape before use.
//
// A file is an 8-byte little-endian header length N, N bytes of JSON mapping
// each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (plus an
// optional "__metadata__" of strings), then the raw little-endian data, whose
// offsets count from the end of the header.
package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"

	"latent/internal/atomicfile"
)

// MaxHeader bounds the JSON header: larger is taken as a corrupt file.
const MaxHeader = 100 << 20

// Tensor is a named float32 tensor.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// Len is the product of the shape (1 for a scalar).
func (t Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// File is a decoded safetensors file.
type File struct {
	Path     string            // where it was read from, for messages ("" if decoded from memory)
	Tensors  []Tensor          // in data-offset order
	Metadata map[string]string // the __metadata__ strings, may be nil
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

// Lookup returns the tensor with that name, or an error naming the file.
func (f *File) Lookup(name string) (Tensor, error) {
	if t, ok := f.Get(name); ok {
		return t, nil
	}
	return Tensor{}, &FormatError{Path: f.Path, Msg: fmt.Sprintf("no tensor named %q", name)}
}

// FormatError says what is wrong with a file.
type FormatError struct{ Path, Msg string }

func (e *FormatError) Error() string {
	if e.Path == "" {
		return "safetensors: " + e.Msg
	}
	return e.Path + ": safetensors: " + e.Msg
}

// entry is one tensor's header record.
type entry struct {
	DType   string  `json:"dtype"`
	Shape   []int64 `json:"shape"`
	Offsets []int64 `json:"data_offsets"`
}

// dtypeSize is the byte size of each element type we can read.
var dtypeSize = map[string]int64{"F32": 4, "F64": 8, "F16": 2, "BF16": 2}

// Decode parses a whole file held in memory.
func Decode(b []byte) (*File, error) { return decode("", b) }

// ReadFile reads and decodes the file at path, checking its size against the
// header before reading more than the header.
func ReadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, &FormatError{path, "is a folder, not a safetensors file"}
	}
	size := st.Size()
	var head [8]byte
	if _, err := io.ReadFull(f, head[:]); err != nil {
		return nil, &FormatError{path, fmt.Sprintf("file of %d bytes is too short for a header", size)}
	}
	if err := checkHeaderLen(binary.LittleEndian.Uint64(head[:]), size); err != nil {
		return nil, &FormatError{path, err.Error()}
	}
	b := make([]byte, size)
	copy(b, head[:])
	if _, err := io.ReadFull(f, b[8:]); err != nil {
		return nil, &FormatError{path, fmt.Sprintf("reading: %v", err)}
	}
	return decode(path, b)
}

func checkHeaderLen(n uint64, size int64) error {
	switch {
	case n == 0:
		return fmt.Errorf("header length is 0")
	case n > MaxHeader:
		return fmt.Errorf("header length %d is absurd (limit %d MB); not a safetensors file?", n, MaxHeader>>20)
	case n > uint64(size-8):
		return fmt.Errorf("header length %d exceeds the file (%d bytes); truncated?", n, size)
	}
	return nil
}

func decode(path string, b []byte) (*File, error) {
	bad := func(format string, a ...any) error { return &FormatError{path, fmt.Sprintf(format, a...)} }
	if len(b) < 8 {
		return nil, bad("file of %d bytes is too short for a header", len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if err := checkHeaderLen(n, int64(len(b))); err != nil {
		return nil, bad("%v", err)
	}
	header, data := b[8:8+n], b[8+n:]
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(header, &raw); err != nil {
		return nil, bad("header is not a JSON object: %v", err)
	}
	if err := checkDuplicateKeys(header); err != nil {
		return nil, bad("%v", err)
	}
	f := &File{Path: path}
	type placed struct {
		Tensor
		begin, end int64
		dtype      string
	}
	var ts []placed
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &f.Metadata); err != nil {
				return nil, bad("__metadata__ must map strings to strings: %v", err)
			}
			continue
		}
		var e entry
		dec := json.NewDecoder(bytes.NewReader(msg))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, bad("tensor %q: bad header entry: %v", name, err)
		}
		size, ok := dtypeSize[e.DType]
		if !ok {
			return nil, bad("tensor %q has dtype %q; only F32 (and F64, F16, BF16, converted to F32) are supported", name, e.DType)
		}
		if len(e.Offsets) != 2 {
			return nil, bad("tensor %q: data_offsets must be [begin, end], got %v", name, e.Offsets)
		}
		count := int64(1)
		shape := make([]int, len(e.Shape))
		if len(e.Shape) > 8 {
			return nil, bad("tensor %q has %d dimensions (at most 8)", name, len(e.Shape))
		}
		for i, d := range e.Shape {
			if d < 0 || d > int64(len(data)) {
				return nil, bad("tensor %q: dimension %d is impossible for a %d-byte data section", name, d, len(data))
			}
			if d != 0 && count > int64(len(data))/d {
				return nil, bad("tensor %q: shape %v is larger than the file", name, e.Shape)
			}
			count *= d
			shape[i] = int(d)
		}
		begin, end := e.Offsets[0], e.Offsets[1]
		if begin < 0 || end < begin || end > int64(len(data)) {
			return nil, bad("tensor %q: data_offsets [%d, %d] outside the %d-byte data section", name, begin, end, len(data))
		}
		if end-begin != count*size {
			return nil, bad("tensor %q: shape %v of %s needs %d bytes, offsets give %d", name, e.Shape, e.DType, count*size, end-begin)
		}
		ts = append(ts, placed{Tensor: Tensor{Name: name, Shape: shape}, begin: begin, end: end, dtype: e.DType})
	}
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].begin != ts[j].begin {
			return ts[i].begin < ts[j].begin
		}
		return ts[i].end < ts[j].end
	})
	for i := 1; i < len(ts); i++ {
		if ts[i].begin < ts[i-1].end {
			return nil, bad("tensors %q and %q overlap", ts[i-1].Name, ts[i].Name)
		}
	}
	for _, t := range ts {
		t.Data = toFloat32(data[t.begin:t.end], t.dtype)
		f.Tensors = append(f.Tensors, t.Tensor)
	}
	return f, nil
}

// checkDuplicateKeys rejects a header object that names a key twice.
func checkDuplicateKeys(header []byte) error {
	dec := json.NewDecoder(bytes.NewReader(header))
	if _, err := dec.Token(); err != nil { // {
		return err
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if seen[key] {
			return fmt.Errorf("tensor %q is named twice", key)
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}

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

// half converts an IEEE 754 binary16 value to float32.
func half(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal
		v := float32(frac) / (1 << 24)
		if sign != 0 {
			return -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}

// Encode writes tensors, in the given order, as F32, with meta as __metadata__.
func Encode(w io.Writer, tensors []Tensor, meta map[string]string) error {
	header := map[string]any{}
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	var off int64
	for _, t := range tensors {
		if _, dup := header[t.Name]; dup || t.Name == "__metadata__" {
			return fmt.Errorf("safetensors: tensor name %q used twice or reserved", t.Name)
		}
		if t.Len() != len(t.Data) {
			return fmt.Errorf("safetensors: tensor %q has shape %v but %d values", t.Name, t.Shape, len(t.Data))
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		end := off + 4*int64(len(t.Data))
		header[t.Name] = entry{DType: "F32", Shape: toInt64(shape), Offsets: []int64{off, end}}
		off = end
	}
	h, err := json.Marshal(header)
	if err != nil {
		return err
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	buf := make([]byte, 8, 8+len(h)+int(off))
	binary.LittleEndian.PutUint64(buf, uint64(len(h)))
	buf = append(buf, h...)
	for _, t := range tensors {
		for _, v := range t.Data {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	}
	_, err = w.Write(buf)
	return err
}

func toInt64(s []int) []int64 {
	out := make([]int64, len(s))
	for i, v := range s {
		out[i] = int64(v)
	}
	return out
}

// WriteFile encodes tensors and meta to path atomically.
func WriteFile(path string, tensors []Tensor, meta map[string]string) error {
	return atomicfile.Write(path, func(w io.Writer) error { return Encode(w, tensors, meta) })
}

// Names lists the tensors' names in file order.
func (f *File) Names() []string {
	out := make([]string, len(f.Tensors))
	for i, t := range f.Tensors {
		out[i] = t.Name
	}
	return slices.Clip(out)
}
