package viz

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"latent/internal/atomicfile"
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

// writeAtomic writes data to path through a temporary file beside it.
func writeAtomic(path string, data []byte) error { return atomicfile.WriteBytes(path, data) }
