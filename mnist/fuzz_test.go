package mnist

import (
	"bytes"
	"testing"
)

func fuzzSeeds(f *testing.F, valid [][]byte) {
	for _, v := range valid {
		f.Add(v)
		f.Add(gz(v))
		f.Add(v[:len(v)-1])
		f.Add(append(append([]byte{}, v...), 0))
		g := gz(v)
		f.Add(g[:len(g)/2])
	}
	f.Add([]byte{})
	f.Add([]byte{0x1f, 0x8b})
	f.Add([]byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0x10, 0, 0, 0, 0x10, 0})
	f.Add([]byte{0, 0, 9, 1, 0, 0, 0, 1, 5})
}

func FuzzReadImages(f *testing.F) {
	fuzzSeeds(f, [][]byte{
		idx(8, []uint32{2, 3, 3}, seq(18)),
		idx(8, []uint32{1, 28, 28}, seq(784)),
		idx(8, []uint32{1, 1, 1}, []byte{9}),
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		images, n, rows, cols, err := ReadImages("fuzz", bytes.NewReader(data))
		if err != nil {
			if images != nil || n != 0 {
				t.Fatalf("error %v with result", err)
			}
			if _, ok := err.(*FormatError); !ok {
				t.Fatalf("error %T is not a *FormatError", err)
			}
			return
		}
		if n <= 0 || rows <= 0 || cols <= 0 || len(images) != n*rows*cols {
			t.Fatalf("len(images)=%d, n=%d rows=%d cols=%d", len(images), n, rows, cols)
		}
	})
}

func FuzzReadLabels(f *testing.F) {
	fuzzSeeds(f, [][]byte{
		idx(8, []uint32{4}, []byte{1, 2, 3, 9}),
		idx(8, []uint32{1}, []byte{7}),
		idx(8, []uint32{100}, seq(100)),
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		labels, err := ReadLabels("fuzz", bytes.NewReader(data))
		if err != nil {
			if labels != nil {
				t.Fatalf("error %v with result", err)
			}
			if _, ok := err.(*FormatError); !ok {
				t.Fatalf("error %T is not a *FormatError", err)
			}
			return
		}
		if len(labels) == 0 || len(data) < 9 {
			t.Fatalf("%d labels from %d bytes", len(labels), len(data))
		}
	})
}
