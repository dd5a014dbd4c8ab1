// Package nn holds the layers of latent's models, each an explicit forward and
// backward pass over channel-major activations ([C][N·H·W], see package tensor),
// plus the parameter registry, the losses, the reparameterisation and Adam.
//
// Parameters live in one flat []float32 and gradients in another of the same
// size; a layer knows only the offsets of its weight and bias (a Param), so the
// same layer code runs against any copy of the parameters or gradients (one
// gradient buffer per worker, for example). Backward passes accumulate (+=) into
// gradients that the caller zeroed once per step.
package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Param is a named parameter tensor: its PyTorch state_dict name, its shape in
// PyTorch's layout, and its place in the flat parameter buffer.
type Param struct {
	Name  string
	Shape []int
	Off   int
}

// Len is the number of elements.
func (p Param) Len() int {
	n := 1
	for _, d := range p.Shape {
		n *= d
	}
	return n
}

// Of returns the parameter's slice of a flat buffer (parameters or gradients).
func (p Param) Of(buf []float32) []float32 { return buf[p.Off : p.Off+p.Len()] }

// Params is the registry of a model's parameters, in state_dict order.
type Params struct {
	List []Param
	Size int // total number of floats
}

// Add registers a parameter and returns it.
func (ps *Params) Add(name string, shape ...int) Param {
	p := Param{Name: name, Shape: shape, Off: ps.Size}
	ps.List = append(ps.List, p)
	ps.Size += p.Len()
	return p
}

// Lookup returns the parameter with that name.
func (ps *Params) Lookup(name string) (Param, bool) {
	for _, p := range ps.List {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// InitUniform fills buf[p] with U(-bound, bound), PyTorch's default for the
// weight and bias of Conv2d, ConvTranspose2d and Linear, with
// bound = 1/sqrt(fanIn).
func InitUniform(buf []float32, p Param, fanIn int, rng *rand.Rand) {
	bound := 1 / math.Sqrt(float64(fanIn))
	for i := range p.Of(buf) {
		buf[p.Off+i] = float32((2*rng.Float64() - 1) * bound)
	}
}

// CheckShape reports whether shape equals p.Shape, as an error naming both.
func (p Param) CheckShape(shape []int) error {
	if len(shape) != len(p.Shape) {
		return fmt.Errorf("%s: shape %v, want %v", p.Name, shape, p.Shape)
	}
	for i := range shape {
		if shape[i] != p.Shape[i] {
			return fmt.Errorf("%s: shape %v, want %v", p.Name, shape, p.Shape)
		}
	}
	return nil
}
