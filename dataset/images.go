package dataset

import (
	"fmt"
	"image"
	_ "image/jpeg" // decoders for LoadImages
	_ "image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/image/draw"

	"latent/mnist"
)

// side is the models' image size.
const side = 28

// LoadImages reads a folder of PNG/JPEG files sorted into one subfolder per
// label (labels are the subfolders in name order: 0, 1, …), converts them to
// grayscale and resizes them to 28×28 (Catmull-Rom). A sixth of the images,
// chosen by a fixed shuffle, becomes the test set. Images should be light
// strokes on a dark background, as MNIST's are.
func LoadImages(dir string) (train, test *mnist.Set, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("images:%s: %w", dir, err)
	}
	var labels []string
	for _, e := range entries {
		if e.IsDir() {
			labels = append(labels, e.Name())
		}
	}
	slices.Sort(labels)
	if len(labels) == 0 || len(labels) > 256 {
		return nil, nil, fmt.Errorf("images:%s: want 1 to 256 label subfolders, found %d", dir, len(labels))
	}
	all := &mnist.Set{Rows: side, Cols: side}
	for li, label := range labels {
		files, err := os.ReadDir(filepath.Join(dir, label))
		if err != nil {
			return nil, nil, fmt.Errorf("images:%s: %w", dir, err)
		}
		for _, f := range files {
			ext := strings.ToLower(filepath.Ext(f.Name()))
			if f.IsDir() || (ext != ".png" && ext != ".jpg" && ext != ".jpeg") {
				continue
			}
			path := filepath.Join(dir, label, f.Name())
			px, err := readGray28(path)
			if err != nil {
				return nil, nil, err
			}
			all.Images = append(all.Images, px...)
			all.Labels = append(all.Labels, uint8(li))
			all.N++
		}
	}
	if all.N < 12 {
		return nil, nil, fmt.Errorf("images:%s: %d images; at least 12 are needed (train, validation and test)", dir, all.N)
	}
	perm := rand.New(rand.NewPCG(0x1a7e, 0x1a7e)).Perm(all.N)
	nTest := all.N / 6
	return subset(all, perm[nTest:]), subset(all, perm[:nTest]), nil
}

// readGray28 decodes one image and returns its 28×28 grayscale pixels.
func readGray28(path string) ([]uint8, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("%s: not a PNG or JPEG image: %w", path, err)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > 8192 || cfg.Height > 8192 {
		return nil, fmt.Errorf("%s: %d×%d pixels; want 1 to 8192 on each side", path, cfg.Width, cfg.Height)
	}
	if _, err := f.Seek(0, 0); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	gray := image.NewGray(image.Rect(0, 0, side, side))
	draw.CatmullRom.Scale(gray, gray.Bounds(), img, img.Bounds(), draw.Src, nil)
	return gray.Pix, nil
}

// subset copies the images idx of s into a new set.
func subset(s *mnist.Set, idx []int) *mnist.Set {
	out := &mnist.Set{N: len(idx), Rows: s.Rows, Cols: s.Cols,
		Images: make([]uint8, 0, len(idx)*s.Pixels()), Labels: make([]uint8, 0, len(idx))}
	for _, i := range idx {
		out.Images = append(out.Images, s.Image(i)...)
		out.Labels = append(out.Labels, s.Labels[i])
	}
	return out
}
