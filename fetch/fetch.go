// Package fetch downloads a file into a cache folder safely: resumable,
// bounded in time and in size, checked against a SHA-256 fixed in the code, and written to
// a temporary file that is renamed to its final name only when the checksum
// matches. A bad download never leaves a file under the final name.
package fetch

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// File is one file to fetch.
type File struct {
	URL    string
	Name   string // file name in the cache folder
	SHA256 string // hex digest the content must have
	Size   int64  // expected size in bytes (0: unknown)
	// MaxSize bounds the size when Size is unknown (0: DefaultMaxSize).
	MaxSize int64
	// Gunzip says that SHA256 is the digest of the gunzipped content, so that
	// the same constant holds for every recompression of the same data.
	Gunzip bool
	// GunzipSize is the exact size of the gunzipped content (0: unknown).
	// With Gunzip, Verify reads no more than that, and when Size and MaxSize
	// are 0 it bounds the download (see limit).
	GunzipSize int64
}

// Options bound a download.
type Options struct {
	Client *http.Client // nil: a client with the timeouts below
	// Stall is the longest time without receiving a byte (default 30 s).
	Stall time.Duration
	// Progress, if not nil, hears the bytes received so far and the total (0 if unknown).
	Progress func(done, total int64)
}

// ErrChecksum is returned when the downloaded content's SHA-256 is not the
// expected one.
var ErrChecksum = errors.New("checksum mismatch")

// Get makes sure dir/f.Name exists with the right checksum, downloading it if
// needed (resuming a partial download in dir/f.Name+".part" when the server
// supports ranges). It returns the final path.
func Get(ctx context.Context, dir string, f File, opt Options) (string, error) {
	final := filepath.Join(dir, f.Name)
	if ok, err := verify(final, f); err == nil && ok {
		return final, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("fetch %s: %w", f.Name, err)
	}
	part := final + ".part"
	if err := download(ctx, part, f, opt); err != nil {
		return "", err
	}
	ok, err := verify(part, f)
	if err != nil {
		return "", fmt.Errorf("fetch %s: %w", f.Name, err)
	}
	if !ok {
		os.Remove(part) // a corrupt file is not worth resuming
		return "", fmt.Errorf("fetch %s from %s: %w (the partial file was removed; try again)", f.Name, f.URL, ErrChecksum)
	}
	if err := os.Rename(part, final); err != nil {
		return "", fmt.Errorf("fetch %s: %w", f.Name, err)
	}
	return final, nil
}

// Verify reports whether path has f's SHA-256 (of its gunzipped content if
// f.Gunzip). A file that is not valid gzip where gzip is expected is false.
func Verify(path string, f File) (bool, error) { return verify(path, f) }

func verify(path string, f File) (bool, error) {
	fh, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer fh.Close()
	var r io.Reader = fh
	if f.Gunzip {
		zr, err := gzip.NewReader(fh)
		if err != nil {
			return false, nil
		}
		defer zr.Close()
		r = zr
		if f.GunzipSize > 0 { // one byte more shows a longer content
			r = io.LimitReader(zr, f.GunzipSize+1)
		}
	}
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		if f.Gunzip {
			return false, nil // corrupt gzip: not the file
		}
		return false, err
	}
	if f.Gunzip && f.GunzipSize > 0 && n != f.GunzipSize {
		return false, nil
	}
	return hex.EncodeToString(h.Sum(nil)) == f.SHA256, nil
}

// DefaultMaxSize bounds an entry whose size is not known in advance
// (File.Size 0, File.MaxSize 0): a server that sends more is refused.
const DefaultMaxSize = 64 << 20

// limit is the most bytes f may have: its size when known, else its bound,
// else the largest gzip stream of GunzipSize bytes (deflate's stored blocks
// add 5 bytes per 65,535; gzip's header and trailer 18 or a little more with
// a file name), else DefaultMaxSize.
func (f File) limit() int64 {
	switch {
	case f.Size > 0:
		return f.Size
	case f.MaxSize > 0:
		return f.MaxSize
	case f.Gunzip && f.GunzipSize > 0:
		return f.GunzipSize + f.GunzipSize/1000 + 1024
	}
	return DefaultMaxSize
}

// ErrUnreachable is returned when the server could not be reached at all: its
// name did not resolve or no connection could be made.
var ErrUnreachable = errors.New("unreachable")

// unreachableError is an ErrUnreachable with its sentence.
type unreachableError struct{ msg string }

func (e unreachableError) Error() string        { return e.msg }
func (e unreachableError) Is(target error) bool { return target == ErrUnreachable }

// unreachable tells whether err from an HTTP request means that host could
// not be reached, and why in a few words.
func unreachable(err error, host string) (string, string, bool) {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		why := "its name was not found"
		if dns.IsTimeout {
			why = "looking up its name timed out"
		}
		return dns.Name, why, true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		why := op.Err.Error()
		var sys *os.SyscallError
		if errors.As(op.Err, &sys) {
			why = sys.Err.Error() // "connection refused", not "connect: connection refused"
		}
		if op.Timeout() {
			why = "connecting timed out"
		}
		return host, why, true
	}
	return "", "", false
}

// ErrStalled is returned when no byte arrived for Options.Stall.
var ErrStalled = errors.New("stalled")

// ErrTooLarge is returned when a server sends, or announces, more bytes than
// the file may have.
var ErrTooLarge = errors.New("larger than expected")

// download appends to part from where it stopped. A server that answers a
// range request with another range than the one asked for is asked again for
// the whole file.
func download(ctx context.Context, part string, f File, opt Options) error {
	stall := opt.Stall
	if stall <= 0 {
		stall = 30 * time.Second
	}
	client := opt.Client
	if client == nil {
		client = &http.Client{Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment, ResponseHeaderTimeout: stall, TLSHandshakeTimeout: stall}}
	}
	var have int64
	if st, err := os.Stat(part); err == nil {
		have = st.Size()
		if have > f.limit() { // longer than the file can be: start again
			have = 0
		}
	}
	err := attempt(ctx, client, part, f, opt, stall, have)
	var bad badRange
	if have > 0 && errors.As(err, &bad) { // start again from the first byte
		err = attempt(ctx, client, part, f, opt, stall, 0)
	}
	if errors.As(err, &bad) {
		err = fmt.Errorf("fetch %s from %s: %s; the server does not answer range requests correctly", f.Name, f.URL, bad.msg)
	}
	return err
}

// badRange is a 206 answer whose Content-Range is not the range asked for.
type badRange struct{ msg string }

func (e badRange) Error() string { return e.msg }

// checkRange checks a 206 answer's Content-Range ("bytes START-END/TOTAL" or
// "bytes START-END/*") against the request for bytes from have on, and
// returns TOTAL (0 when the server does not say).
func checkRange(header string, have int64, f File) (int64, error) {
	spec, ok := strings.CutPrefix(header, "bytes ")
	rng, tot, ok2 := strings.Cut(spec, "/")
	first, last, ok3 := strings.Cut(rng, "-")
	start, err1 := strconv.ParseInt(first, 10, 64)
	end, err2 := strconv.ParseInt(last, 10, 64)
	if !ok || !ok2 || !ok3 || err1 != nil || err2 != nil || start < 0 || end < start {
		return 0, badRange{fmt.Sprintf("partial answer with Content-Range %q, want bytes %d-…", header, have)}
	}
	if start != have {
		return 0, badRange{fmt.Sprintf("asked for bytes from %d, the server sent bytes %d-%d", have, start, end)}
	}
	var total int64
	if tot != "*" {
		n, err := strconv.ParseInt(tot, 10, 64)
		if err != nil || n <= end {
			return 0, badRange{fmt.Sprintf("partial answer with Content-Range %q: bad total", header)}
		}
		if f.Size > 0 && n != f.Size {
			return 0, badRange{fmt.Sprintf("the server's copy has %d bytes, want %d", n, f.Size)}
		}
		total = n
	}
	return total, nil
}

// attempt runs one request for the bytes from have on and appends them to
// part (or rewrites part when the server sends the whole file).
func attempt(ctx context.Context, client *http.Client, part string, f File, opt Options, stall time.Duration, have int64) error {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", f.Name, err)
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := client.Do(req)
	if err != nil {
		if parent.Err() != nil {
			return fmt.Errorf("fetch %s: %w", f.Name, parent.Err())
		}
		if host, why, ok := unreachable(err, req.URL.Host); ok {
			return unreachableError{fmt.Sprintf("fetch %s: could not reach %s (%s): check the network", f.Name, host, why)}
		}
		return fmt.Errorf("fetch %s from %s: %w", f.Name, f.URL, err)
	}
	defer resp.Body.Close()
	limit := f.limit()
	total := f.Size
	flags := os.O_CREATE | os.O_WRONLY
	switch resp.StatusCode {
	case http.StatusPartialContent:
		if have == 0 {
			return badRange{fmt.Sprintf("asked for the whole file, the server sent part of it (%s)", resp.Header.Get("Content-Range"))}
		}
		n, err := checkRange(resp.Header.Get("Content-Range"), have, f)
		if err != nil {
			return err
		}
		if n > limit {
			os.Remove(part)
			return fmt.Errorf("fetch %s from %s: the server's copy has %d bytes, more than the %d expected: %w (the partial file was removed)", f.Name, f.URL, n, limit, ErrTooLarge)
		}
		if total == 0 {
			total = n
		}
		flags |= os.O_APPEND
	case http.StatusOK:
		flags |= os.O_TRUNC // the server sent everything: start over
		have = 0
	case http.StatusRequestedRangeNotSatisfiable:
		return nil // we already have it all; the checksum decides
	default:
		return fmt.Errorf("fetch %s from %s: server answered %s", f.Name, f.URL, resp.Status)
	}
	if resp.ContentLength > 0 && have+resp.ContentLength > limit {
		if have == 0 {
			os.Remove(part)
		}
		return fmt.Errorf("fetch %s from %s: the server announces %d bytes, more than the %d expected: %w", f.Name, f.URL, have+resp.ContentLength, limit, ErrTooLarge)
	}
	if total == 0 && resp.ContentLength > 0 {
		total = have + resp.ContentLength
	}
	out, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", f.Name, err)
	}
	// a watchdog cancels the request when no byte arrives for stall
	timer := time.AfterFunc(stall, cancel)
	defer timer.Stop()
	buf := make([]byte, 64<<10)
	done := have
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			timer.Reset(stall)
			if done+int64(n) > limit {
				out.Close()
				os.Remove(part) // more than the file can hold: not worth resuming
				return fmt.Errorf("fetch %s from %s: the server sent more than the %d bytes expected: %w (the partial file was removed)", f.Name, f.URL, limit, ErrTooLarge)
			}
			if _, werr := out.Write(buf[:n]); werr != nil {
				out.Close()
				return fmt.Errorf("fetch %s: %w", f.Name, werr)
			}
			done += int64(n)
			if opt.Progress != nil {
				opt.Progress(done, total)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			out.Close()
			switch {
			case parent.Err() != nil:
				return fmt.Errorf("fetch %s: %w", f.Name, parent.Err())
			case ctx.Err() != nil: // the watchdog fired
				return fmt.Errorf("fetch %s from %s: no data for %v (%w); run again to resume from byte %d", f.Name, f.URL, stall, ErrStalled, done)
			}
			return fmt.Errorf("fetch %s from %s: %w; run again to resume from byte %d", f.Name, f.URL, rerr, done)
		}
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	if total > 0 && done < total {
		return fmt.Errorf("fetch %s from %s: got %d of %d bytes; run again to resume", f.Name, f.URL, done, total)
	}
	return nil
}
