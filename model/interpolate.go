package model

import (
	"fmt"

	"latent/tensor"
)

// Lerp returns steps points evenly spaced on the straight line from a to b,
// ends included, [steps][len(a)] (steps 1: a alone).
func Lerp(a, b []float32, steps int) []float32 {
	d := len(a)
	line := make([]float32, steps*d)
	for s := range steps {
		t := float32(s) / float32(max(steps-1, 1))
		for k := range d {
			line[s*d+k] = (1-t)*a[k] + t*b[k]
		}
	}
	return line
}

// Interpolate decodes steps points evenly spaced on the line between the
// codes of two images (images [2][Pixels], a then b; a VAE's means mu), ends
// included, and returns the decoded images [steps][Pixels].
//
// A conditional VAE needs the two images' labels [2] (to encode them; other
// models ignore labels and digit). With digit in 0..9 every step is drawn as
// that digit (the walk changes only the style). With digit < 0 the decoder's
// one-hot label walks with the code, from a's digit to b's: midway between a
// 3 and a 7 it is told "half 3, half 7", so the walk starts at a's digit and
// ends at b's (for two images of one digit it stays that digit).
func (m *Model) Interpolate(images []float32, labels []uint8, digit, steps int) []float32 {
	if len(images) != 2*Pixels || steps < 1 {
		panic(fmt.Sprintf("model: Interpolate needs 2 images and steps ≥ 1, got %d values and %d steps", len(images), steps))
	}
	codes := m.EncodeLabeled(images, labels, 2, nil)
	d := m.CodeDim()
	line := Lerp(codes[:d], codes[d:], steps)
	if m.Cond() == 0 {
		return m.DecodeCodes(line, steps)
	}
	from, to := int(labels[0]), int(labels[1])
	if digit >= 0 {
		from, to = digit, digit
	}
	if from >= m.Cond() || to >= m.Cond() {
		panic(fmt.Sprintf("model: digit %d or %d of a %d-class conditional VAE", from, to, m.Cond()))
	}
	// decode chunk by chunk with a soft label: the one-hot rows after z
	// (Workspace.Z is [L + Cond][n]) hold 1-t for a's digit and t for b's
	out := make([]float32, steps*Pixels)
	ws := m.NewWorkspace(min(steps, batchChunk))
	for lo := 0; lo < steps; lo += ws.Cap {
		k := min(ws.Cap, steps-lo)
		ws.Input(k)
		tensor.Transpose(ws.Z[:d*k], line[lo*d:(lo+k)*d], k, d)
		label := ws.Z[d*k : (d+m.Cond())*k]
		clear(label)
		for i := range k {
			t := float32(lo+i) / float32(max(steps-1, 1))
			label[from*k+i] += 1 - t
			label[to*k+i] += t
		}
		m.Decode(ws)
		copy(out[lo*Pixels:], ws.Output())
	}
	return out
}
