// Package atomicfile writes files so that a crash never leaves a partial file
// under the final name: write a temp file beside it, fsync, rename.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write creates path through fn: into a temp file in the same folder, which
// is synced and renamed over path only when fn and every write succeeded.
func Write(path string, fn func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = fn(f); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if d, derr := os.Open(dir); derr == nil { // make the rename durable, best effort
		d.Sync()
		d.Close()
	}
	return nil
}

// WriteBytes is Write with the whole content at hand.
func WriteBytes(path string, b []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// CheckWritable makes sure files can be created in dir (creating it if
// needed) before long work starts, so that a bad output folder fails in a
// second rather than after training.
func CheckWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create output folder %s: %w (choose another with --out)", dir, err)
	}
	f, err := os.CreateTemp(dir, ".latent-write-test-*")
	if err != nil {
		return fmt.Errorf("cannot write into output folder %s: %w (choose another with --out)", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}
