package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func encode(t testing.TB, ts []Tensor, meta map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Encode(&b, ts, meta); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	in := []Tensor{
		{Name: "w", Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, float32(math.Inf(-1))}},
		{Name: "scalar", Shape: []int{}, Data: []float32{7}},
		{Name: "one", Shape: []int{1}, Data: []float32{-0.5}},
		{Name: "empty", Shape: []int{0, 4}, Data: []float32{}},
	}
	meta := map[string]string{"latent.kind": "vae", "note": "ünïcode"}
	b := encode(t, in, meta)
	if n := binary.LittleEndian.Uint64(b); n%8 != 0 {
		t.Errorf("header length %d is not padded to 8", n)
	}
	f, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors) != len(in) || f.Metadata["note"] != "ünïcode" || f.Metadata["latent.kind"] != "vae" {
		t.Fatalf("decoded %d tensors, metadata %v", len(f.Tensors), f.Metadata)
	}
	for _, want := range in {
		got, err := f.Lookup(want.Name)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Shape, want.Shape) || !slices.Equal(got.Data, want.Data) {
			t.Errorf("%s: got %v %v, want %v %v", want.Name, got.Shape, got.Data, want.Shape, want.Data)
		}
	}
	if _, err := f.Lookup("nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("Lookup of a missing tensor: %v", err)
	}
}

func TestWriteFileAndPyTorchFixture(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.safetensors")
	if err := WriteFile(path, []Tensor{{Name: "a", Shape: []int{2}, Data: []float32{1, 2}}}, nil); err != nil {
		t.Fatal(err)
	}
	if f, err := ReadFile(path); err != nil || f.Tensors[0].Data[1] != 2 || f.Path != path {
		t.Fatalf("ReadFile: %+v, %v", f, err)
	}
	// a file written by PyTorch's side (make_fixtures.py); required, never skipped
	f, err := ReadFile("../../shared/fixtures/ae.safetensors")
	if err != nil {
		t.Fatalf("the PyTorch fixtures must be beside the repo: %v", err)
	}
	for name, shape := range map[string][]int{"input": {8, 1, 28, 28}, "init.encoder.0.weight": {16, 1, 3, 3}, "loss": {1}} {
		x, err := f.Lookup(name)
		if err != nil || !slices.Equal(x.Shape, shape) || len(x.Data) != x.Len() {
			t.Errorf("%s: shape %v (%v), want %v", name, x.Shape, err, shape)
		}
	}
}

// raw builds a file from a header text and a data section.
func raw(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

func TestHostileInput(t *testing.T) {
	eight := make([]byte, 8)
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"short", []byte{1, 2, 3}, "too short"},
		{"zero header", raw("", nil), "header length is 0"},
		{"absurd header", binary.LittleEndian.AppendUint64(nil, 1<<40), "absurd"},
		{"header beyond file", binary.LittleEndian.AppendUint64(nil, 100), "exceeds the file"},
		{"not json", raw("{not json", nil), "JSON"},
		{"not an object", raw(`[1,2]`, nil), "JSON"},
		{"unknown dtype", raw(`{"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}}`, eight), "dtype"},
		{"bad offsets count", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}`, eight), "data_offsets"},
		{"offsets reversed", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}`, eight), "outside"},
		{"offsets beyond data", raw(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, eight), "outside"},
		{"negative offset", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}`, eight), "outside"},
		{"shape vs bytes", raw(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, eight), "needs 12 bytes"},
		{"negative dim", raw(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, eight), "dimension"},
		{"huge dims", raw(`{"a":{"dtype":"F32","shape":[4,4,4,4,4,4,4,4],"data_offsets":[0,8]}}`, eight), "larger than the file"},
		{"overflowing dims", raw(`{"a":{"dtype":"F32","shape":[9223372036854775807,9223372036854775807],"data_offsets":[0,8]}}`, eight), "dimension"},
		{"overlap", raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight), "overlap"},
		{"duplicate name", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight), "twice"},
		{"metadata not strings", raw(`{"__metadata__":{"a":1}}`, nil), "__metadata__"},
		{"unknown field", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`, eight), "bad header entry"},
	} {
		f, err := Decode(c.file)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Decode = %v, %v; want an error containing %q", c.name, f, err, c.want)
		}
		// the same through a file: the error names the path
		path := filepath.Join(t.TempDir(), "bad.safetensors")
		os.WriteFile(path, c.file, 0o644)
		if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: ReadFile error %v should name %s", c.name, err, path)
		}
	}
}

func TestOtherDtypesConvert(t *testing.T) {
	data := binary.LittleEndian.AppendUint64(nil, math.Float64bits(1.5))
	data = binary.LittleEndian.AppendUint16(data, 0x3c00) // F16 1.0
	data = binary.LittleEndian.AppendUint16(data, 0xc000) // F16 -2.0
	data = binary.LittleEndian.AppendUint16(data, 0x3fc0) // BF16 1.5
	f, err := Decode(raw(`{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"h":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[12,14]}}`, data))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]float32{"d": {1.5}, "h": {1, -2}, "b": {1.5}} {
		if got, _ := f.Get(name); !slices.Equal(got.Data, want) {
			t.Errorf("%s: %v, want %v", name, got.Data, want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encode(f, []Tensor{{Name: "a", Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}}}, map[string]string{"k": "v"}))
	if b, err := os.ReadFile("../../shared/fixtures/ae.safetensors"); err == nil {
		n := binary.LittleEndian.Uint64(b)
		f.Add(b[:8+n+64]) // the real header with a little data
	}
	f.Add(raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)))
	f.Add([]byte("not a file at all"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Decode(b)
		if err != nil {
			return
		}
		for _, x := range file.Tensors {
			if len(x.Data) != x.Len() {
				t.Fatalf("%s: %d values for shape %v", x.Name, len(x.Data), x.Shape)
			}
		}
	})
}
