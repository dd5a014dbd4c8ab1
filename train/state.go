package train

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"

	"latent/model"
	"latent/nn"
	"latent/safetensors"
)

// State is everything needed to continue a training run exactly: with the
// model's weights, it gives bit-identical results to a run never stopped.
type State struct {
	Epoch   int       // the epoch to run (1-based)
	Batch   int       // batches of Epoch already done
	Adam    *nn.Adam  // moments and step count
	Noise   []byte    // the epoch's noise generator (PCG state), nil at an epoch's start
	Partial Totals    // the epoch's training loss so far
	Seconds float64   // training time of the epoch so far
	History []Metrics // finished epochs
}

// nextEpoch moves st to the start of the following epoch.
func (st *State) nextEpoch() {
	st.Epoch, st.Batch, st.Noise, st.Partial, st.Seconds = st.Epoch+1, 0, nil, Totals{}, 0
}

// Metadata keys of a state file, besides the model's.
const (
	metaState  = "latent.state"
	metaConfig = "latent.train_config"
)

type stateMeta struct {
	Epoch   int       `json:"epoch"`
	Batch   int       `json:"batch"`
	AdamT   int       `json:"adam_t"`
	Noise   string    `json:"noise,omitempty"`
	Partial Totals    `json:"partial"`
	Seconds float64   `json:"seconds"`
	History []Metrics `json:"history"`
}

// SaveState writes the model's weights, the optimiser's moments and the rest
// of st to path as one safetensors file, atomically.
func SaveState(path string, m *model.Model, cfg Config, st *State) error {
	meta := m.Metadata()
	sm, err := json.Marshal(stateMeta{Epoch: st.Epoch, Batch: st.Batch, AdamT: st.Adam.T,
		Noise: base64.StdEncoding.EncodeToString(st.Noise), Partial: st.Partial, Seconds: st.Seconds, History: st.History})
	if err != nil {
		return err
	}
	cj, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	meta[metaState], meta[metaConfig] = string(sm), string(cj)
	meta["latent.epochs"] = strconv.Itoa(len(st.History))
	tensors := append(m.StateDict(),
		safetensors.Tensor{Name: "optimizer.adam.m", Shape: []int{len(st.Adam.M)}, Data: st.Adam.M},
		safetensors.Tensor{Name: "optimizer.adam.v", Shape: []int{len(st.Adam.V)}, Data: st.Adam.V})
	return safetensors.WriteFile(path, tensors, meta)
}

// LoadState reads a file written by SaveState.
func LoadState(path string) (*model.Model, Config, *State, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, Config{}, nil, err
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: not a usable training state: %s", path, fmt.Sprintf(format, a...))
	}
	var sm stateMeta
	var cfg Config
	if err := json.Unmarshal([]byte(f.Metadata[metaState]), &sm); err != nil {
		return nil, Config{}, nil, bad("%s: %v", metaState, err)
	}
	if err := json.Unmarshal([]byte(f.Metadata[metaConfig]), &cfg); err != nil {
		return nil, Config{}, nil, bad("%s: %v", metaConfig, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, Config{}, nil, bad("%v", err)
	}
	mc, err := model.ConfigOf(f)
	if err != nil {
		return nil, Config{}, nil, err
	}
	m, err := model.New(mc, 0)
	if err != nil {
		return nil, Config{}, nil, err
	}
	// the weights, then the optimiser's moments
	stripped := &safetensors.File{Path: f.Path, Metadata: f.Metadata}
	adam := nn.NewAdam(m.Params.Size, cfg.LR)
	for _, t := range f.Tensors {
		switch t.Name {
		case "optimizer.adam.m", "optimizer.adam.v":
			if len(t.Data) != m.Params.Size {
				return nil, Config{}, nil, bad("%s has %d values for %d parameters", t.Name, len(t.Data), m.Params.Size)
			}
			if t.Name == "optimizer.adam.m" {
				adam.M = t.Data
			} else {
				adam.V = t.Data
			}
		default:
			stripped.Tensors = append(stripped.Tensors, t)
		}
	}
	if err := m.LoadStateDict(stripped, ""); err != nil {
		return nil, Config{}, nil, err
	}
	adam.T = sm.AdamT
	st := &State{Epoch: sm.Epoch, Batch: sm.Batch, Adam: adam, Partial: sm.Partial, Seconds: sm.Seconds, History: sm.History}
	if sm.Noise != "" {
		if st.Noise, err = base64.StdEncoding.DecodeString(sm.Noise); err != nil {
			return nil, Config{}, nil, bad("noise state: %v", err)
		}
	}
	if st.Epoch < 1 || st.Batch < 0 || st.Adam.T < 0 || len(st.History) != st.Epoch-1 {
		return nil, Config{}, nil, bad("epoch %d, batch %d, %d finished epochs do not fit together", st.Epoch, st.Batch, len(st.History))
	}
	return m, cfg, st, nil
}
