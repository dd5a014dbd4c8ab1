package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var content = []byte(strings.Repeat("latent fetch test data. ", 5000))

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// server serves content at /good (with ranges), a truncated copy at /short,
// a corrupted copy at /bad, an error at /error, a stall at /stall (it sends
// 100 bytes, then nothing until the client hangs up), a longer copy at /long
// (no length announced), a length above the file's at /announced, and
// answers to range requests with the wrong Content-Range at /range/KIND.
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
	// The stalled answer ends when the client hangs up; if the stall bound
	// failed, it would end after a minute as a short read: the test asserts
	// the kind of error, never the time taken.
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "120000")
		w.Write(content[:100])
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	})
	mux.HandleFunc("/long", func(w http.ResponseWriter, r *http.Request) {
		for range 3 { // flushed: chunked, no Content-Length
			w.Write(content)
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/announced", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(2*len(content)))
		w.Write(content)
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func TestGet(t *testing.T) {
	s := server(t)
	whole := File{Name: "data.bin", SHA256: sum(content), Size: int64(len(content))}
	unknown := File{Name: "data.bin", SHA256: sum(content)}                 // size unknown: DefaultMaxSize
	bounded := File{Name: "data.bin", SHA256: sum(content), MaxSize: 50000} // size unknown, bounded below the content
	for _, c := range []struct {
		name, path string
		f          File
		stall      time.Duration
		wantErr    string
		kind       error
	}{
		{"good", "/good", whole, 0, "", nil},
		{"good, size unknown", "/good", unknown, 0, "", nil},
		{"short", "/short", whole, 0, "resume", nil},
		{"corrupt", "/bad", whole, 0, "checksum", ErrChecksum},
		{"server error", "/error", whole, 0, "500", nil},
		{"stall", "/stall", whole, 50 * time.Millisecond, "resume from byte 100", ErrStalled},
		{"longer than its size", "/long", whole, 0, "/long", ErrTooLarge},
		{"longer than the default bound", "/long", File{Name: "data.bin", SHA256: sum(content), MaxSize: 2 * int64(len(content))}, 0, "/long", ErrTooLarge},
		{"longer than its bound", "/good", bounded, 0, "/good", ErrTooLarge},
		{"announces more than its size", "/announced", whole, 0, "announces", ErrTooLarge},
		{"announces more than its bound", "/announced", File{Name: "data.bin", SHA256: sum(content), MaxSize: int64(len(content)) + 1}, 0, "announces", ErrTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			f := c.f
			f.URL = s.URL + c.path
			path, err := Get(context.Background(), dir, f, Options{Stall: c.stall})
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
			if c.kind != nil && !errors.Is(err, c.kind) {
				t.Errorf("error %v is not %v", err, c.kind)
			}
			if _, err := os.Stat(final); err == nil {
				t.Fatal("a failed download left a file under the final name")
			}
			if errors.Is(err, ErrTooLarge) {
				if _, err := os.Stat(final + ".part"); err == nil {
					t.Error("a download larger than its file left its partial file to be resumed")
				}
			}
		})
	}
}

func TestLimit(t *testing.T) {
	for _, c := range []struct {
		f    File
		want int64
	}{
		{File{Size: 1234}, 1234},
		{File{Size: 1234, MaxSize: 99}, 1234},
		{File{MaxSize: 99}, 99},
		{File{Gunzip: true, GunzipSize: 1_000_000}, 1_002_024},
		{File{GunzipSize: 1_000_000}, DefaultMaxSize}, // not gzip: GunzipSize says nothing
		{File{}, DefaultMaxSize},
	} {
		if got := c.f.limit(); got != c.want {
			t.Errorf("%+v: limit %d, want %d", c.f, got, c.want)
		}
	}
	if DefaultMaxSize < 30<<20 {
		t.Errorf("DefaultMaxSize %d is below Fashion-MNIST's largest file (26 MB)", DefaultMaxSize)
	}
	// the bound holds for the largest gzip of incompressible data
	noise := make([]byte, 300_000)
	for i := range noise {
		noise[i] = byte(i*7919 + i*i*104729>>7)
	}
	for _, level := range []int{gzip.NoCompression, gzip.BestSpeed, gzip.BestCompression} {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, level)
		zw.Name = "t10k-images-idx3-ubyte" // a file name in the header, as gzip(1) writes
		zw.Write(noise)
		zw.Close()
		if f := (File{Gunzip: true, GunzipSize: int64(len(noise))}); int64(b.Len()) > f.limit() {
			t.Errorf("gzip level %d: %d bytes, above the bound %d", level, b.Len(), f.limit())
		}
	}
}

// rangeServer answers a range request as kind says; it counts the requests
// with a range and those without.
func rangeServer(t *testing.T, kind string, ranged, whole *atomic.Int32) *httptest.Server {
	n := len(content)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Range") == "" {
			whole.Add(1)
			if kind != "always-partial" {
				w.Write(content)
				return
			}
		} else {
			ranged.Add(1)
		}
		var from int
		fmt.Sscanf(r.Header.Get("Range"), "bytes=%d-", &from)
		cr, body := fmt.Sprintf("bytes %d-%d/%d", from, n-1, n), content[from:]
		switch kind {
		case "wrong start": // sends the file from byte 0 as if it were the rest
			cr, body = fmt.Sprintf("bytes 0-%d/%d", n-1, n), content
		case "wrong total":
			cr = fmt.Sprintf("bytes %d-%d/%d", from, n-1, n+10)
		case "garbage":
			cr = "bytes junk"
		case "missing":
			cr = ""
		case "unknown total":
			cr = fmt.Sprintf("bytes %d-%d/*", from, n-1)
		case "always-partial":
			cr, body = fmt.Sprintf("bytes 100-%d/%d", n-1, n), content[100:]
		}
		if cr != "" {
			w.Header().Set("Content-Range", cr)
		}
		w.WriteHeader(http.StatusPartialContent)
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

// TestContentRange: a 206 answer is appended only when its Content-Range
// starts where the partial file ends and has the file's size; otherwise the
// download starts again from byte 0, and a server that still answers with a
// part fails with an error that says so.
func TestContentRange(t *testing.T) {
	for _, c := range []struct {
		kind     string
		restarts bool   // the good partial file is dropped and the whole file fetched
		wantErr  string // "" when the result is whole
	}{
		{"correct", false, ""},
		{"unknown total", false, ""},
		{"wrong start", true, ""},
		{"wrong total", true, ""},
		{"garbage", true, ""},
		{"missing", true, ""},
		{"always-partial", true, "server sent part"},
	} {
		t.Run(c.kind, func(t *testing.T) {
			var ranged, whole atomic.Int32
			s := rangeServer(t, c.kind, &ranged, &whole)
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "data.bin.part"), content[:40000], 0o644)
			f := File{URL: s.URL + "/x", Name: "data.bin", SHA256: sum(content), Size: int64(len(content))}
			_, err := Get(context.Background(), dir, f, Options{})
			if ranged.Load() != 1 {
				t.Errorf("%d range requests, want 1", ranged.Load())
			}
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), s.URL) {
					t.Fatalf("error %v, want one naming the URL and containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, "data.bin")); sum(b) != f.SHA256 {
				t.Fatal("the file has the wrong content")
			}
			if restarted := whole.Load() > 0; restarted != c.restarts {
				t.Errorf("asked for the whole file %d times; want a restart: %v", whole.Load(), c.restarts)
			}
		})
	}
}

func TestCheckRange(t *testing.T) {
	f := File{Size: 1000}
	for _, c := range []struct {
		header string
		have   int64
		f      File
		total  int64
		ok     bool
	}{
		{"bytes 400-999/1000", 400, f, 1000, true},
		{"bytes 400-999/*", 400, f, 0, true},
		{"bytes 400-999/1000", 400, File{}, 1000, true},
		{"bytes 0-999/1000", 400, f, 0, false},
		{"bytes 400-999/1001", 400, f, 0, false},
		{"bytes 400-999/999", 400, File{}, 0, false},
		{"bytes 400-300/1000", 400, f, 0, false},
		{"bytes -400/1000", 400, f, 0, false},
		{"items 400-999/1000", 400, f, 0, false},
		{"bytes 400-999", 400, f, 0, false},
		{"", 400, f, 0, false},
	} {
		total, err := checkRange(c.header, c.have, c.f)
		if (err == nil) != c.ok || total != c.total {
			t.Errorf("checkRange(%q, %d, size %d) = %d, %v; want %d, ok %v", c.header, c.have, c.f.Size, total, err, c.total, c.ok)
		}
	}
}

func FuzzCheckRange(f *testing.F) {
	for _, h := range []string{"bytes 400-999/1000", "bytes 400-999/*", "bytes 0-0/1", "bytes x-y/z", ""} {
		f.Add(h, int64(400), int64(1000))
	}
	f.Fuzz(func(t *testing.T, header string, have, size int64) {
		total, err := checkRange(header, have, File{Size: size})
		if err != nil {
			return
		}
		var start, end int64
		if _, err := fmt.Sscanf(header, "bytes %d-%d", &start, &end); err != nil || start != have || end < start {
			t.Fatalf("accepted %q for bytes from %d", header, have)
		}
		if total != 0 && (total <= end || size > 0 && total != size) {
			t.Fatalf("accepted %q (total %d) for a file of %d bytes", header, total, size)
		}
	})
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
	n := int64(len(content))
	for _, c := range []struct {
		size int64
		want bool
	}{{n, true}, {n - 1, false}, {n + 1, false}} {
		if ok, err := Verify(path, File{SHA256: sum(content), Gunzip: true, GunzipSize: c.size}); ok != c.want || err != nil {
			t.Errorf("Verify with GunzipSize %d of %d: %v, %v; want %v", c.size, n, ok, err, c.want)
		}
	}
	os.WriteFile(path, []byte("not gzip"), 0o644)
	if ok, _ := Verify(path, File{SHA256: sum(content), Gunzip: true}); ok {
		t.Error("a file that is not gzip verified")
	}
}

// TestUnreachable: a server that cannot be reached gives a sentence that says
// so, not Go's raw network error, and no file. No real network is used: a
// closed local server refuses the connection, and a dialer fails the way
// Go's resolver does for a name that does not exist.
func TestUnreachable(t *testing.T) {
	s := httptest.NewServer(http.NotFoundHandler())
	refused := s.URL
	s.Close() // nothing listens there any more
	noDNS := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
	}}}
	for _, c := range []struct {
		url, host, why string
		client         *http.Client
	}{
		{refused + "/x", strings.TrimPrefix(refused, "http://"), "refused", nil},
		{"http://fashion.example/x", "fashion.example", "name was not found", noDNS},
	} {
		dir := t.TempDir()
		_, err := Get(context.Background(), dir, File{URL: c.url, Name: "data.bin", SHA256: sum(content)}, Options{Client: c.client})
		if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "could not reach "+c.host) ||
			!strings.Contains(err.Error(), c.why) || !strings.Contains(err.Error(), "check the network") {
			t.Errorf("%s: error %v, want ErrUnreachable saying it could not reach %s (%s)", c.url, err, c.host, c.why)
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Errorf("%s: the failed fetch left %v", c.url, left)
		}
	}
	// a server that answers is not "unreachable", whatever it answers
	s = server(t)
	if _, err := Get(context.Background(), t.TempDir(), File{URL: s.URL + "/error", Name: "d", SHA256: sum(content)}, Options{}); errors.Is(err, ErrUnreachable) {
		t.Errorf("a 500 answer is reported as unreachable: %v", err)
	}
}
