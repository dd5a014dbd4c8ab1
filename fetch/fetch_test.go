package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var content = []byte(strings.Repeat("latent fetch test data. ", 5000))

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// server serves content at /good (with ranges), a truncated copy at /short,
// a corrupted copy at /bad, an error at /error and a stall at /stall.
func server(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/good", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "good", time.Time{}, strings.NewReader(string(content)))
	})
	mux.HandleFunc("/short", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "120000")
		w.Write(content[:1000]) // then hang up
	})
	mux.HandleFunc("/bad", func(w http.ResponseWriter, r *http.Request) {
		bad := append([]byte(nil), content...)
		bad[500] ^= 1
		w.Write(bad)
	})
	mux.HandleFunc("/error", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusInternalServerError)
	})
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "120000")
		w.Write(content[:100])
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func TestGet(t *testing.T) {
	s := server(t)
	for _, c := range []struct {
		path    string
		wantErr string
	}{
		{"/good", ""},
		{"/short", "resume"},
		{"/bad", "checksum"},
		{"/error", "500"},
		{"/stall", "stalled"},
	} {
		t.Run(c.path, func(t *testing.T) {
			dir := t.TempDir()
			f := File{URL: s.URL + c.path, Name: "data.bin", SHA256: sum(content), Size: int64(len(content))}
			start := time.Now()
			path, err := Get(context.Background(), dir, f, Options{Stall: 300 * time.Millisecond})
			if time.Since(start) > 4*time.Second {
				t.Errorf("took %v: the stall bound did not hold", time.Since(start))
			}
			final := filepath.Join(dir, "data.bin")
			if c.wantErr == "" {
				if err != nil || path != final {
					t.Fatalf("Get = %q, %v", path, err)
				}
				if b, _ := os.ReadFile(final); sum(b) != f.SHA256 {
					t.Fatal("final file has the wrong content")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, c.wantErr)
			}
			if c.path == "/bad" && !errors.Is(err, ErrChecksum) {
				t.Errorf("error %v is not ErrChecksum", err)
			}
			if _, err := os.Stat(final); err == nil {
				t.Fatal("a failed download left a file under the final name")
			}
		})
	}
}

// TestResume: a partial file is continued with a Range request, and the
// result is whole.
func TestResume(t *testing.T) {
	s := server(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "data.bin.part"), content[:40000], 0o644)
	var first int64 = -1
	f := File{URL: s.URL + "/good", Name: "data.bin", SHA256: sum(content), Size: int64(len(content))}
	path, err := Get(context.Background(), dir, f, Options{Progress: func(done, total int64) {
		if first < 0 {
			first = done
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if first <= 40000 {
		t.Errorf("first progress at %d bytes: the download restarted instead of resuming", first)
	}
	if b, _ := os.ReadFile(path); sum(b) != f.SHA256 {
		t.Fatal("resumed file has the wrong content")
	}
	// a second Get finds the file and does not download
	s.Close()
	if _, err := Get(context.Background(), dir, f, Options{}); err != nil {
		t.Fatalf("cached file not used: %v", err)
	}
}

func TestGunzipChecksum(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(content)
	zw.Close()
	path := filepath.Join(dir, "x.gz")
	os.WriteFile(path, b.Bytes(), 0o644)
	for _, c := range []struct {
		f    File
		want bool
	}{
		{File{SHA256: sum(content), Gunzip: true}, true},
		{File{SHA256: sum(b.Bytes())}, true},
		{File{SHA256: sum(content)}, false},
		{File{SHA256: sum(b.Bytes()), Gunzip: true}, false},
	} {
		if ok, err := Verify(path, c.f); ok != c.want || err != nil {
			t.Errorf("Verify(%+v) = %v, %v; want %v", c.f, ok, err, c.want)
		}
	}
	os.WriteFile(path, []byte("not gzip"), 0o644)
	if ok, _ := Verify(path, File{SHA256: sum(content), Gunzip: true}); ok {
		t.Error("a file that is not gzip verified")
	}
}
