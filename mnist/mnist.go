package mnist

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

//go:embed data/*.gz
var embedded embed.FS

// Canonical MNIST file base names (without the optional .gz suffix).
const (
	TrainImagesFile = "train-images-idx3-ubyte"
	TrainLabelsFile = "train-labels-idx1-ubyte"
	TestImagesFile  = "t10k-images-idx3-ubyte"
	TestLabelsFile  = "t10k-labels-idx1-ubyte"
)

// The MNIST geometry: one channel of Side×Side pixels, Classes labels. Every
// package that assumes MNIST's shape takes it from here.
const (
	Side    = 28
	Pixels  = Side * Side
	Classes = 10
)

// Set is a set of equally sized grayscale images with their labels.
type Set struct {
	Images        []uint8 // N*Rows*Cols bytes, image i at [i*Rows*Cols:(i+1)*Rows*Cols], row-major
	Labels        []uint8 // N labels (0..9 for MNIST)
	N, Rows, Cols int
}

// Pixels returns the number of pixels per image, Rows*Cols.
func (s *Set) Pixels() int { return s.Rows * s.Cols }

// Image returns the pixels of image i (a sub-slice of s.Images).
func (s *Set) Image(i int) []uint8 {
	p := s.Pixels()
	return s.Images[i*p : (i+1)*p : (i+1)*p]
}

// opener opens one file; path is the name used in errors.
type opener func(base string) (rc io.ReadCloser, path string, err error)

// LoadDir reads the four canonical MNIST files from dir, each either plain or
// with a .gz suffix (the plain file wins if both exist).
func LoadDir(dir string) (train, test *Set, err error) {
	return load(func(base string) (io.ReadCloser, string, error) {
		for _, name := range []string{base, base + ".gz"} {
			p := filepath.Join(dir, name)
			f, err := os.Open(p)
			if err == nil {
				return f, p, nil
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return nil, p, fmt.Errorf("mnist: %w", err)
			}
		}
		return nil, "", fmt.Errorf("mnist: %s: neither %s nor %s.gz found; an idx folder holds the four MNIST-format files train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each plain or .gz)", dir, base, base)
	})
}

// LoadEmbedded returns the embedded canonical MNIST (60000 train, 10000 test,
// 28x28). Each call decodes afresh and returns new sets.
func LoadEmbedded() (train, test *Set, err error) {
	return load(func(base string) (io.ReadCloser, string, error) {
		name := base + ".gz"
		f, err := embedded.Open("data/" + name)
		if err != nil {
			return nil, name, fmt.Errorf("mnist: embedded %s: %w", name, err)
		}
		return f, name, nil
	})
}

// Load returns the embedded MNIST if dir is "", else LoadDir(dir).
func Load(dir string) (train, test *Set, err error) {
	if dir == "" {
		return LoadEmbedded()
	}
	return LoadDir(dir)
}

// load reads the four files concurrently and assembles the two sets.
func load(open opener) (train, test *Set, err error) {
	type imgRes struct {
		path          string
		data          []uint8
		n, rows, cols int
		err           error
	}
	type lblRes struct {
		path string
		data []uint8
		err  error
	}
	readImg := func(base string, out chan<- imgRes) {
		rc, p, err := open(base)
		if err != nil {
			out <- imgRes{err: err}
			return
		}
		defer rc.Close()
		d, n, r, c, err := ReadImages(p, rc)
		out <- imgRes{p, d, n, r, c, err}
	}
	readLbl := func(base string, out chan<- lblRes) {
		rc, p, err := open(base)
		if err != nil {
			out <- lblRes{err: err}
			return
		}
		defer rc.Close()
		d, err := ReadLabels(p, rc)
		out <- lblRes{p, d, err}
	}
	trI, teI := make(chan imgRes, 1), make(chan imgRes, 1)
	trL, teL := make(chan lblRes, 1), make(chan lblRes, 1)
	go readImg(TrainImagesFile, trI)
	go readLbl(TrainLabelsFile, trL)
	go readImg(TestImagesFile, teI)
	go readLbl(TestLabelsFile, teL)
	ti, tl, ei, el := <-trI, <-trL, <-teI, <-teL
	for _, e := range []error{ti.err, tl.err, ei.err, el.err} {
		if e != nil {
			return nil, nil, e
		}
	}
	mk := func(im imgRes, lb lblRes) (*Set, error) {
		if len(lb.data) != im.n {
			return nil, fmt.Errorf("mnist: count mismatch: %s has %d labels but %s has %d images", lb.path, len(lb.data), im.path, im.n)
		}
		return &Set{Images: im.data, Labels: lb.data, N: im.n, Rows: im.rows, Cols: im.cols}, nil
	}
	if train, err = mk(ti, tl); err != nil {
		return nil, nil, err
	}
	if test, err = mk(ei, el); err != nil {
		return nil, nil, err
	}
	if train.Rows != test.Rows || train.Cols != test.Cols {
		return nil, nil, fmt.Errorf("mnist: image size mismatch: %s is %dx%d but %s is %dx%d", ti.path, train.Rows, train.Cols, ei.path, test.Rows, test.Cols)
	}
	return train, test, nil
}
