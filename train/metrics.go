package train

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"latent/internal/atomicfile"
)

// WriteCSV writes one row per epoch to path, atomically.
func WriteCSV(path string, history []Metrics) error {
	dims := 0
	if len(history) > 0 {
		dims = len(history[0].ValKLDim)
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		var b strings.Builder
		b.WriteString("epoch,train_loss,val_loss,train_rec,train_kl,val_rec,val_kl,seconds,images_per_sec")
		if dims > 0 {
			b.WriteString(",active_units")
			for j := range dims {
				fmt.Fprintf(&b, ",val_kl_dim_%d", j)
			}
		}
		b.WriteByte('\n')
		for _, m := range history {
			fmt.Fprintf(&b, "%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.3f,%.0f", m.Epoch, m.TrainLoss, m.ValLoss,
				m.TrainRec, m.TrainKL, m.ValRec, m.ValKL, m.Seconds, m.ImagesPerSec)
			if dims > 0 {
				fmt.Fprintf(&b, ",%d", m.ActiveUnits)
				for _, v := range m.ValKLDim {
					fmt.Fprintf(&b, ",%.6g", v)
				}
			}
			b.WriteByte('\n')
		}
		_, err := io.WriteString(w, b.String())
		return err
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
