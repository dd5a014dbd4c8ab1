package dataset

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"latent/fetch"
)

func TestLoadNames(t *testing.T) {
	train, test, err := Load("mnist")
	if err != nil || train.N != 60000 || test.N != 10000 {
		t.Fatalf("mnist: %v", err)
	}
	for _, bad := range []string{"cifar", "idx:/no/such/dir", "images:/no/such/dir"} {
		if _, _, err := Load(bad); err == nil {
			t.Errorf("Load(%q) accepted", bad)
		}
	}
}

// writeImages makes a folder of labelled PNGs of two sizes.
func writeImages(t *testing.T, dir string, perLabel int) {
	for l, name := range []string{"0", "1", "2"} {
		os.MkdirAll(filepath.Join(dir, name), 0o755)
		for i := range perLabel {
			img := image.NewRGBA(image.Rect(0, 0, 40+i, 30))
			for x := 0; x < 40+i; x++ {
				img.Set(x, 10*l, color.White) // a bright line whose height encodes the label
			}
			f, _ := os.Create(filepath.Join(dir, name, string(rune('a'+i))+".png"))
			png.Encode(f, img)
			f.Close()
		}
	}
	os.WriteFile(filepath.Join(dir, "0", "notes.txt"), []byte("ignored"), 0o644)
}

func TestLoadImages(t *testing.T) {
	dir := t.TempDir()
	writeImages(t, dir, 6)
	train, test, err := Load("images:" + dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.N+test.N != 18 || test.N != 3 || train.Rows != 28 || train.Cols != 28 {
		t.Fatalf("train %d, test %d images of %d×%d", train.N, test.N, train.Rows, train.Cols)
	}
	// the bright line survives the resize: some row of each image is bright
	for i := range train.N {
		img := train.Image(i)
		bright := false
		for _, v := range img {
			bright = bright || v > 100
		}
		if !bright || train.Labels[i] > 2 {
			t.Fatalf("image %d (label %d) lost its stroke", i, train.Labels[i])
		}
	}
	// a broken image is an error naming it
	bad := filepath.Join(dir, "1", "broken.png")
	os.WriteFile(bad, []byte("\x89PNG not really"), 0o644)
	if _, _, err := LoadImages(dir); err == nil || !strings.Contains(err.Error(), "broken.png") {
		t.Errorf("broken image: %v", err)
	}
	if _, _, err := LoadImages(t.TempDir()); err == nil {
		t.Error("an empty folder was accepted")
	}
}

// TestFetchFromALocalServer serves Debian's Fashion-MNIST files (when the
// package is installed) or checks that a wrong file is refused.
func TestFetchFromALocalServer(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	srv := httptest.NewServer(http.FileServer(http.Dir(DebianFashionDir)))
	defer srv.Close()
	if _, err := os.Stat(filepath.Join(DebianFashionDir, Fashion[0].Name)); err != nil {
		// without the package, the server has nothing: a clear error, no file
		_, err := Fetch(context.Background(), "fashion-mnist", srv.URL, fetch.Options{})
		if err == nil || !strings.Contains(err.Error(), "404") {
			t.Fatalf("fetch from an empty server: %v", err)
		}
		return
	}
	dir, err := Fetch(context.Background(), "fashion-mnist", srv.URL, fetch.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if found, err := FindFashion(); err != nil || found != dir {
		t.Errorf("FindFashion = %q, %v; want the cache %q", found, err, dir)
	}
	if _, err := Fetch(context.Background(), "mnist", srv.URL, fetch.Options{}); err == nil {
		t.Error("fetching mnist should say it is built in")
	}
}
