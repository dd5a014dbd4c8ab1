package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"latent/classifier"
	"latent/dataset"
	"latent/mnist"
	"latent/model"
	"latent/safetensors"
	"latent/train"
)

// loadModel reads the AE/VAE checkpoint that --model names. The files a new
// user mixes up get an error that says what the file is and what to pass
// instead: a missing file, the digit classifier, a run's training state.
func loadModel(path string) (*model.Model, map[string]string, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("--model %s does not exist; give the model.safetensors that 'latent train --out DIR' (or 'latent demo') wrote", path)
	}
	m, meta, err := model.Load(path)
	if err == nil {
		return m, meta, nil
	}
	if f, ferr := safetensors.ReadFile(path); ferr == nil {
		if f.Metadata[classifier.MetaKind] == classifier.Kind {
			return nil, nil, fmt.Errorf("--model %s is latent's digit classifier, not an AE or VAE checkpoint; give the model.safetensors of a 'latent train' run (a classifier goes to --classifier)", path)
		}
		if _, ok := f.Get("optimizer.adam.m"); ok {
			return nil, nil, fmt.Errorf("--model %s is a run's training state (what --resume reads), not its model; give the model.safetensors beside it", path)
		}
	}
	return nil, nil, err
}

// forModel points d at the images a trained model should be shown: the
// dataset its checkpoint records (meta), unless --dataset or --data named
// others, which are used with a note on stderr. Every verb that reads a
// trained model calls it after d.validate() and before d.load(): the figure
// verbs and serve (eval and prior too, replacing their own reading of
// "latent.dataset"). It reports whether the name came from the checkpoint.
func (d *dataFlags) forModel(fs *flagSet, meta map[string]string, stderr io.Writer) (recorded bool) {
	given := ""
	if fs.wasSet("dataset") || fs.wasSet("data") {
		given = d.dataset
	}
	spec, note := dataset.ForModel(meta, given)
	if note != "" {
		fmt.Fprintf(stderr, "note: %s\n", note)
	}
	d.dataset = spec
	return given == ""
}

// loadForModel is forModel then load: the training split and the test
// images of the model's dataset. When the checkpoint's own dataset cannot be
// read (a moved images:DIR), the error says where the name came from.
func (d *dataFlags) loadForModel(fs *flagSet, meta map[string]string, stderr io.Writer) (train.Data, *mnist.Set, error) {
	recorded := d.forModel(fs, meta, stderr)
	data, test, err := d.load()
	if err != nil && recorded {
		err = fmt.Errorf("%w (the model's checkpoint says it was trained on %s; --dataset chooses other images)", err, d.dataset)
	}
	return data, test, err
}

// datasetHelp makes --dataset's help say that a verb reading a trained model
// uses the model's own dataset unless told otherwise (the flag's value is
// untouched; forModel decides).
func datasetHelp(fs *flagSet) {
	f := fs.Lookup("dataset")
	f.Usage = "images to use instead of the model's own (its checkpoint records the dataset it was trained on;\na different one is used with a note): " + dataset.Names
	f.DefValue = ""
}
