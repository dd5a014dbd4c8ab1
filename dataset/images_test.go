package dataset

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff" // also registers the TIFF decoder, as gonum/plot does in the latent binary
)

// stroke is a small image with a bright bar, in every format the tests need.
func stroke() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, 32, 32))
	for y := 8; y < 24; y++ {
		for x := 14; x < 18; x++ {
			img.SetGray(x, y, color.Gray{255})
		}
	}
	return img
}

func encoded(t testing.TB, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, stroke())
	case "jpeg":
		err = jpeg.Encode(&b, stroke(), nil)
	case "tiff":
		err = tiff.Encode(&b, stroke(), nil)
	case "gif":
		err = gif.Encode(&b, stroke(), nil)
	case "bmp":
		err = bmp.Encode(&b, stroke())
	default:
		t.Fatalf("unknown format %q", format)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngChunk appends one PNG chunk with its CRC.
func pngChunk(b []byte, typ string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	start := len(b)
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}

// hugePNG is a valid PNG header declaring w×h RGBA pixels, followed by a
// short IDAT: a decoder that trusts the header allocates w·h·4 bytes.
func hugePNG(w, h uint32) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8 bits, RGBA, deflate, filter 0, no interlace
	b = pngChunk(b, "IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 64))
	zw.Close()
	b = pngChunk(b, "IDAT", z.Bytes())
	return pngChunk(b, "IEND", nil)
}

// labelledFolder writes 12 good PNGs in two label folders, plus extra
// (name → content) into folder "1".
func labelledFolder(t *testing.T, extra map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	good := encoded(t, "png")
	for _, l := range []string{"0", "1"} {
		os.MkdirAll(filepath.Join(dir, l), 0o755)
		for i := range 6 {
			if err := os.WriteFile(filepath.Join(dir, l, string(rune('a'+i))+".png"), good, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, data := range extra {
		if err := os.WriteFile(filepath.Join(dir, "1", name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadImagesDecodesOnlyPNGAndJPEG(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content []byte
		want    string // "" means accepted
	}{
		{"x.png", encoded(t, "png"), ""},
		{"x.jpg", encoded(t, "jpeg"), ""},
		{"x.png", encoded(t, "jpeg"), ""}, // the content decides, not the name
		{"x.jpeg", encoded(t, "png"), ""},
		{"x.png", encoded(t, "tiff"), "its content is TIFF"},
		{"x.jpg", encoded(t, "gif"), "its content is GIF"},
		{"x.png", encoded(t, "bmp"), "its content is BMP"},
		{"x.png", []byte("RIFF\x10\x00\x00\x00WEBPVP8 "), "its content is WebP"},
		{"x.png", []byte("hello"), "its content is neither"},
		{"x.png", nil, "its content is neither"},
		{"x.png", []byte("\x89PNG\r\n\x1a\n"), "damaged PNG header"},
		{"x.jpg", encoded(t, "jpeg")[:40], "damaged JPEG"},
		{"x.png", encoded(t, "png")[:60], "damaged PNG"},
	} {
		t.Run(tc.name+"/"+tc.want, func(t *testing.T) {
			dir := labelledFolder(t, map[string][]byte{tc.name: tc.content})
			train, test, err := LoadImages(dir)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if train.N+test.N != 13 {
					t.Errorf("%d images, want 13", train.N+test.N)
				}
				return
			}
			bad := filepath.Join(dir, "1", tc.name)
			if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one naming %s and saying %q", err, bad, tc.want)
			}
		})
	}
}

func TestLoadImagesRefusesHugeImagesWithoutAllocating(t *testing.T) {
	for _, tc := range []struct {
		name string
		w, h uint32
	}{
		{"8192 square (64 Mpx)", 8192, 8192},
		{"too wide", 60000, 1},
		{"too tall", 1, 9000},
		{"2^31-1 wide", 0x7fffffff, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := labelledFolder(t, map[string][]byte{"huge.png": hugePNG(tc.w, tc.h)})
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, _, err := LoadImages(dir)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "huge.png") || !strings.Contains(err.Error(), "declares") {
				t.Errorf("err = %v, want one naming huge.png and its declared size", err)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
				t.Errorf("refusing the header allocated %d MB", got>>20)
			}
		})
	}
	// the limits themselves are accepted (a header only: decoding then fails on the pixels)
	_, err := gray28("edge.png", bytes.NewReader(hugePNG(4096, 4096)))
	if err == nil || strings.Contains(err.Error(), "declares") {
		t.Errorf("a 4096×4096 PNG: err = %v, want a damaged-pixels error, not a size refusal", err)
	}
}

// FuzzDecodeImage feeds arbitrary bytes to the images:DIR decoder: it must
// return an error or a 28×28 image, never panic or allocate past its limits.
func FuzzDecodeImage(f *testing.F) {
	for _, format := range []string{"png", "jpeg", "tiff", "gif", "bmp"} {
		f.Add(encoded(f, format))
	}
	f.Add(hugePNG(100, 100))
	f.Add(hugePNG(8192, 8192))
	f.Add(encoded(f, "png")[:50])
	f.Fuzz(func(t *testing.T, data []byte) {
		px, err := gray28("fuzz.png", bytes.NewReader(data))
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.png") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		if len(px) != side*side {
			t.Errorf("%d pixels, want %d", len(px), side*side)
		}
	})
}
