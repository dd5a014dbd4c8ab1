package model

import (
	"fmt"
	"strconv"
	"strings"

	"latent/safetensors"
)

// Metadata keys written into every checkpoint.
const (
	MetaKind   = "latent.kind"
	MetaLatent = "latent.latent"
	MetaWidth  = "latent.width"
	MetaLik    = "latent.likelihood"
)

// StateDict returns the parameters under their PyTorch names and shapes.
// The tensors share memory with m.Data.
func (m *Model) StateDict() []safetensors.Tensor {
	out := make([]safetensors.Tensor, 0, len(m.Params.List))
	for _, p := range m.Params.List {
		out = append(out, safetensors.Tensor{Name: p.Name, Shape: p.Shape, Data: p.Of(m.Data)})
	}
	if m.Prior != nil {
		out = append(out, m.Prior.tensors(m.Latent)...)
	}
	return out
}

// LoadStateDict copies every parameter from f, where it is named prefix+name
// (prefix "" for a checkpoint, "init." for a fixture). A missing tensor or a
// shape that disagrees is an error naming it; extra tensors are an error too,
// as in PyTorch's load_state_dict(strict=True).
func (m *Model) LoadStateDict(f *safetensors.File, prefix string) error {
	for _, p := range m.Params.List {
		t, err := f.Lookup(prefix + p.Name)
		if err != nil {
			return err
		}
		if err := p.CheckShape(t.Shape); err != nil {
			return fmt.Errorf("%s: %w", where(f), err)
		}
		copy(p.Of(m.Data), t.Data)
	}
	if prefix == "" {
		for _, t := range f.Tensors {
			if _, ok := m.Params.Lookup(t.Name); !ok && !strings.HasPrefix(t.Name, "prior.") {
				return fmt.Errorf("%s: unexpected tensor %q for a %s model", where(f), t.Name, m.Kind)
			}
		}
	}
	return nil
}

func where(f *safetensors.File) string {
	if f.Path == "" {
		return "checkpoint"
	}
	return f.Path
}

// Metadata describes the architecture, to be stored beside the weights.
func (c Config) Metadata() map[string]string {
	return map[string]string{
		MetaKind:   string(c.Kind),
		MetaLatent: strconv.Itoa(c.Latent),
		MetaWidth:  fmt.Sprintf("%d,%d,%d", c.Width[0], c.Width[1], c.Width[2]),
		MetaLik:    string(c.Lik()),
	}
}

// ConfigOf recovers the architecture of a checkpoint: from its metadata when
// latent wrote it, otherwise from the tensor names and shapes of a PyTorch
// state_dict of the seed's modules.
func ConfigOf(f *safetensors.File) (Config, error) {
	if k, ok := f.Metadata[MetaKind]; ok {
		kind, err := ParseKind(k)
		if err != nil {
			return Config{}, fmt.Errorf("%s: metadata %s: %w", where(f), MetaKind, err)
		}
		cfg := Config{Kind: kind}
		if cfg.Latent, err = strconv.Atoi(f.Metadata[MetaLatent]); err != nil {
			return Config{}, fmt.Errorf("%s: metadata %s=%q is not a number", where(f), MetaLatent, f.Metadata[MetaLatent])
		}
		parts := strings.Split(f.Metadata[MetaWidth], ",")
		if len(parts) != 3 {
			return Config{}, fmt.Errorf("%s: metadata %s=%q is not three numbers", where(f), MetaWidth, f.Metadata[MetaWidth])
		}
		for i, s := range parts {
			if cfg.Width[i], err = strconv.Atoi(s); err != nil {
				return Config{}, fmt.Errorf("%s: metadata %s=%q is not three numbers", where(f), MetaWidth, f.Metadata[MetaWidth])
			}
		}
		cfg.Likelihood = MSESum
		if l, ok := f.Metadata[MetaLik]; ok {
			if cfg.Likelihood, err = ParseLikelihood(l); err != nil {
				return Config{}, fmt.Errorf("%s: metadata %s: %w", where(f), MetaLik, err)
			}
		}
		if err := cfg.Validate(); err != nil {
			return Config{}, fmt.Errorf("%s: %w", where(f), err)
		}
		return cfg, nil
	}
	// A PyTorch state_dict: the kind from the names, the sizes from the shapes.
	prefix, cfg := "encoder", Config{Kind: AE}
	if _, ok := f.Get("encoder_conv.0.weight"); ok {
		prefix, cfg.Kind = "encoder_conv", VAE
	}
	for i, layer := range []string{".0", ".2", ".4"} {
		t, err := f.Lookup(prefix + layer + ".weight")
		if err != nil {
			return Config{}, fmt.Errorf("%s: not a latent or seed PyTorch checkpoint: %w", where(f), err)
		}
		if len(t.Shape) != 4 {
			return Config{}, fmt.Errorf("%s: %s has shape %v, want a 4-d conv weight", where(f), t.Name, t.Shape)
		}
		cfg.Width[i] = t.Shape[0]
	}
	cfg.Latent = 8
	if cfg.Kind == VAE {
		t, err := f.Lookup("fc_mu.weight")
		if err != nil {
			return Config{}, err
		}
		if len(t.Shape) != 2 {
			return Config{}, fmt.Errorf("%s: fc_mu.weight has shape %v, want [latent, %d]", where(f), t.Shape, cfg.CodeSize())
		}
		cfg.Latent = t.Shape[0]
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", where(f), err)
	}
	return cfg, nil
}

// Save writes the model's weights and meta (plus the architecture) to path
// as safetensors, atomically.
func (m *Model) Save(path string, meta map[string]string) error {
	all := m.Metadata()
	for k, v := range meta {
		all[k] = v
	}
	return safetensors.WriteFile(path, m.StateDict(), all)
}

// Load reads a checkpoint written by Save, or a PyTorch state_dict of the
// seed's modules saved as safetensors. It returns the model and the metadata.
func Load(path string) (*Model, map[string]string, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := ConfigOf(f)
	if err != nil {
		return nil, nil, err
	}
	m, err := New(cfg, 0)
	if err != nil {
		return nil, nil, err
	}
	if err := m.LoadStateDict(f, ""); err != nil {
		return nil, nil, err
	}
	if m.IsVAE() {
		if m.Prior, err = readPrior(f, m.Latent); err != nil {
			return nil, nil, err
		}
	}
	return m, f.Metadata, nil
}
