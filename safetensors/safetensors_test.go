package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixture is the real file written by PyTorch (make_fixtures.py); the tests
// that use it fail, never skip, when it is missing.
const fixture = "../testdata/ae.safetensors"

func encode(t testing.TB, ts []Tensor, meta map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Encode(&b, ts, meta); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// raw builds a file from a header text and a data section.
func raw(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

func TestRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []Tensor
		meta map[string]string
	}{
		{"nothing", nil, nil},
		{"metadata only", nil, map[string]string{"k": "v"}},
		{"several shapes", []Tensor{
			{Name: "w", Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, float32(math.Inf(-1))}},
			{Name: "scalar", Shape: []int{}, Data: []float32{7}},
			{Name: "nil shape", Shape: nil, Data: []float32{8}},
			{Name: "one", Shape: []int{1}, Data: []float32{-0.5}},
			{Name: "empty", Shape: []int{0, 4}, Data: []float32{}},
			{Name: "conv", Shape: []int{8, 1, 3, 3}, Data: make([]float32, 72)},
			{Name: "odd <name> \"quoted\" ü", Shape: []int{1, 1, 1, 1, 2}, Data: []float32{math.SmallestNonzeroFloat32, math.MaxFloat32}},
		}, map[string]string{"latent.kind": "vae", "note": "ünïcode", "empty": ""}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := encode(t, c.in, c.meta)
			n := binary.LittleEndian.Uint64(b)
			if n%8 != 0 {
				t.Errorf("header length %d is not padded to 8", n)
			}
			f, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Tensors) != len(c.in) {
				t.Fatalf("decoded %d tensors, want %d", len(f.Tensors), len(c.in))
			}
			for i, want := range c.in {
				got := f.Tensors[i] // Encode's order is the offset order
				if got.Name != want.Name || !slices.Equal(got.Shape, want.Shape) || !slices.Equal(got.Data, want.Data) {
					t.Errorf("tensor %d: got %q %v %v, want %q %v %v", i, got.Name, got.Shape, got.Data, want.Name, want.Shape, want.Data)
				}
				if got.Len() != len(got.Data) {
					t.Errorf("%q: Len %d but %d values", got.Name, got.Len(), len(got.Data))
				}
			}
			if len(c.meta) != len(f.Metadata) {
				t.Errorf("metadata %v, want %v", f.Metadata, c.meta)
			}
			for k, v := range c.meta {
				if f.Metadata[k] != v {
					t.Errorf("metadata %q = %q, want %q", k, f.Metadata[k], v)
				}
			}
		})
	}
}

func TestNaNBitsSurvive(t *testing.T) {
	nan := math.Float32frombits(0x7fc00123)
	f, err := Decode(encode(t, []Tensor{{Name: "n", Shape: []int{1}, Data: []float32{nan}}}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if bits := math.Float32bits(f.Tensors[0].Data[0]); bits != 0x7fc00123 {
		t.Errorf("NaN bits %#x", bits)
	}
}

func TestGetLookup(t *testing.T) {
	f, err := Decode(encode(t, []Tensor{{Name: "a", Shape: []int{1}, Data: []float32{1}}}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if x, ok := f.Get("a"); !ok || x.Data[0] != 1 {
		t.Errorf("Get(a) = %v, %v", x, ok)
	}
	if _, ok := f.Get("b"); ok {
		t.Error("Get(b) found something")
	}
	_, err = f.Lookup("b")
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), `no tensor named "b"`) || !strings.Contains(err.Error(), `"a"`) {
		t.Errorf("Lookup(b): %v", err)
	}
	f.Path = "x.safetensors"
	if _, err := f.Lookup("b"); err == nil || !strings.HasPrefix(err.Error(), "x.safetensors: ") {
		t.Errorf("Lookup(b) with a path: %v", err)
	}
	if got := (&FormatError{Msg: "m"}).Error(); got != "safetensors: m" {
		t.Errorf("FormatError without path: %q", got)
	}
}

func TestEncodeRejects(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []Tensor
		want string
	}{
		{"duplicate", []Tensor{{Name: "a", Shape: []int{1}, Data: []float32{1}}, {Name: "a", Shape: []int{1}, Data: []float32{1}}}, "twice"},
		{"reserved", []Tensor{{Name: "__metadata__", Shape: []int{1}, Data: []float32{1}}}, "reserved"},
		{"too few values", []Tensor{{Name: "a", Shape: []int{2, 2}, Data: []float32{1}}}, "3 values"[1:]},
		{"negative dims", []Tensor{{Name: "a", Shape: []int{-1, -2}, Data: []float32{1, 2}}}, "invalid shape"},
	} {
		err := Encode(io.Discard, c.in, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Encode = %v, want an error containing %q", c.name, err, c.want)
		}
	}
	// a failing writer
	boom := errors.New("boom")
	if err := Encode(failWriter{boom}, []Tensor{{Name: "a", Shape: []int{1 << 16}, Data: make([]float32, 1<<16)}}, nil); !errors.Is(err, boom) {
		t.Errorf("Encode to a failing writer: %v", err)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestWriteFileReadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.safetensors")
	in := []Tensor{{Name: "a", Shape: []int{2}, Data: []float32{1, 2}}}
	if err := WriteFile(path, in, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Path != path || len(f.Tensors) != 1 || !slices.Equal(f.Tensors[0].Data, in[0].Data) || f.Metadata["k"] != "v" {
		t.Fatalf("ReadFile: %+v", f)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the folder, want 1 (no temp file)", len(entries))
	}
	// Write into a folder that does not exist, read a missing file, read a folder.
	bad := filepath.Join(dir, "no", "such.safetensors")
	if err := WriteFile(bad, in, nil); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("WriteFile into a missing folder: %v", err)
	}
	if _, err := ReadFile(bad); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), bad) {
		t.Errorf("ReadFile of a missing file: %v", err)
	}
	if _, err := ReadFile(dir); err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "folder") {
		t.Errorf("ReadFile of a folder: %v", err)
	}
}

// TestPyTorchFixture reads a file written by PyTorch's side.
func TestPyTorchFixture(t *testing.T) {
	f, err := ReadFile(fixture)
	if err != nil {
		t.Fatalf("the PyTorch fixture testdata/ae.safetensors is part of the repository: %v", err)
	}
	for name, shape := range map[string][]int{"input": {8, 1, 28, 28}, "init.encoder.0.weight": {16, 1, 3, 3}, "loss": {1}} {
		x, err := f.Lookup(name)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if !slices.Equal(x.Shape, shape) || len(x.Data) != x.Len() {
			t.Errorf("%s: shape %v with %d values, want %v", name, x.Shape, len(x.Data), shape)
		}
	}
	for i, x := range f.Tensors {
		if len(x.Data) != x.Len() {
			t.Errorf("%s: %d values for shape %v", x.Name, len(x.Data), x.Shape)
		}
		if i > 0 && x.Name == f.Tensors[i-1].Name {
			t.Errorf("%s twice", x.Name)
		}
	}
	// The input is MNIST normalised to [-1, 1], with background exactly -1:
	// a check that the floats are decoded, not just sized, correctly.
	in, _ := f.Get("input")
	lo, hi := slices.Min(in.Data), slices.Max(in.Data)
	if lo != -1 || hi > 1 || hi < 0.9 {
		t.Errorf("input values in [%g, %g], want [-1, ~1]", lo, hi)
	}
	// Re-encoding and decoding gives the same tensors.
	g, err := Decode(encode(t, f.Tensors, f.Metadata))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range f.Tensors {
		y, ok := g.Get(x.Name)
		if !ok || !slices.Equal(x.Shape, y.Shape) || !slices.EqualFunc(x.Data, y.Data, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
			t.Errorf("%s changed on re-encoding", x.Name)
		}
	}
}

// TestLenient lists files that are unusual but valid.
func TestLenient(t *testing.T) {
	eight := make([]byte, 8)
	for _, c := range []struct {
		name   string
		file   []byte
		tensor []string // expected names, in order
	}{
		{"empty object", raw(`{}`, nil), nil},
		{"padded with spaces", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}       `, eight[:4]), []string{"a"}},
		{"hole and trailing bytes", raw(`{"a":{"dtype":"F32","shape":[],"data_offsets":[4,8]}}`, make([]byte, 12)), []string{"a"}},
		{"offset order, not header order", raw(`{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, eight), []string{"a", "b"}},
		{"unknown fields", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":[1]}}`, eight[:4]), []string{"a"}},
		{"null metadata", raw(`{"__metadata__":null}`, nil), nil},
		{"empty tensors", raw(`{"z":{"dtype":"F32","shape":[0,2147483647],"data_offsets":[0,0]},"y":{"dtype":"F32","shape":[2147483647,2147483647,0],"data_offsets":[0,0]}}`, nil), []string{"y", "z"}},
	} {
		f, err := Decode(c.file)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var names []string
		for _, x := range f.Tensors {
			names = append(names, x.Name)
			if len(x.Data) != x.Len() {
				t.Errorf("%s: %s has %d values for shape %v", c.name, x.Name, len(x.Data), x.Shape)
			}
		}
		if !slices.Equal(names, c.tensor) {
			t.Errorf("%s: tensors %q, want %q", c.name, names, c.tensor)
		}
	}
}

func TestOtherDtypesConvert(t *testing.T) {
	data := binary.LittleEndian.AppendUint64(nil, math.Float64bits(1.5))
	for _, h := range []uint16{0x3c00, 0xc000, 0x0001, 0x7c00, 0x8000, 0x7bff} { // F16 1, -2, 2^-24, +Inf, -0, 65504
		data = binary.LittleEndian.AppendUint16(data, h)
	}
	data = binary.LittleEndian.AppendUint16(data, 0x3fc0) // BF16 1.5
	f, err := Decode(raw(`{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"h":{"dtype":"F16","shape":[2,3],"data_offsets":[8,20]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[20,22]}}`, data))
	if err != nil {
		t.Fatal(err)
	}
	negZero := float32(math.Copysign(0, -1))
	for name, want := range map[string][]float32{"d": {1.5}, "h": {1, -2, 1.0 / (1 << 24), float32(math.Inf(1)), negZero, 65504}, "b": {1.5}} {
		got, _ := f.Get(name)
		if !slices.EqualFunc(got.Data, want, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
			t.Errorf("%s: %v, want %v", name, got.Data, want)
		}
	}
}

// hostile lists broken files, each with a piece of the message it must give.
func hostile() []struct {
	name string
	file []byte
	want string
} {
	eight := make([]byte, 8)
	entry := func(body string) []byte { return raw(`{"a":{`+body+`}}`, eight) }
	big := make([]byte, 400)
	return []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"short", []byte{1, 2, 3}, "file of 3 bytes is too short"},
		{"seven bytes", make([]byte, 7), "too short"},
		{"zero header", raw("", nil), "header length is 0"},
		{"absurd header", binary.LittleEndian.AppendUint64(nil, 123456789), "header length 123456789 is absurd (limit 100 MB)"},
		{"huge header", binary.LittleEndian.AppendUint64(nil, math.MaxUint64), "absurd"},
		{"header beyond file", append(binary.LittleEndian.AppendUint64(nil, 100), "{}        "...), "header length 100 exceeds the file (18 bytes)"},
		{"header one past file", raw(`{}`, nil)[:9], "exceeds the file"},
		{"not json", raw("{not json", nil), "not valid JSON"},
		{"truncated json", raw(`{"a":{"dtype":"F32"`, nil), "not valid JSON"},
		{"only spaces", raw("        ", nil), "not valid JSON"},
		{"trailing garbage", raw(`{} x`, nil), "trailing data"},
		{"two objects", raw(`{}{}`, nil), "trailing data"},
		{"array", raw(`[1,2]`, nil), "not a JSON object but an array"},
		{"null", raw(`null`, nil), "not a JSON object but null"},
		{"string", raw(`"x"`, nil), "not a JSON object but a string"},
		{"number", raw(`12`, nil), "not a JSON object but a number"},
		{"entry not an object", raw(`{"a":5}`, nil), `tensor "a": header entry must be an object`},
		{"entry null", raw(`{"a":null}`, nil), "missing dtype"},
		{"missing dtype", entry(`"shape":[1],"data_offsets":[0,4]`), `tensor "a": header entry is missing dtype`},
		{"missing shape", entry(`"dtype":"F32","data_offsets":[0,4]`), "missing shape"},
		{"missing offsets", entry(`"dtype":"F32","shape":[1]`), "missing data_offsets"},
		{"dtype not a string", entry(`"dtype":32,"shape":[1],"data_offsets":[0,4]`), "dtype must be a string"},
		{"unknown dtype", entry(`"dtype":"Q4","shape":[1],"data_offsets":[0,4]`), `tensor "a" has dtype Q4; only F32 is supported`},
		{"integer dtype", entry(`"dtype":"I64","shape":[1],"data_offsets":[0,8]`), "dtype I64"},
		{"shape not an array", entry(`"dtype":"F32","shape":"2x2","data_offsets":[0,4]`), "shape must be an array of integers"},
		{"fractional dim", entry(`"dtype":"F32","shape":[1.5],"data_offsets":[0,4]`), "shape must be an array of integers"},
		{"dim beyond int64", entry(`"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,4]`), "shape must be"},
		{"negative dim", entry(`"dtype":"F32","shape":[-1],"data_offsets":[0,4]`), "negative dimension"},
		{"negative dims cancelling", entry(`"dtype":"F32","shape":[-1,-1],"data_offsets":[0,4]`), "negative dimension"},
		{"huge dim", entry(`"dtype":"F32","shape":[4294967296],"data_offsets":[0,4]`), "huge dimension"},
		{"overflowing product", entry(`"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]`), "overflow"},
		{"wrapping product", entry(`"dtype":"F32","shape":[65536,65536,65536,65536,1],"data_offsets":[0,0]`), "overflow"},
		{"product larger than data", entry(`"dtype":"F32","shape":[4,4,4,4,4,4,4,4],"data_offsets":[0,8]`), "needs 262144 bytes, offsets give 8"},
		{"one offset", entry(`"dtype":"F32","shape":[1],"data_offsets":[0]`), "data_offsets must be two numbers"},
		{"three offsets", entry(`"dtype":"F32","shape":[1],"data_offsets":[0,4,8]`), "data_offsets must be two numbers"},
		{"offsets not numbers", entry(`"dtype":"F32","shape":[1],"data_offsets":["0","4"]`), "data_offsets must be an array of integers"},
		{"offsets reversed", entry(`"dtype":"F32","shape":[1],"data_offsets":[4,0]`), "begin after they end"},
		{"negative offset", entry(`"dtype":"F32","shape":[1],"data_offsets":[-4,0]`), "negative"},
		{"offsets beyond data", entry(`"dtype":"F32","shape":[4],"data_offsets":[0,16]`), "data_offsets [0, 16] run past the end of the 8-byte data section"},
		{"shape vs bytes", raw(`{"w":{"dtype":"F32","shape":[8,1,3,3],"data_offsets":[0,280]}}`, big), `tensor "w": shape [8 1 3 3] needs 288 bytes, offsets give 280`},
		{"F16 shape vs bytes", entry(`"dtype":"F16","shape":[3],"data_offsets":[0,8]`), "shape [3] of F16 needs 6 bytes, offsets give 8"},
		{"overlap", raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight), "overlap"},
		{"same range", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, eight), "overlap"},
		{"empty inside another", raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}`, eight), "overlap"},
		{"duplicate name", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight), `header names "a" twice`},
		{"duplicate metadata", raw(`{"__metadata__":{},"__metadata__":{}}`, nil), "twice"},
		{"metadata not strings", raw(`{"__metadata__":{"a":1}}`, nil), "__metadata__ must map strings to strings"},
		{"metadata an array", raw(`{"__metadata__":["a"]}`, nil), "__metadata__"},
	}
}

func TestHostileInput(t *testing.T) {
	dir := t.TempDir()
	for i, c := range hostile() {
		t.Run(c.name, func(t *testing.T) {
			f, err := Decode(c.file)
			var fe *FormatError
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.As(err, &fe) {
				t.Errorf("Decode = %v, %v; want a *FormatError containing %q", f, err, c.want)
			}
			// the same through a file: the same message, naming the path
			path := filepath.Join(dir, "bad"+string(rune('a'+i%26))+".safetensors")
			if err := os.WriteFile(path, c.file, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = ReadFile(path)
			if err == nil || !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ReadFile error %v should start with %s and contain %q", err, path, c.want)
			}
		})
	}
}

// TestTruncatedFixture cuts the real file at many places: every cut is
// either an error or (when only data past the last tensor is lost) valid.
func TestTruncatedFixture(t *testing.T) {
	b, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 7, 8, 9, 100, 8 + int(binary.LittleEndian.Uint64(b)), len(b) / 2, len(b) - 1} {
		if _, err := Decode(b[:n]); err == nil {
			t.Errorf("cut at %d of %d bytes: no error", n, len(b))
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encode(f, []Tensor{{Name: "a", Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}}, {Name: "s", Shape: []int{}, Data: []float32{5}}}, map[string]string{"k": "v"}))
	// The real file's header, cut short: the seeds stay small, because the
	// fuzzer spends long minimizing each new finding of a large input.
	if b, err := os.ReadFile(fixture); err == nil && len(b) > 8+512 {
		for _, cut := range []int{8 + 40, 8 + 200, 8 + 512} {
			f.Add(b[:cut])
		}
		// and a small valid file of some of its real tensors, with its cut
		if real, err := Decode(b); err == nil {
			var few []Tensor
			for _, x := range real.Tensors {
				if x.Len() <= 16 && len(few) < 3 {
					few = append(few, x)
				}
			}
			small := encode(f, few, real.Metadata)
			f.Add(small)
			f.Add(small[:len(small)-3])
		}
	}
	f.Add(raw(`{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]}}`, make([]byte, 6)))
	f.Add(raw(`{"a":{"dtype":"F64","shape":[0,3],"data_offsets":[0,0]}}`, nil))
	for _, c := range hostile() {
		f.Add(c.file)
	}
	f.Add([]byte("not a file at all"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Decode(b)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T is not a *FormatError: %v", err, err)
			}
			return
		}
		total := 0
		for _, x := range file.Tensors {
			if len(x.Data) != x.Len() {
				t.Fatalf("%s: %d values for shape %v", x.Name, len(x.Data), x.Shape)
			}
			total += len(x.Data)
		}
		if total > len(b) { // at most 2 bytes of input per value (F16)
			t.Fatalf("%d values from %d bytes", total, len(b))
		}
	})
}
