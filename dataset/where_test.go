package dataset

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"latent/fetch"
)

// TestFetchUnreachable: without network a fetch says what failed and how to
// get the data offline, and removes the cache folders it created; a folder
// that was there before stays.
func TestFetchUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there: connection refused
	for _, before := range []bool{false, true} {
		cache := t.TempDir()
		t.Setenv("XDG_CACHE_HOME", cache)
		if before { // latent's cache folder already holds the classifier
			os.MkdirAll(filepath.Join(cache, "latent"), 0o755)
			os.WriteFile(filepath.Join(cache, "latent", "classifier.safetensors"), []byte("x"), 0o644)
		}
		_, err := Fetch(context.Background(), "fashion-mnist", url, fetch.Options{})
		if err == nil || !strings.Contains(err.Error(), "could not reach") || !strings.Contains(err.Error(), "check the network") ||
			!strings.Contains(err.Error(), "dataset-fashion-mnist") {
			t.Errorf("error %v: want what failed and Debian's dataset-fashion-mnist package", err)
		}
		if _, err := os.Stat(filepath.Join(cache, "latent", "fashion-mnist")); err == nil {
			t.Error("the failed fetch left an empty cache folder")
		}
		_, err = os.Stat(filepath.Join(cache, "latent", "classifier.safetensors"))
		if before != (err == nil) {
			t.Errorf("cache folder there before: %v; after: %v", before, err)
		}
		if _, err := os.Stat(filepath.Join(cache, "latent")); !before && err == nil {
			t.Error("the failed fetch left latent's cache folder it created")
		}
	}
}

// TestFetchKeepsAPartialDownload: a fetch cut off after some bytes keeps its
// folder, so that the next run resumes.
func TestFetchKeepsAPartialDownload(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.Write([]byte("partial")) // then hang up
	}))
	defer srv.Close()
	if _, err := Fetch(context.Background(), "fashion-mnist", srv.URL, fetch.Options{}); err == nil {
		t.Fatal("a cut-off download succeeded")
	}
	part := filepath.Join(cache, "latent", "fashion-mnist", Fashion[0].Name+".part")
	if b, err := os.ReadFile(part); err != nil || string(b) != "partial" {
		t.Errorf("partial download: %q, %v", b, err)
	}
}

func TestWhere(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o644)
	for _, c := range []struct {
		spec, want, err string
	}{
		{"idx:" + dir, dir, ""},
		{"images:" + dir, dir, ""},
		{"idx:" + filepath.Join(dir, "nope"), "", "nope"},
		{"images:" + file, "", "not a folder"},
		{"mnist", "", "built into latent"},
		{"idx:", "", "unknown dataset"},
		{"cifar", "", "unknown dataset"},
	} {
		got, err := Where(c.spec)
		if c.err == "" && (err != nil || got != c.want) || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("Where(%q) = %q, %v; want %q or an error containing %q", c.spec, got, err, c.want, c.err)
		}
	}
}

// TestFashionSizes: Fashion-MNIST's files have MNIST's layout, so the
// gunzipped size of each embedded MNIST file of the same name is the size
// the Fashion entry expects.
func TestFashionSizes(t *testing.T) {
	for _, f := range Fashion {
		fh, err := os.Open(filepath.Join("..", "mnist", "data", f.Name))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, zr)
		fh.Close()
		if err != nil || n != f.GunzipSize {
			t.Errorf("%s: MNIST's gunzips to %d bytes (%v), the Fashion entry expects %d", f.Name, n, err, f.GunzipSize)
		}
		if !f.Gunzip || f.Size != 0 {
			t.Errorf("%s: Gunzip %v, Size %d: the checksum must be of the gunzipped data, whose gzip differs between copies", f.Name, f.Gunzip, f.Size)
		}
	}
}
