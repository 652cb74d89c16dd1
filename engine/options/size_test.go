package options

import "testing"

func TestParseSize(t *testing.T) {
	cases := []struct {
		in   string
		want int64 // 0: an error
	}{
		{"1048576", 1 << 20},
		{"512B", 512},
		{"64KiB", 64 << 10},
		{"64k", 64 << 10},
		{"1MiB", 1 << 20},
		{"1.5 MiB", 3 << 19},
		{"16MB", 16 << 20},
		{"2g", 2 << 30},
		{" 256mib ", 256 << 20},
		{"0", 0},
		{"-1MiB", 0},
		{"lots", 0},
		{"MiB", 0},
		{"5TiB", 0},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSize(tc.in)
			switch {
			case tc.want == 0 && err == nil:
				t.Fatalf("ParseSize(%q) = %d, want an error", tc.in, got)
			case tc.want != 0 && (err != nil || got != tc.want):
				t.Fatalf("ParseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
}
