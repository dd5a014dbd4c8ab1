// Package atomicfile writes files so that a crash never leaves a partial file
// under the final name.
//
// The content goes into a temp file beside the target, which is fsynced,
// closed and renamed over the target only when everything succeeded; the
// directory is then fsynced (best effort) so the rename itself is durable.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write creates path atomically: it writes through fn into a temp file in the
// same directory (named "."+base+".tmp-*"), fsyncs it, closes it, renames it
// to path, then fsyncs the directory (best effort). On any error, or if fn
// panics, the temp file is removed and path is left as it was; the error
// names path. The file mode is 0644, or that of the regular file path
// replaces (so rewriting a private 0600 file keeps it private).
func Write(path string, fn func(w io.Writer) error) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		mode = st.Mode().Perm()
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done { // an error or a panic: leave nothing behind
			f.Close()
			os.Remove(tmp)
		}
	}()
	fail := func(err error) error { return fmt.Errorf("writing %s: %w", path, err) }
	if err := fn(f); err != nil {
		return fail(err)
	}
	if err := f.Chmod(mode); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(err)
	}
	done = true
	if d, err := os.Open(dir); err == nil { // make the rename durable, best effort
		d.Sync()
		d.Close()
	}
	return nil
}

// WriteBytes is Write with a byte slice.
func WriteBytes(path string, b []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// CheckWritable reports early, before long work starts, whether files can be
// created in dir: it creates dir (MkdirAll, 0755) if needed, then creates and
// removes a temp file there. The error names dir and says what to do.
func CheckWritable(dir string) error {
	const hint = "fix its permissions or choose another output folder"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create output folder %s: %w (%s)", dir, err, hint)
	}
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("cannot write into output folder %s: %w (%s)", dir, err, hint)
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("cannot remove test file in output folder %s: %w (%s)", dir, err, hint)
	}
	return nil
}
