package viz

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
)

// SavePNG writes img to path as a PNG, atomically: it encodes into a
// temporary file in the same folder and renames it over path, so a reader
// never sees a half-written figure. Errors name path.
func SavePNG(path string, img image.Image) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("viz: encode %s: %w", path, err)
	}
	return writeAtomic(path, buf.Bytes())
}

// writeAtomic writes data to a temporary file beside path, syncs it and
// renames it to path; on failure it removes the temporary file.
func writeAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("viz: write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("viz: write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("viz: write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("viz: write %s: %w", path, err)
	}
	// CreateTemp makes the file 0600; a figure is meant to be read by others.
	if err = os.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("viz: write %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("viz: write %s: %w", path, err)
	}
	return nil
}
