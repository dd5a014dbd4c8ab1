package mnist

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// idx builds an IDX file: magic 0 0 dtype len(dims), dims big-endian, data.
func idx(dtype byte, dims []uint32, data []byte) []byte {
	b := []byte{0, 0, dtype, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

var (
	embOnce           sync.Once
	embTrain, embTest *Set
	embErr            error
	embElapsed        time.Duration
)

func loadEmbedded(t testing.TB) (train, test *Set) {
	t.Helper()
	embOnce.Do(func() {
		start := time.Now()
		embTrain, embTest, embErr = LoadEmbedded()
		embElapsed = time.Since(start)
	})
	if embErr != nil {
		t.Fatal(embErr)
	}
	return embTrain, embTest
}

func TestEmbeddedFiles(t *testing.T) {
	tests := []struct{ name, sha256, md5 string }{
		{"train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", "f68b3c2dcbeaaa9fbdd348bbdeb94873"},
		{"train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", "d53e105ee54ea40749a09fcbcd1e9432"},
		{"t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", "9fb629c4189551a2d022fa330f9573f3"},
		{"t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", "ec29112dd5afa0611ce80d1b7f02629c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := embedded.ReadFile("data/" + tt.name)
			if err != nil {
				t.Fatal(err)
			}
			s := sha256.Sum256(b)
			if got := hex.EncodeToString(s[:]); got != tt.sha256 {
				t.Errorf("sha256 = %s, want %s", got, tt.sha256)
			}
			m := md5.Sum(b)
			if got := hex.EncodeToString(m[:]); got != tt.md5 {
				t.Errorf("md5 = %s, want %s", got, tt.md5)
			}
		})
	}
}

func TestLoadEmbedded(t *testing.T) {
	train, test := loadEmbedded(t)
	t.Logf("LoadEmbedded took %v", embElapsed)
	for _, tt := range []struct {
		name     string
		s        *Set
		n        int
		firstLbl uint8
	}{
		{"train", train, 60000, 5},
		{"test", test, 10000, 7},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.s
			if s.N != tt.n || s.Rows != 28 || s.Cols != 28 || s.Pixels() != 784 {
				t.Fatalf("got N=%d %dx%d, want %d 28x28", s.N, s.Rows, s.Cols, tt.n)
			}
			if len(s.Images) != s.N*784 || len(s.Labels) != s.N {
				t.Fatalf("len(Images)=%d len(Labels)=%d", len(s.Images), len(s.Labels))
			}
			if s.Labels[0] != tt.firstLbl {
				t.Errorf("first label = %d, want %d", s.Labels[0], tt.firstLbl)
			}
			var hist [10]int
			for _, l := range s.Labels {
				if l > 9 {
					t.Fatalf("label %d > 9", l)
				}
				hist[l]++
			}
			sum := 0
			for d, c := range hist {
				if c < s.N/20 {
					t.Errorf("digit %d has only %d examples", d, c)
				}
				sum += c
			}
			if sum != s.N {
				t.Errorf("histogram sums to %d, want %d", sum, s.N)
			}
			if img := s.Image(0); len(img) != 784 {
				t.Errorf("Image(0) has %d pixels", len(img))
			}
		})
	}
	// Known class counts of the canonical training set.
	var hist [10]int
	for _, l := range train.Labels {
		hist[l]++
	}
	if want := [10]int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}; hist != want {
		t.Errorf("train histogram = %v, want %v", hist, want)
	}
}

func TestLoadEquivalence(t *testing.T) {
	train, test := loadEmbedded(t)
	// Load("") is the embedded set; LoadDir of a copy (mixing plain and gz)
	// gives the same data.
	tr2, te2, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tr2.Images, train.Images) || !bytes.Equal(te2.Labels, test.Labels) {
		t.Fatal("Load(\"\") differs from LoadEmbedded")
	}
	dir := t.TempDir()
	for i, base := range []string{TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile} {
		b, err := embedded.ReadFile("data/" + base + ".gz")
		if err != nil {
			t.Fatal(err)
		}
		name := base + ".gz"
		if i%2 == 1 { // store labels uncompressed
			lbl, err := ReadLabels(name, bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			b, name = idx(8, []uint32{uint32(len(lbl))}, lbl), base
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tr3, te3, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tr3.Images, train.Images) || !bytes.Equal(tr3.Labels, train.Labels) ||
		!bytes.Equal(te3.Images, test.Images) || !bytes.Equal(te3.Labels, test.Labels) {
		t.Fatal("LoadDir differs from LoadEmbedded")
	}
}

// opaque hides the Len method of a reader, so its size is unknown.
type opaque struct{ r io.Reader }

func (o opaque) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestReadValid(t *testing.T) {
	big := seq(100 * 28 * 28) // larger than the initial read chunk
	for _, tt := range []struct {
		name                string
		n, rows, cols, nLbl int
		gzip, opaque        bool
	}{
		{"plain", 3, 2, 5, 4, false, false},
		{"gzip", 3, 2, 5, 4, true, false},
		{"big plain", 100, 28, 28, 100, false, false},
		{"big gzip", 100, 28, 28, 100, true, false},
		{"big plain unknown size", 100, 28, 28, 100, false, true},
		{"big gzip unknown size", 100, 28, 28, 100, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pix := big[:tt.n*tt.rows*tt.cols]
			img := idx(8, []uint32{uint32(tt.n), uint32(tt.rows), uint32(tt.cols)}, pix)
			lbl := idx(8, []uint32{uint32(tt.nLbl)}, big[:tt.nLbl])
			if tt.gzip {
				img, lbl = gz(img), gz(lbl)
			}
			rd := func(b []byte) io.Reader {
				if tt.opaque {
					return opaque{bytes.NewReader(b)}
				}
				return bytes.NewReader(b)
			}
			data, n, r, c, err := ReadImages("x", rd(img))
			if err != nil || n != tt.n || r != tt.rows || c != tt.cols || !bytes.Equal(data, pix) {
				t.Errorf("ReadImages = %d bytes, %d %d %d %v", len(data), n, r, c, err)
			}
			l, err := ReadLabels("y", rd(lbl))
			if err != nil || !bytes.Equal(l, big[:tt.nLbl]) {
				t.Errorf("ReadLabels = %v %v", l, err)
			}
		})
	}
}

func TestHostileInput(t *testing.T) {
	good := idx(8, []uint32{2, 3, 3}, seq(18))
	corrupt := gz(good)
	corrupt[10] = 0xff // first deflate block header: reserved block type
	flipped := gz(good)
	flipped[len(flipped)/2] ^= 0xff
	badCRC := gz(good)
	badCRC[len(badCRC)-6] ^= 0xff // CRC-32 is in the last 8 bytes
	tests := []struct {
		name   string
		labels bool
		data   []byte
		want   string // keyword expected in the error text
	}{
		{"empty", false, nil, "empty"},
		{"empty labels", true, nil, "empty"},
		{"one byte", false, []byte{0}, "truncated"},
		{"short header", false, idx(8, []uint32{2, 3}, nil), "wrong number of dimensions"},
		{"truncated dims", false, good[:9], "truncated"},
		{"wrong magic", false, append([]byte{1, 2}, good[2:]...), "magic"},
		{"png", false, []byte("\x89PNG\r\n\x1a\n...."), "magic"},
		{"wrong dtype", false, idx(0x0D, []uint32{2, 3, 3}, seq(72)), "unsupported data type 0x0D"},
		{"wrong dtype labels", true, idx(0x0B, []uint32{2}, seq(4)), "unsupported data type 0x0B"},
		{"labels as images", false, idx(8, []uint32{4}, seq(4)), "want 3, got 1"},
		{"images as labels", true, good, "want 1, got 3"},
		{"zero dims", false, idx(8, []uint32{2, 3, 3}, nil)[:4], "truncated"},
		{"zero n", false, idx(8, []uint32{0, 3, 3}, nil), "is 0"},
		{"zero rows", false, idx(8, []uint32{2, 0, 3}, nil), "is 0"},
		{"zero cols", false, idx(8, []uint32{2, 3, 0}, nil), "is 0"},
		{"zero labels", true, idx(8, []uint32{0}, nil), "is 0"},
		{"huge n", false, idx(8, []uint32{0xFFFFFFFF, 28, 28}, nil), "too large"},
		{"huge rows", false, idx(8, []uint32{1, 1 << 20, 28}, nil), "too large"},
		{"huge labels", true, idx(8, []uint32{0xFFFFFFFF}, nil), "too large"},
		{"overflowing product", false, idx(8, []uint32{MaxItems, MaxSide, MaxSide}, nil), "too large"},
		{"large claim tiny file", false, idx(8, []uint32{100, 4096, 4096}, seq(10)), "truncated: header says 100 images of 4096x4096 (1677721600 bytes), got 10 bytes"},
		{"truncated plain", false, good[:len(good)-1], "truncated: header says 2 images of 3x3 (18 bytes), got 17 bytes"},
		{"truncated labels", true, idx(8, []uint32{5}, seq(3)), "truncated: header says 5 labels (5 bytes), got 3 bytes"},
		{"truncated gzip payload", false, gz(good[:len(good)-5]), "truncated: header says 2 images of 3x3 (18 bytes), got 13 bytes"},
		{"truncated gzip stream", false, gz(good)[:20], "gzip"},
		{"gzip missing trailer", false, gz(good)[:len(gz(good))-4], "gzip"},
		{"trailing data", false, append(append([]byte{}, good...), 0), "trailing data after 2 images"},
		{"trailing data gzip", false, gz(append(append([]byte{}, good...), 1, 2)), "trailing data after 2 images"},
		{"trailing labels", true, idx(8, []uint32{2}, seq(3)), "trailing data after 2 labels"},
		{"corrupt gzip", false, corrupt, "gzip"},
		{"gzip flipped byte", false, flipped, ""},
		{"gzip bad crc", false, badCRC, "gzip"},
		{"gzip bad header", false, []byte{0x1f, 0x8b, 0, 0, 0, 0}, "gzip"},
		{"gzip empty payload", false, gz(nil), "empty"},
	}
	for _, tt := range tests {
		for _, unknownSize := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/unknown_size=%v", tt.name, unknownSize), func(t *testing.T) {
				const file = "hostile-idx.gz"
				var in io.Reader = bytes.NewReader(tt.data)
				if unknownSize {
					in = opaque{in}
				}
				var err error
				if tt.labels {
					var l []uint8
					l, err = ReadLabels(file, in)
					if err == nil {
						t.Fatalf("no error, got %d labels", len(l))
					}
				} else {
					var n int
					_, n, _, _, err = ReadImages(file, in)
					if err == nil {
						t.Fatalf("no error, got %d images", n)
					}
				}
				msg := err.Error()
				if !strings.HasPrefix(msg, file+": ") {
					t.Errorf("error %q does not start with file name", msg)
				}
				if !strings.Contains(msg, tt.want) {
					t.Errorf("error %q does not contain %q", msg, tt.want)
				}
				if _, ok := err.(*FormatError); !ok {
					t.Errorf("error is %T, want *FormatError", err)
				}
			})
		}
	}
}

func TestLoadDirErrors(t *testing.T) {
	img := func(n uint32) []byte { return idx(8, []uint32{n, 2, 2}, seq(int(n)*4)) }
	lbl := func(n uint32) []byte { return idx(8, []uint32{n}, seq(int(n))) }
	type files map[string][]byte
	tests := []struct {
		name  string
		files files
		want  []string
	}{
		{"ok", files{
			"train-images-idx3-ubyte": img(5), "train-labels-idx1-ubyte.gz": gz(lbl(5)),
			"t10k-images-idx3-ubyte.gz": gz(img(3)), "t10k-labels-idx1-ubyte": lbl(3),
		}, nil},
		{"train count mismatch", files{
			"train-images-idx3-ubyte": img(5), "train-labels-idx1-ubyte": lbl(4),
			"t10k-images-idx3-ubyte": img(3), "t10k-labels-idx1-ubyte": lbl(3),
		}, []string{"mismatch", "train-labels-idx1-ubyte", "train-images-idx3-ubyte", "4 labels", "5 images"}},
		{"test count mismatch", files{
			"train-images-idx3-ubyte": img(5), "train-labels-idx1-ubyte": lbl(5),
			"t10k-images-idx3-ubyte.gz": gz(img(3)), "t10k-labels-idx1-ubyte.gz": gz(lbl(7)),
		}, []string{"mismatch", "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"}},
		{"missing file", files{
			"train-images-idx3-ubyte": img(5), "train-labels-idx1-ubyte": lbl(5),
			"t10k-images-idx3-ubyte": img(3),
		}, []string{"t10k-labels-idx1-ubyte", "neither", "DIR"}},
		{"size mismatch", files{
			"train-images-idx3-ubyte": img(5), "train-labels-idx1-ubyte": lbl(5),
			"t10k-images-idx3-ubyte": idx(8, []uint32{1, 3, 3}, seq(9)), "t10k-labels-idx1-ubyte": lbl(1),
		}, []string{"size mismatch", "t10k-images-idx3-ubyte"}},
		{"bad file", files{
			"train-images-idx3-ubyte": img(5)[:20], "train-labels-idx1-ubyte": lbl(5),
			"t10k-images-idx3-ubyte": img(3), "t10k-labels-idx1-ubyte": lbl(3),
		}, []string{"train-images-idx3-ubyte", "truncated"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, b := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			train, test, err := LoadDir(dir)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if train.N != 5 || test.N != 3 || train.Pixels() != 4 || !bytes.Equal(test.Labels, seq(3)) {
					t.Errorf("got train %+v test %+v", train, test)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if w == "DIR" {
					w = dir
				}
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// A tiny file claiming a huge payload must not make the reader allocate it.
func TestHostileAllocation(t *testing.T) {
	hdr := idx(8, []uint32{500, 4096, 4096}, seq(100)) // claims 8 GB
	for _, in := range []func() io.Reader{
		func() io.Reader { return bytes.NewReader(hdr) },
		func() io.Reader { return opaque{bytes.NewReader(hdr)} },
		func() io.Reader { return bytes.NewReader(gz(hdr)) },
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, _, _, err := ReadImages("tiny", in())
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "truncated") {
			t.Fatalf("err = %v", err)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
			t.Errorf("allocated %d bytes for a %d-byte file", got, len(hdr))
		}
	}
}
