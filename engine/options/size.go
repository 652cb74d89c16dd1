package options

import (
	"fmt"
	"strconv"
	"strings"
)

// sizeUnits are the suffixes a size may carry, all binary: 1 MB is taken
// as 1 MiB, as memory sizes usually are.
var sizeUnits = []struct {
	suffix string
	factor int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30},
	{"b", 1},
}

// maxSize keeps sizes far from overflowing the int they end up in.
const maxSize = 1 << 40

// ParseSize reads a byte size: a whole number of bytes, or a number with
// a binary unit (KiB, MiB, GiB; K, M, G and KB, MB, GB mean the same),
// such as 512KiB, 1.5MiB or 2G. It must be above zero.
func ParseSize(s string) (int64, error) {
	num, factor := strings.ToLower(strings.TrimSpace(s)), int64(1)
	for _, u := range sizeUnits {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, factor = strings.TrimSpace(rest), u.factor
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v <= 0 || v*float64(factor) > maxSize {
		return 0, fmt.Errorf("invalid size %q: give bytes above zero, or a number with KiB, MiB or GiB, such as 512KiB or 1MiB", s)
	}
	n := int64(v * float64(factor))
	if n < 1 {
		n = 1
	}
	return n, nil
}

// checkSize vets a size option's value.
func checkSize(v any) error {
	_, err := ParseSize(v.(string))
	return err
}
