package train

import (
	"fmt"

	"latent/model"
)

// PriorIterations is the number of EM iterations of a mixture prior fitted
// after training.
const PriorIterations = 50

// SetPrior fits a mixture prior to m's codes of data's training images
// (FitPrior with pc), stores it in m and returns the note that the
// checkpoint's metadata keeps under MetaPrior.
func SetPrior(m *model.Model, data Data, pc PriorConfig) (string, error) {
	p, err := FitPrior(m, data.Set, data.Train, pc)
	if err != nil {
		return "", err
	}
	m.Prior = p
	how := "posterior means"
	if pc.Aggregate {
		how = "aggregate posterior"
	}
	t := pc.Temperature
	if t == 0 {
		t = 1
	}
	return fmt.Sprintf("mixture of %d Gaussians fitted to the %s, temperature %g", p.K(), how, t), nil
}

// SavePrior fits the prior pc asks for (SetPrior), records it in meta under
// MetaPrior and saves m with it to path: the step after training with
// Config.Prior, and 'latent prior'. It returns the note.
func SavePrior(m *model.Model, data Data, pc PriorConfig, path string, meta map[string]string) (string, error) {
	note, err := SetPrior(m, data, pc)
	if err != nil {
		return "", err
	}
	meta[MetaPrior] = note
	return note, m.Save(path, meta)
}

// MetaPrior is the checkpoint metadata key that describes a stored prior.
const MetaPrior = "latent.prior"

// PriorOf is the prior fit that cfg asks for after training (Components 0:
// none).
func PriorOf(cfg Config) PriorConfig {
	return PriorConfig{Components: cfg.Prior, Iterations: PriorIterations, Seed: cfg.Seed, Threads: cfg.Threads, Temperature: cfg.PriorTemperature}
}
