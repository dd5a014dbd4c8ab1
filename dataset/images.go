package dataset

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/image/draw"

	"latent/mnist"
)

// side is the models' image size: MNIST's.
const side = mnist.Side

// LoadImages reads a folder of PNG/JPEG files sorted into one subfolder per
// label (labels are the subfolders in name order: 0, 1, …), converts them to
// grayscale and resizes them to 28×28 (Catmull-Rom). A sixth of the images,
// chosen by a fixed shuffle, becomes the test set. Images should be light
// strokes on a dark background, as MNIST's are.
//
// Files named *.png, *.jpg or *.jpeg are read; each is decoded as a PNG or a
// JPEG according to its content, and anything else (a TIFF named x.png, say)
// is an error naming the file, as is a header declaring more than 8192 pixels
// on a side or 16 Mpx in all.
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

// Limits on one file of images:DIR, checked on its header before any pixel
// is decoded: a PNG or JPEG may declare up to 65535 pixels on a side, and
// decoding one that large would take gigabytes.
const (
	maxImageSide   = 8192
	maxImagePixels = 1 << 24 // 16 Mpx: a phone photo fits; ≤ 128 MB decoded at 16 bits per channel
)

// Magic bytes of the two formats LoadImages decodes.
var (
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
	jpegMagic = []byte{0xff, 0xd8, 0xff}
)

// otherFormat names a few image formats that are not decoded, to say what a
// refused file is.
func otherFormat(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return "TIFF"
	case bytes.HasPrefix(head, []byte("GIF8")):
		return "GIF"
	case bytes.HasPrefix(head, []byte("BM")):
		return "BMP"
	case len(head) >= 12 && bytes.HasPrefix(head, []byte("RIFF")) && string(head[8:12]) == "WEBP":
		return "WebP"
	}
	return ""
}

// readGray28 decodes one image and returns its 28×28 grayscale pixels.
func readGray28(path string) ([]uint8, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return gray28(path, f)
}

// gray28 decodes r (a PNG or JPEG named path) and resizes it to 28×28 gray.
func gray28(path string, r io.ReadSeeker) ([]uint8, error) {
	img, err := decodePNGOrJPEG(path, r)
	if err != nil {
		return nil, err
	}
	gray := image.NewGray(image.Rect(0, 0, side, side))
	draw.CatmullRom.Scale(gray, gray.Bounds(), img, img.Bounds(), draw.Src, nil)
	return gray.Pix, nil
}

// decodePNGOrJPEG decodes r as a PNG or a JPEG, chosen by its magic bytes
// whatever the file's name, and refuses every other format (image.Decode
// would pick any registered decoder, TIFF included, from the content). The
// size declared in the header is checked before the pixels are decoded.
// Errors name path.
func decodePNGOrJPEG(path string, r io.ReadSeeker) (image.Image, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(12)
	var decodeConfig func(io.Reader) (image.Config, error)
	var decode func(io.Reader) (image.Image, error)
	var format string
	switch {
	case bytes.HasPrefix(head, pngMagic):
		decodeConfig, decode, format = png.DecodeConfig, png.Decode, "PNG"
	case bytes.HasPrefix(head, jpegMagic):
		decodeConfig, decode, format = jpeg.DecodeConfig, jpeg.Decode, "JPEG"
	default:
		what := "its content is neither"
		if f := otherFormat(head); f != "" {
			what = "its content is " + f
		}
		return nil, fmt.Errorf("%s: not a PNG or JPEG image (%s); images:DIR reads only PNG and JPEG files, convert it or remove it", path, what)
	}
	cfg, err := decodeConfig(br)
	if err != nil {
		return nil, fmt.Errorf("%s: damaged %s header: %w", path, format, err)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > maxImageSide || cfg.Height > maxImageSide ||
		cfg.Width*cfg.Height > maxImagePixels {
		return nil, fmt.Errorf("%s: the %s declares %d×%d pixels; images:DIR takes 1 to %d on a side and at most %d Mpx: resize it (the models see 28×28)",
			path, format, cfg.Width, cfg.Height, maxImageSide, maxImagePixels>>20)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	img, err := decode(bufio.NewReader(r))
	if err != nil {
		return nil, fmt.Errorf("%s: damaged %s: %w", path, format, err)
	}
	return img, nil
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
