package dataset

import (
	"strings"
	"testing"
)

func TestForModel(t *testing.T) {
	for _, c := range []struct {
		meta  map[string]string
		given string
		want  string
		note  string // in the note ("" : no note)
	}{
		{map[string]string{MetadataKey: "fashion-mnist"}, "", "fashion-mnist", ""},
		{map[string]string{MetadataKey: "images:/data/x"}, "", "images:/data/x", ""},
		{map[string]string{}, "", "mnist", ""},
		{nil, "", "mnist", ""},
		{map[string]string{MetadataKey: "fashion-mnist"}, "fashion-mnist", "fashion-mnist", ""},
		{map[string]string{MetadataKey: "fashion-mnist"}, "mnist", "mnist", "trained on fashion-mnist"},
		{nil, "idx:/tmp/d", "idx:/tmp/d", "trained on mnist"},
		{map[string]string{MetadataKey: "mnist"}, "mnist", "mnist", ""},
	} {
		spec, note := ForModel(c.meta, c.given)
		if spec != c.want || (c.note == "") != (note == "") || !strings.Contains(note, c.note) {
			t.Errorf("ForModel(%v, %q) = %q, %q; want %q and a note with %q", c.meta, c.given, spec, note, c.want, c.note)
		}
	}
}
