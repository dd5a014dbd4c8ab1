package tsne

import "time"

// EmbedScored is Embed of n labelled points followed by the embedding's
// 10-NN label accuracy (KNNAccuracy, k = 10): how well the map keeps points
// of one label together. It also returns the seconds the whole took.
func EmbedScored(x []float32, n, d int, labels []uint8, opt Options) (y []float64, acc, secs float64, err error) {
	start := time.Now()
	y, err = Embed(x, n, d, opt)
	if err != nil {
		return nil, 0, 0, err
	}
	return y, KNNAccuracy(y, 2, labels, 10), time.Since(start).Seconds(), nil
}
