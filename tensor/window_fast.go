package tensor

import "sync"

// The vector paths of Im2col and Col2imAdd: both become gathers through
// precomputed index tables, which removes the per-row loop overhead of rows
// only 4, 7 or 14 floats wide. Tables cover a group of G images (the fewest
// whose small and large grids are whole vectors of 8), so they stay small.

// windowTables are the gather tables of one window geometry (C and N aside).
type windowTables struct {
	g          int        // images per group
	im2col     []int32    // [9][g·Ho·Wo]: offset in a channel of the large grid, or -1
	shift      [3][]int32 // [g·Ho·Wo] for the shifts (0,1) (1,1) (1,0): source offset, or -1
	interleave []int32    // [g·H·W]: offset in one channel's [4 classes][N·Ho·Wo] stack
	smallLen   int        // g·Ho·Wo
	largeLen   int        // g·H·W
}

var tableCache sync.Map // Window{N, H, W, Ho, Wo} → *windowTables

// tablesFor returns the tables of g's geometry, or nil where the vector path
// does not apply.
func tablesFor(g Window) *windowTables {
	key := Window{N: g.N, H: g.H, W: g.W, Ho: g.Ho, Wo: g.Wo}
	if t, ok := tableCache.Load(key); ok {
		return t.(*windowTables)
	}
	grp := 1
	for grp < 8 && (grp*g.Ho*g.Wo%8 != 0 || grp*g.H*g.W%8 != 0) {
		grp *= 2
	}
	if grp*g.H*g.W > 1<<24 {
		return nil
	}
	t := &windowTables{g: grp, smallLen: grp * g.Ho * g.Wo, largeLen: grp * g.H * g.W}
	t.im2col = make([]int32, 9*t.smallLen)
	for tap := range 9 {
		kh, kw := tap/3, tap%3
		for n := range grp {
			for oh := range g.Ho {
				for ow := range g.Wo {
					q := (n*g.Ho+oh)*g.Wo + ow
					ih, iw := 2*oh-1+kh, 2*ow-1+kw
					if ih < 0 || ih >= g.H || iw < 0 || iw >= g.W {
						t.im2col[tap*t.smallLen+q] = -1
						continue
					}
					t.im2col[tap*t.smallLen+q] = int32((n*g.H+ih)*g.W + iw)
				}
			}
		}
	}
	for sh := range 3 {
		d := shiftDelta[sh+1]
		t.shift[sh] = make([]int32, t.smallLen)
		for n := range grp {
			for a := range g.Ho {
				for b := range g.Wo {
					v := int32(-1)
					if a+d[0] < g.Ho && b+d[1] < g.Wo {
						v = int32((n*g.Ho+a+d[0])*g.Wo + b + d[1])
					}
					t.shift[sh][(n*g.Ho+a)*g.Wo+b] = v
				}
			}
		}
	}
	t.interleave = make([]int32, t.largeLen)
	small := g.N * g.Ho * g.Wo
	for n := range grp {
		for ih := range g.H {
			for iw := range g.W {
				cls := (ih%2)*2 + iw%2
				t.interleave[(n*g.H+ih)*g.W+iw] = int32(cls*small + (n*g.Ho+ih/2)*g.Wo + iw/2)
			}
		}
	}
	v, _ := tableCache.LoadOrStore(key, t)
	return v.(*windowTables)
}

// im2colFast gathers whole groups of images; it returns how many images it
// did (the rest are left to the scalar loop).
func im2colFast(col, x []float32, g Window) int {
	t := tablesFor(g)
	if t == nil {
		return 0
	}
	groups := g.N / t.g
	small, large := g.Small(), g.Large()
	for c := 0; c < g.C; c++ {
		for tap := range 9 {
			row := col[(c*9+tap)*small:]
			idx := &t.im2col[tap*t.smallLen]
			for gi := range groups {
				gather8(&row[gi*t.smallLen], &x[c*large+gi*t.largeLen], idx, t.smallLen)
			}
		}
	}
	return groups * t.g
}
