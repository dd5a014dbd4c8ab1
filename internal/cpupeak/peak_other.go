//go:build noasm || !amd64

package cpupeak

const hasAsm = false

func fmaAsm(acc *State, m, c float32, n int) { LoopGo(acc, m, c, n) }
