package train

import (
	"encoding/json"
	"fmt"
	"io"

	"latent/internal/atomicfile"
)

// WriteCSV writes one row per epoch to path, atomically.
func WriteCSV(path string, history []Metrics) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		if _, err := fmt.Fprintln(w, "epoch,train_loss,val_loss,train_rec,train_kl,val_rec,val_kl,seconds,images_per_sec"); err != nil {
			return err
		}
		for _, m := range history {
			if _, err := fmt.Fprintf(w, "%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.3f,%.0f\n", m.Epoch, m.TrainLoss, m.ValLoss,
				m.TrainRec, m.TrainKL, m.ValRec, m.ValKL, m.Seconds, m.ImagesPerSec); err != nil {
				return err
			}
		}
		return nil
	})
}

// WriteJSON writes v as indented JSON to path, atomically.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, append(b, '\n'))
}
