package tensor

// convTransposeGo is ConvTransposeAct's pure-Go path, for windows whose large
// grid is at most twice the small one (g.H ≤ 2·Ho, g.W ≤ 2·Wo: every
// transposed convolution and every convolution's input gradient). The large
// grid splits into its four parity classes (even/odd row × even/odd column);
// class (r, s) is one product over 1, 2, 2 or 4 shifted copies of src (9
// blocks of cs rows in all, the same multiply-adds as the column route), set
// from the bias and activated row by row (smallLongSetGo), then the classes
// are woven onto dst with the gate. Unlike its twin convTransposeRef it never
// writes or scatters the 9·C rows of the column matrix, and makes no separate
// passes for the bias, the activation or the gate.
//
// The products run over panels of goPanel columns of the small grid, so that
// the shifted copies of a panel (4·cs rows) stay in L2 with the classes.
//
// Shapes: a [cs][C·9] (ConvTranspose2d [In, Out, 3, 3] or Conv2d [Out, In, 3,
// 3]), src [cs][small], dst [C][large]; in scratch, blocks [4][cs][panel]
// (src shifted by (1,0), (0,0), (0,1), (1,1)), stack [C][4][small] and one
// class's packed weights [C][4·cs].
func convTransposeGo(dst, a, src, bias []float32, act Act, scratch []float32, cs int, g Window, gate []float32) {
	small, large := g.Small(), g.Large()
	_, _ = src[cs*small-1], dst[g.C*large-1]
	panel := min(small, goPanel)
	blocks := scratch[:4*cs*panel]
	stack := scratch[len(blocks):][:g.C*4*small]
	pack := scratch[len(blocks)+len(stack):][:g.C*4*cs]
	for j0 := 0; j0 < small; j0 += panel {
		// columns [j0, j0+w) of the small grid: blocks [4][cs][w]
		w := min(panel, small-j0)
		for s := range cs {
			row := src[s*small : (s+1)*small]
			block := func(i int) []float32 { return blocks[(i*cs+s)*w : (i*cs+s+1)*w] }
			shiftFwd(block(0), row, j0, g.Ho, g.Wo, 1, 0)
			copy(block(1), row[j0:j0+w])
			shiftFwd(block(2), row, j0, g.Ho, g.Wo, 0, 1)
			shiftFwd(block(3), row, j0, g.Ho, g.Wo, 1, 1)
		}
		for cls, cl := range goClasses {
			k := len(cl.taps) * cs
			// pack[l][t·cs + s] = A[s][l·9 + tap t]
			for l := range g.C {
				for t, tap := range cl.taps {
					for s := range cs {
						pack[l*k+t*cs+s] = a[s*g.C*9+l*9+tap]
					}
				}
			}
			smallLongSetGo(stack[cls*small+j0:], 4*small, pack, k, 1, blocks[cl.first*cs*w:], bias, act, nil, g.C, k, w)
		}
	}
	for l := range g.C {
		var gl []float32
		if gate != nil {
			gl = gate[l*large : (l+1)*large]
		}
		weaveGo(dst[l*large:(l+1)*large], stack[l*4*small:(l+1)*4*small], gl, g)
	}
}

// goPanel is the width of convTransposeGo's column panels: 4·16 shifted rows
// of it are 128 KB.
const goPanel = 512

// goClasses are the parity classes of convTransposeGo: class (r, s) = index
// 2r + s sums the taps listed, tap t reading block first + t.
var goClasses = [4]struct {
	first int
	taps  []int
}{
	{1, []int{1*3 + 1}},                            // (0,0): (0,0)
	{1, []int{1*3 + 2, 1*3 + 0}},                   // (0,1): (0,0) (0,1)
	{0, []int{0*3 + 1, 2*3 + 1}},                   // (1,0): (1,0) (0,0)
	{0, []int{0*3 + 2, 2*3 + 2, 2*3 + 0, 0*3 + 0}}, // (1,1): (1,0) (0,0) (0,1) (1,1)
}

// weaveGo writes one channel's classes (stack [4][small]) onto its large grid
// dst [N·H·W]: dst at (n, 2a+r, 2b+s) is class 2r+s at (n, a, b), zeroed where
// gate (laid out as dst) is not positive, when gate is not nil. Each row of
// the four classes fills a pair of large rows in one loop.
func weaveGo(dst, stack, gate []float32, g Window) {
	small, sw, hw := g.Small(), g.Ho*g.Wo, g.H*g.W
	rows := min(g.Ho, g.H/2) // a < rows: large rows 2a and 2a+1 are inside dst
	cols := g.W / 2          // b < cols: large columns 2b and 2b+1 (cols ≤ Wo)
	for n := range g.N {
		for a := range rows {
			o := n*sw + a*g.Wo
			e0, e1 := stack[o:o+g.Wo], stack[small+o:small+o+g.Wo]
			e2, e3 := stack[2*small+o:2*small+o+g.Wo], stack[3*small+o:3*small+o+g.Wo]
			at := n*hw + 2*a*g.W
			d0, d1 := dst[at:at+g.W], dst[at+g.W:at+2*g.W]
			if gate == nil {
				weavePair(d0[:2*cols], d1[:2*cols], e0[:cols], e1[:cols], e2[:cols], e3[:cols])
			} else {
				weavePairGated(d0[:2*cols], d1[:2*cols], e0[:cols], e1[:cols], e2[:cols], e3[:cols],
					gate[at:at+2*cols], gate[at+g.W:at+g.W+2*cols])
			}
			if g.W%2 == 1 { // the last column, even
				d0[g.W-1], d1[g.W-1] = e0[cols], e2[cols]
				if gate != nil {
					d0[g.W-1] = gated(d0[g.W-1], gate[at+g.W-1])
					d1[g.W-1] = gated(d1[g.W-1], gate[at+2*g.W-1])
				}
			}
		}
		if a := rows; a < g.Ho && 2*a < g.H { // the last row, even (H odd)
			o := n*sw + a*g.Wo
			d := dst[n*hw+2*a*g.W:][:g.W]
			c0, c1 := stack[o:o+g.Wo], stack[small+o:small+o+g.Wo]
			if gate == nil {
				weaveRow(d, c0, c1)
			} else {
				weaveRowGated(d, c0, c1, gate[n*hw+2*a*g.W:][:g.W])
			}
		}
	}
}

// weavePair sets d0[2b], d0[2b+1], d1[2b], d1[2b+1] to e0[b], e1[b], e2[b],
// e3[b] (len(d0) = len(d1) = 2·len(e0)). Its own function, so that the loop
// keeps its slices in registers.
func weavePair(d0, d1, e0, e1, e2, e3 []float32) {
	e1, e2, e3 = e1[:len(e0)], e2[:len(e0)], e3[:len(e0)]
	d0, d1 = d0[:2*len(e0)], d1[:2*len(e0)]
	for b, v := range e0 {
		d0[2*b], d0[2*b+1] = v, e1[b]
		d1[2*b], d1[2*b+1] = e2[b], e3[b]
	}
}

// weavePairGated is weavePair with each value zeroed where the gate at its
// place (g0 for d0, g1 for d1) is 0.
func weavePairGated(d0, d1, e0, e1, e2, e3, g0, g1 []float32) {
	e1, e2, e3 = e1[:len(e0)], e2[:len(e0)], e3[:len(e0)]
	d0, d1 = d0[:2*len(e0)], d1[:2*len(e0)]
	g0, g1 = g0[:len(d0)], g1[:len(d0)]
	for b, v := range e0 {
		d0[2*b], d0[2*b+1] = gated(v, g0[2*b]), gated(e1[b], g0[2*b+1])
		d1[2*b], d1[2*b+1] = gated(e2[b], g1[2*b]), gated(e3[b], g1[2*b+1])
	}
}

// weaveRow sets d[2b] = c0[b], d[2b+1] = c1[b] inside d (len(d) ≤ 2·len(c0)).
func weaveRow(d, c0, c1 []float32) {
	half := len(d) / 2
	e0, e1 := c0[:half], c1[:half]
	e := d[:2*half]
	for b := range e0 {
		v := (*[2]float32)(e[2*b:])
		v[0], v[1] = e0[b], e1[b]
	}
	if len(d)%2 == 1 {
		d[len(d)-1] = c0[half]
	}
}

// weaveRowGated is weaveRow with d[i] zeroed where gate[i] is 0 (a ReLU
// output: never negative), branch-free.
func weaveRowGated(d, c0, c1, gate []float32) {
	half := len(d) / 2
	e0, e1 := c0[:half], c1[:half]
	e, ge := d[:2*half], gate[:2*half]
	for b := range e0 {
		v := (*[2]float32)(e[2*b:])
		u := (*[2]float32)(ge[2*b:])
		v[0] = gated(e0[b], u[0])
		v[1] = gated(e1[b], u[1])
	}
	if len(d)%2 == 1 {
		d[len(d)-1] = gated(c0[half], gate[len(d)-1])
	}
}
