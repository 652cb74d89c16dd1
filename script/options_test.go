package script

import "testing"

// A number default is a float when written like one: Lua cannot tell 1.0
// from 1 at run time, so the kind comes from how the source spells it.
func TestOptionKindFollowsTheSpelling(t *testing.T) {
	cases := []struct {
		name string
		decl string
		kind OptionKind
		def  any
	}{
		{"whole number", "max_tokens = { default = 128 }", KindInt, 128},
		{"bare whole number", "max_tokens = 128", KindInt, 128},
		{"point zero", "think_time = { default = 1.0 }", KindFloat, 1.0},
		{"bare point zero", "think_time = 1.0", KindFloat, 1.0},
		{"fraction", "temperature = { default = 0.7 }", KindFloat, 0.7},
		{"negative point zero", "offset = { default = -2.0 }", KindFloat, -2.0},
		{"negative whole number", "offset = { default = -2 }", KindInt, -2},
		{"exponent", "budget = { default = 1e3 }", KindFloat, 1000.0},
		{"leading point", "ratio = .5", KindFloat, 0.5},
		{"hexadecimal", "mask = 0xFE", KindInt, 254},
		{"type int wins over the spelling", "n = { default = 4.0, type = \"int\" }", KindInt, 4},
		{"type float wins over the spelling", "n = { default = 4, type = \"float\" }", KindFloat, 4.0},
		{"computed whole number", "n = { default = 2 * 3 }", KindInt, 6},
		{"computed fraction", "n = { default = 3 / 2 }", KindFloat, 1.5},
		{"parenthesised", "n = { default = (2.0) }", KindFloat, 2.0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := "locust.options {\n  " + tc.decl + ",\n}\nU = locust.user{}\nU:task(function(self) end)\n"
			p, err := LoadSource("opts.lua", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			o := p.Options[0]
			if o.Kind != tc.kind || o.Default != tc.def {
				t.Fatalf("%s: kind %s, default %#v; want %s, %#v", o.Name, o.Kind, o.Default, tc.kind, tc.def)
			}
		})
	}
}

// An options table built elsewhere in the file keeps the spelling too.
func TestOptionKindFromATableVariable(t *testing.T) {
	src := `
local defaults = { think_time = { default = 1.0 }, turns = 4 }
locust.options(defaults)
U = locust.user{}
U:task(function(self) end)
`
	p, err := LoadSource("opts.lua", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	got := map[string]OptionKind{}
	for _, o := range p.Options {
		got[o.Name] = o.Kind
	}
	if got["think_time"] != KindFloat || got["turns"] != KindInt {
		t.Fatalf("kinds %v, want think_time float and turns int", got)
	}
}
